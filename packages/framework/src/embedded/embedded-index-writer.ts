import { throwIfAborted } from '../errors/abort-error.js';
import type { BatchOutcome, ExistingDocument, IndexKind, IndexWriter, SinkOperation } from '../sink/sink.js';
import type { DocumentTable } from './document-table.js';

/** Ids per page when streaming `existing()`. */
const EXISTING_PAGE_SIZE = 1000;

/** How a writer reaches its store: the document table (throws once the store is closed) and error mapping. */
export interface WriterAccess {
  /** Runs `body` on the open document table, mapping SQLite errors to sink errors for `action`. */
  run<T>(action: string, body: (table: DocumentTable) => T): T;
  /** Writes one batch in one transaction (on the store's writer thread when it has one). */
  write(indexName: string, kind: IndexKind, operations: readonly SinkOperation[]): Promise<BatchOutcome>;
}

/** An {@link IndexWriter} on one logical index of the embedded store. */
export class EmbeddedIndexWriter implements IndexWriter {
  /** Name of the index this writer targets. */
  readonly indexName: string;
  readonly #kind: IndexKind;
  readonly #access: WriterAccess;

  constructor(indexName: string, kind: IndexKind, access: WriterAccess) {
    this.indexName = indexName;
    this.#kind = kind;
    this.#access = access;
  }

  /** Writes the batch in one transaction; resolves after commit (visible and crash-safe). */
  write(operations: readonly SinkOperation[], signal: AbortSignal): Promise<BatchOutcome> {
    return Promise.resolve().then(() => {
      throwIfAborted(signal);
      return this.#access.write(this.indexName, this.#kind, operations);
    });
  }

  /** Streams `(id, _timestamp)` in id order, one keyset page at a time. */
  async *existing(signal: AbortSignal): AsyncIterable<ExistingDocument> {
    let after: string | undefined;
    for (;;) {
      throwIfAborted(signal);
      const page = this.#access.run(`Listing the ids of index ${this.indexName}`, (table) =>
        table.existingPage(this.indexName, after, EXISTING_PAGE_SIZE),
      );
      for (const document of page) yield document;
      if (page.length < EXISTING_PAGE_SIZE) return;
      after = page[page.length - 1]?.id;
    }
  }

  /** Number of documents in the index. */
  count(signal: AbortSignal): Promise<number> {
    return Promise.resolve().then(() => {
      throwIfAborted(signal);
      return this.#access.run(`Counting index ${this.indexName}`, (table) => table.count(this.indexName));
    });
  }

  /** No-op: every committed write is already visible. */
  refresh(signal: AbortSignal): Promise<void> {
    return Promise.resolve().then(() => throwIfAborted(signal));
  }

  /** No-op: the store owns the connection (close the store instead). */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
