import type { JsonValue } from '../document/json.js';

/** Which kind of index a writer targets. */
export type IndexKind = 'content' | 'access_control';

/** Ingest pipeline settings of a connector (spec: `pipeline`). */
export interface PipelineSettings {
  readonly name: string;
  readonly extract_binary_content: boolean;
  readonly reduce_whitespace: boolean;
  readonly run_ml_inference: boolean;
}

/**
 * One write. `index` replaces the document, `update` merges it (doc_as_upsert), `delete` removes it.
 *
 * `json`, when present, is exactly `JSON.stringify(document)`: the engine serializes each document once to
 * size it and hands the text over, so a sink can write it instead of serializing the document again. A sink
 * that does not need it ignores it; whoever sets it must keep it equal to the document.
 */
export type SinkOperation =
  | {
      readonly op: 'index';
      readonly id: string;
      readonly document: Readonly<Record<string, JsonValue>>;
      readonly json?: string;
    }
  | {
      readonly op: 'update';
      readonly id: string;
      readonly document: Readonly<Record<string, JsonValue>>;
    }
  | { readonly op: 'delete'; readonly id: string };

/** A write the sink refused (counted on the job with its reason). */
export interface SinkItemFailure {
  readonly id: string;
  readonly op: SinkOperation['op'];
  readonly reason: string;
  readonly status?: number;
}

/** What the sink acknowledged for one batch. Resolving means every successful item is durable. */
export interface BatchOutcome {
  /** Successful index and update operations. */
  readonly indexed: number;
  /** Delete operations that returned any result (found or not found). */
  readonly deleted: number;
  /** Bytes of the successfully indexed documents (serialized JSON). */
  readonly volumeBytes: number;
  readonly failures: readonly SinkItemFailure[];
}

/** An id and change markers already in the index. */
export interface ExistingDocument {
  readonly id: string;
  readonly timestamp: string | undefined;
  /** The engine's `_fingerprint` of the stored document's fields, when it has one. */
  readonly fingerprint?: string | undefined;
}

/** Options for opening an index. */
export interface OpenIndexOptions {
  readonly indexName: string;
  readonly kind: IndexKind;
  readonly pipeline?: PipelineSettings;
  readonly signal: AbortSignal;
}

/** A writer bound to one index. */
export interface IndexWriter {
  readonly indexName: string;
  /** Writes one batch; resolves when durable. Request-level failures reject with a SinkError. */
  write(operations: readonly SinkOperation[], signal: AbortSignal): Promise<BatchOutcome>;
  /** Streams every `(id, _timestamp, _fingerprint)` in the index, never holding the whole list in memory. */
  existing(signal: AbortSignal): AsyncIterable<ExistingDocument>;
  /** Number of documents in the index (visible ones). */
  count(signal: AbortSignal): Promise<number>;
  /** Makes writes visible to search and count. */
  refresh(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** Where documents go: Elasticsearch or the embedded store. */
export interface Sink {
  /** Opens (creating when missing) an index for writing. */
  openIndex(options: OpenIndexOptions): Promise<IndexWriter>;
  /** Limits that batches sent to this sink must respect. */
  readonly batchLimits: {
    readonly maxOperations: number;
    readonly maxBytes: number;
    readonly maxInFlight: number;
  };
}
