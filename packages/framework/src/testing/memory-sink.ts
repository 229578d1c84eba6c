import type { JsonValue } from '../document/json.js';
import { SinkError } from '../errors/sink-error.js';
import type {
  BatchOutcome,
  IndexKind,
  IndexWriter,
  OpenIndexOptions,
  PipelineSettings,
  Sink,
  SinkItemFailure,
  SinkOperation,
} from '../sink/sink.js';

type Doc = Readonly<Record<string, JsonValue>>;

/** Options of {@link createMemorySink}. */
export interface MemorySinkOptions {
  /** Batch limits the sink advertises. @default { maxOperations: 500, maxBytes: 3 MiB, maxInFlight: 2 } */
  readonly batchLimits?: Partial<Sink['batchLimits']>;
  /** Return a reason to make one operation fail as an item failure (like a bulk item error). */
  readonly failItem?: (operation: SinkOperation, indexName: string) => string | undefined;
  /** Called before each batch is applied; throw to fail the whole request (e.g. a SinkError). */
  readonly beforeWrite?: (operations: readonly SinkOperation[], indexName: string) => void | Promise<void>;
  /** Artificial latency per batch, in milliseconds. */
  readonly latencyMs?: number;
}

/** One `write` call as the memory sink saw it. */
export interface MemoryWrite {
  readonly indexName: string;
  readonly operations: readonly SinkOperation[];
}

/** An in-memory sink with inspectable indices, for tests. */
export interface MemorySink extends Sink {
  /** Every index by name: id → stored document. */
  readonly indices: Map<string, Map<string, Doc>>;
  /** Documents of one index (empty when missing). */
  documents(indexName: string): Map<string, Doc>;
  /** Every batch written, in order. */
  readonly writes: MemoryWrite[];
  /** How each index was opened (kind, pipeline). */
  readonly opened: {
    readonly indexName: string;
    readonly kind: IndexKind;
    readonly pipeline?: PipelineSettings;
  }[];
  /** Writers not closed yet. */
  readonly openWriters: number;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new SinkError('Write aborted', { cause: signal.reason, retryable: false }));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Creates an in-memory sink: `index` replaces, `update` merges top-level fields (doc_as_upsert), `delete`
 * removes (a missing id still counts as deleted, like Elasticsearch's `not_found` result).
 */
export function createMemorySink(options: MemorySinkOptions = {}): MemorySink {
  const indices = new Map<string, Map<string, Doc>>();
  const writes: MemoryWrite[] = [];
  const opened: MemorySink['opened'][number][] = [];
  let openWriters = 0;
  const documents = (name: string) => {
    let index = indices.get(name);
    if (!index) {
      index = new Map();
      indices.set(name, index);
    }
    return index;
  };

  return {
    indices,
    writes,
    opened,
    get openWriters() {
      return openWriters;
    },
    documents,
    batchLimits: { maxOperations: 500, maxBytes: 3 * 1024 * 1024, maxInFlight: 2, ...options.batchLimits },
    openIndex(open: OpenIndexOptions): Promise<IndexWriter> {
      const index = documents(open.indexName);
      opened.push(
        open.pipeline
          ? { indexName: open.indexName, kind: open.kind, pipeline: open.pipeline }
          : { indexName: open.indexName, kind: open.kind },
      );
      openWriters += 1;
      let closed = false;
      const writer: IndexWriter = {
        indexName: open.indexName,
        async write(operations, signal) {
          if (closed) throw new SinkError(`Writer of ${open.indexName} is closed`);
          signal.throwIfAborted();
          if (options.latencyMs) await sleep(options.latencyMs, signal);
          await options.beforeWrite?.(operations, open.indexName);
          writes.push({ indexName: open.indexName, operations: [...operations] });
          let indexed = 0;
          let deleted = 0;
          let volumeBytes = 0;
          const failures: SinkItemFailure[] = [];
          for (const operation of operations) {
            const reason = options.failItem?.(operation, open.indexName);
            if (reason !== undefined) {
              failures.push({ id: operation.id, op: operation.op, reason, status: 400 });
              continue;
            }
            if (operation.op === 'delete') {
              index.delete(operation.id);
              deleted += 1;
              continue;
            }
            const previous = operation.op === 'update' ? index.get(operation.id) : undefined;
            const stored = structuredClone({ ...(previous ?? {}), ...operation.document }) as Doc;
            index.set(operation.id, stored);
            indexed += 1;
            volumeBytes += Buffer.byteLength(JSON.stringify(operation.document), 'utf8');
          }
          const outcome: BatchOutcome = { indexed, deleted, volumeBytes, failures };
          return outcome;
        },
        async *existing(signal) {
          for (const [id, doc] of [...index]) {
            signal.throwIfAborted();
            const timestamp = doc['_timestamp'];
            const fingerprint = doc['_fingerprint'];
            yield {
              id,
              timestamp: typeof timestamp === 'string' ? timestamp : undefined,
              ...(typeof fingerprint === 'string' ? { fingerprint } : {}),
            };
          }
        },
        count() {
          return Promise.resolve(index.size);
        },
        refresh() {
          return Promise.resolve();
        },
        close() {
          if (!closed) {
            closed = true;
            openWriters -= 1;
          }
          return Promise.resolve();
        },
      };
      return Promise.resolve(writer);
    },
  };
}
