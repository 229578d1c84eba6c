import type { PipelineSettings, SinkItemFailure, SinkOperation } from '@connectors/framework';

/** One operation serialized as its NDJSON bulk lines. */
export interface BulkItem {
  readonly op: SinkOperation['op'];
  readonly id: string;
  /** Action line + payload line, each ending with `\n`. */
  readonly lines: string;
  /** UTF-8 size of `lines`. */
  readonly bytes: number;
  /** UTF-8 size of the document alone (0 for deletes): the indexed volume. */
  readonly documentBytes: number;
}

/** The pipeline switches the service adds to every content document (spec framework 5.5 and 5.11). */
export function pipelineFlags(pipeline: PipelineSettings): Record<string, boolean> {
  return {
    _extract_binary_content: pipeline.extract_binary_content,
    _reduce_whitespace: pipeline.reduce_whitespace,
    _run_ml_inference: pipeline.run_ml_inference,
  };
}

/**
 * Serializes operations into bulk items for `indexName`: `index` → action + document, `update` →
 * action + `{doc, doc_as_upsert: true}`, `delete` → action only. `flags` (pipeline switches) are added to
 * documents that do not set them. Non-delete documents without `_attachment` larger than
 * `maxDocumentBytes` (when > 0) are not serialized but returned as failures with a clear reason.
 */
export function toBulkItems(
  indexName: string,
  operations: readonly SinkOperation[],
  options: { maxDocumentBytes: number; flags?: Record<string, boolean> },
): { items: BulkItem[]; dropped: SinkItemFailure[] } {
  const items: BulkItem[] = [];
  const dropped: SinkItemFailure[] = [];
  const flags = options.flags;
  const flagKeys = flags ? Object.keys(flags) : [];
  // The action line, written by hand: the same text as JSON.stringify({[op]: {_index, _id}}).
  const indexJson = JSON.stringify(indexName);
  for (const operation of operations) {
    const action = `{"${operation.op}":{"_index":${indexJson},"_id":${JSON.stringify(operation.id)}}}`;
    if (operation.op === 'delete') {
      const lines = `${action}\n`;
      items.push({
        op: 'delete',
        id: operation.id,
        lines,
        bytes: Buffer.byteLength(lines),
        documentBytes: 0,
      });
      continue;
    }
    const source = operation.document;
    const hasFlags = flagKeys.every((key) => key in source);
    // The engine hands over the JSON it sized the document with (and sets the flags itself): reuse it.
    const documentJson =
      operation.op === 'index' && operation.json !== undefined && hasFlags
        ? operation.json
        : JSON.stringify(hasFlags || !flags ? source : { ...flags, ...source });
    const documentBytes = Buffer.byteLength(documentJson);
    if (
      options.maxDocumentBytes > 0 &&
      documentBytes > options.maxDocumentBytes &&
      !('_attachment' in source)
    ) {
      dropped.push({
        id: operation.id,
        op: operation.op,
        reason:
          `document too large: ${documentBytes} bytes of JSON exceed the ${options.maxDocumentBytes}-byte cap ` +
          '(elasticsearch.bulk.max_text_document_size); it was not indexed',
      });
      continue;
    }
    const payload = operation.op === 'update' ? `{"doc":${documentJson},"doc_as_upsert":true}` : documentJson;
    const lines = `${action}\n${payload}\n`;
    items.push({
      op: operation.op,
      id: operation.id,
      lines,
      bytes: Buffer.byteLength(action) + (payload.length - documentJson.length) + documentBytes + 2,
      documentBytes,
    });
  }
  return { items, dropped };
}

/**
 * Groups items into requests of at most `maxOperations` items and `maxBytes` bytes (a single item larger
 * than `maxBytes` goes alone). Order is kept.
 */
export function chunkBulkItems(
  items: readonly BulkItem[],
  limits: { maxOperations: number; maxBytes: number },
): BulkItem[][] {
  const chunks: BulkItem[][] = [];
  let current: BulkItem[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length && (current.length >= limits.maxOperations || bytes + item.bytes > limits.maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.bytes;
  }
  if (current.length) chunks.push(current);
  return chunks;
}
