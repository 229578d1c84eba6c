import type { DatabaseSync, StatementSync } from 'node:sqlite';

/** One row of a prepared batch: a delete, or an index write with everything its statements need. */
export type PreparedRow =
  | { readonly op: 'delete'; readonly id: string }
  | {
      readonly op: 'index';
      readonly id: string;
      /** The `_source` as stored. */
      readonly json: string;
      readonly timestamp: string | null;
      /** JSON array of the `_allow_access_control` values, null when unrestricted. */
      readonly acl: string | null;
      /** Full-text fields (content indices only; empty otherwise). */
      readonly title: string;
      readonly body: string;
    };

/** A batch made ready for SQLite on the calling thread (validation, serialization, text, ACL). */
export interface PreparedBatch {
  readonly indexName: string;
  readonly kind: 'content' | 'access_control';
  /** ISO time recorded when the batch creates its index. */
  readonly createdAt: string;
  readonly rows: readonly PreparedRow[];
}

/** The SQL of every document write (one place for both threads). */
export declare const DOCUMENT_WRITE_SQL: {
  readonly ensureIndex: string;
  readonly upsert: string;
  readonly deleteDoc: string;
  readonly ftsDelete: string;
  readonly ftsInsert: string;
};

/** The prepared statements of {@link DOCUMENT_WRITE_SQL}. */
export interface WriteStatements {
  readonly ensureIndex: StatementSync;
  readonly upsert: StatementSync;
  readonly deleteDoc: StatementSync;
  readonly ftsDelete: StatementSync;
  readonly ftsInsert: StatementSync;
}

/** Prepares {@link DOCUMENT_WRITE_SQL} on `db`. */
export declare function prepareWriteStatements(db: DatabaseSync): WriteStatements;

/** Applies a prepared batch in one `BEGIN IMMEDIATE` transaction; an error rolls it back and is thrown. */
export declare function executePreparedBatch(
  db: DatabaseSync,
  sql: WriteStatements,
  batch: PreparedBatch,
): { indexed: number; deleted: number };
