import { toFingerprint } from '../src/engine/to-fingerprint.js';
import type { JsonValue } from '../src/document/json.js';
import { createGeneratedSource } from '../src/testing/generated-source.js';

/** Options of {@link generatedSource}. */
export interface GeneratedSourceOptions {
  readonly count: number;
  /** Change marker of document `i` (vary it to simulate changed documents). */
  readonly version: (i: number) => string;
  readonly pageSize?: number;
}

/** The row the engine writes for document `i` (the bare-loop baseline writes exactly this). */
export function generatedDocument(i: number, version: string): Record<string, JsonValue> {
  const fields: Record<string, JsonValue> = {
    _timestamp: version,
    title: `Document ${i}`,
    size: i * 7,
    path: `/folder-${i % 100}/document-${i}.txt`,
    _extract_binary_content: true,
    _reduce_whitespace: true,
    _run_ml_inference: true,
  };
  // Rows written by the bare loop carry the fingerprint the engine would store, so that a later engine
  // sync sees them as unchanged (the engine ignores a `_fingerprint` a source yields).
  return { ...fields, id: `doc-${String(i).padStart(8, '0')}`, _fingerprint: toFingerprint(fields) };
}

/** The documents of {@link generatedDocument} as a source (the testing kit's generated source). */
export function generatedSource(options: GeneratedSourceOptions): ReturnType<typeof createGeneratedSource> {
  return createGeneratedSource({
    count: options.count,
    ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
    document: (i) => {
      const { id, ...rest } = generatedDocument(i, options.version(i));
      return { ...rest, _id: id as string };
    },
  });
}
