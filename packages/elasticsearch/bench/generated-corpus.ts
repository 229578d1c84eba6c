// A generated in-process source of small documents, and the exact rows the engine writes for them.
import { createHash } from 'node:crypto';
import type { JsonValue, SourceDocument } from '@connectors/framework';
import { createGeneratedSource } from '@connectors/framework/testing';

/** `_timestamp` of unchanged documents. */
export const VERSION_1 = '2026-01-01T00:00:00.000Z';
/** `_timestamp` of changed documents. */
export const VERSION_2 = '2026-02-01T00:00:00.000Z';

/** Id of document `i` (zero-padded so ids sort like numbers). */
export function docId(i: number): string {
  return `doc-${String(i).padStart(8, '0')}`;
}

/** What the source yields for document `i` (about 150 bytes of JSON). */
export function sourceDocument(i: number, version: string): SourceDocument {
  return {
    _id: docId(i),
    _timestamp: version,
    title: `Document ${i}`,
    size: i * 7,
    path: `/folder-${i % 100}/document-${i}.txt`,
  };
}

/**
 * Mirror of the engine's `_fingerprint` (its internal `toFingerprint`): sha1, base64url, of the JSON of the
 * source fields other than `_id` and `_timestamp`, in the source's order. The benchmark checks a stored row
 * against {@link indexedDocument}, so a drift of the engine's format fails loudly instead of skewing it.
 */
export function fingerprintOf(i: number): string {
  const fields = `{"title":${JSON.stringify(`Document ${i}`)},"size":${i * 7},"path":${JSON.stringify(`/folder-${i % 100}/document-${i}.txt`)}}`;
  return createHash('sha1').update(fields).digest('base64url');
}

/** The row the engine writes for document `i` (default pipeline flags, `id` instead of `_id`). */
export function indexedDocument(
  i: number,
  version: string,
  fingerprint: string = fingerprintOf(i),
): Record<string, JsonValue> {
  return {
    _timestamp: version,
    title: `Document ${i}`,
    size: i * 7,
    path: `/folder-${i % 100}/document-${i}.txt`,
    id: docId(i),
    _fingerprint: fingerprint,
    _extract_binary_content: true,
    _reduce_whitespace: true,
    _run_ml_inference: true,
  };
}

/** The corpus: which documents exist and with which `_timestamp`. */
export interface CorpusOptions {
  readonly count: number;
  /** `_timestamp` of document `i`. */
  readonly version: (i: number) => string;
  /** Whether document `i` still exists at the source. @default every document exists */
  readonly exists?: (i: number) => boolean;
  readonly pageSize?: number;
}

/** The corpus as a source (the testing kit's generated source: a page and a checkpoint at a time). */
export function corpusSource(options: CorpusOptions): ReturnType<typeof createGeneratedSource> {
  const exists = options.exists ?? (() => true);
  return createGeneratedSource({
    count: options.count,
    ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
    document: (i) => (exists(i) ? sourceDocument(i, options.version(i)) : undefined),
  });
}
