import { toFingerprint } from '../src/engine/to-fingerprint.js';
import type { JsonValue } from '../src/document/json.js';
import type { SourceDefinition, SourceInstance } from '../src/source/define-source.js';
import { checkpoint, cursor, upsert } from '../src/source/listing.js';

/** Options of {@link createGeneratedSource}. */
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

/** A source that generates `count` small documents on the fly (no corpus held in memory). */
export function createGeneratedSource(options: GeneratedSourceOptions): {
  definition: Pick<SourceDefinition, 'apiVersion' | 'id' | 'capabilities'>;
  instance: SourceInstance;
} {
  const pageSize = options.pageSize ?? 1000;
  return {
    definition: {
      apiVersion: 1,
      id: 'generated',
      capabilities: {
        incrementalSync: false,
        accessControl: false,
        advancedRules: false,
        binaryContent: false,
      },
    },
    instance: {
      check: () => Promise.resolve(),
      async *listAll({ checkpoint: from }) {
        const start = typeof from === 'number' ? from + 1 : 0;
        for (let page = start; page * pageSize < options.count; page += 1) {
          await Promise.resolve();
          const end = Math.min(options.count, (page + 1) * pageSize);
          for (let i = page * pageSize; i < end; i += 1) {
            const { id, ...rest } = generatedDocument(i, options.version(i));
            yield upsert({ ...rest, _id: id as string });
          }
          yield checkpoint(page);
        }
        yield cursor(null);
      },
      close: () => Promise.resolve(),
    },
  };
}
