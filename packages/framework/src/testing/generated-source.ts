import type { SourceDocument } from '../document/document.js';
import type { SourceDefinition, SourceInstance } from '../source/define-source.js';
import { checkpoint, cursor, upsert } from '../source/listing.js';

/** Options of {@link createGeneratedSource}. */
export interface GeneratedSourceOptions {
  /** Documents `0 … count - 1`. */
  readonly count: number;
  /** Document `i`, or undefined when it no longer exists at the source. Called once per listing. */
  readonly document: (i: number) => SourceDocument | undefined;
  /** Documents per page; a checkpoint (the page number) follows each page. @default 1000 */
  readonly pageSize?: number;
}

/**
 * A source that generates its documents on the fly, a page and a checkpoint at a time, holding nothing:
 * for benchmarks and load tests of any size. A resumed listing starts after the checkpointed page. Unlike
 * {@link createSyntheticSource} it has no corpus to mutate, no faults and no content.
 */
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
            const document = options.document(i);
            if (document) yield upsert(document);
          }
          yield checkpoint(page);
        }
        yield cursor(null);
      },
      close: () => Promise.resolve(),
    },
  };
}
