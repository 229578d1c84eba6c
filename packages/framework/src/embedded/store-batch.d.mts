import type { DatabaseSync, StatementSync } from 'node:sqlite';

/**
 * A batch made ready for SQLite on the calling thread (validation, serialization, text, ACL), in columns:
 * row `i` deletes `ids[i]` when `sources[i]` is null, and writes it otherwise. (Columns of strings cross to
 * the writer thread about four times faster than an object per row.)
 */
export interface PreparedBatch {
  readonly indexName: string;
  readonly kind: 'content' | 'access_control';
  /** ISO time recorded when the batch creates its index. */
  readonly createdAt: string;
  readonly ids: readonly string[];
  /** The `_source` as stored; null for a delete. */
  readonly sources: readonly (string | null)[];
  readonly timestamps: readonly (string | null)[];
  /** JSON arrays of the `_allow_access_control` values; null when unrestricted. */
  readonly acls: readonly (string | null)[];
  /** Full-text fields (content indices only; empty otherwise). */
  readonly titles: readonly string[];
  readonly bodies: readonly string[];
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

/** Writes a prepared batch inside the caller's transaction (index created when missing, then each row). */
export declare function writePreparedRows(
  sql: WriteStatements,
  batch: PreparedBatch,
): { indexed: number; deleted: number };

/** Applies a prepared batch in one `BEGIN IMMEDIATE` transaction; an error rolls it back and is thrown. */
export declare function executePreparedBatch(
  db: DatabaseSync,
  sql: WriteStatements,
  batch: PreparedBatch,
): { indexed: number; deleted: number };

/** The connection settings every store connection uses after opening (busy timeout first, by the caller). */
export function applyConnectionPragmas(db: DatabaseSync, synchronous: 'normal' | 'full'): void;
