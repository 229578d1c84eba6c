// The SQLite side of writing a batch of documents: the statements and the one transaction that applies a
// prepared batch. Plain JavaScript, so that the store's writer thread (store-writer-worker.mjs) and the main
// thread (document-table.ts) run the very same code.
import { immediateTransaction } from './immediate-transaction.mjs';

/** The SQL of every document write (one place for both threads). */
export const DOCUMENT_WRITE_SQL = {
  ensureIndex: `INSERT INTO indices (name, kind, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`,
  upsert: `INSERT INTO documents (index_name, id, source, timestamp, acl) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (index_name, id) DO UPDATE
           SET source = excluded.source, timestamp = excluded.timestamp, acl = excluded.acl
         RETURNING rid`,
  deleteDoc: `DELETE FROM documents WHERE index_name = ? AND id = ? RETURNING rid`,
  ftsDelete: `DELETE FROM documents_fts WHERE rowid = ?`,
  ftsInsert: `INSERT INTO documents_fts (rowid, title, body) VALUES (?, ?, ?)`,
};

/**
 * Prepares {@link DOCUMENT_WRITE_SQL} on `db`.
 * @param {import('node:sqlite').DatabaseSync} db
 */
export function prepareWriteStatements(db) {
  return {
    ensureIndex: db.prepare(DOCUMENT_WRITE_SQL.ensureIndex),
    upsert: db.prepare(DOCUMENT_WRITE_SQL.upsert),
    deleteDoc: db.prepare(DOCUMENT_WRITE_SQL.deleteDoc),
    ftsDelete: db.prepare(DOCUMENT_WRITE_SQL.ftsDelete),
    ftsInsert: db.prepare(DOCUMENT_WRITE_SQL.ftsInsert),
  };
}

/**
 * Writes a prepared batch inside the caller's transaction: creates its index when missing, then each row.
 * Returns the rows written and deleted (a delete of an absent id counts as deleted).
 * @param {ReturnType<typeof prepareWriteStatements>} sql
 * @param {import('./store-batch.d.mts').PreparedBatch} batch
 */
export function writePreparedRows(sql, batch) {
  const fullText = batch.kind === 'content';
  let indexed = 0;
  let deleted = 0;
  sql.ensureIndex.run(batch.indexName, batch.kind, batch.createdAt);
  for (let i = 0; i < batch.ids.length; i += 1) {
    const id = batch.ids[i];
    const source = batch.sources[i];
    if (source === null || source === undefined) {
      const gone = /** @type {{ rid: number } | undefined} */ (sql.deleteDoc.get(batch.indexName, id));
      if (gone !== undefined && fullText) sql.ftsDelete.run(gone.rid);
      deleted += 1;
      continue;
    }
    const written = /** @type {{ rid: number }} */ (
      sql.upsert.get(batch.indexName, id, source, batch.timestamps[i] ?? null, batch.acls[i] ?? null)
    );
    if (fullText) {
      sql.ftsDelete.run(written.rid);
      sql.ftsInsert.run(written.rid, batch.titles[i] ?? '', batch.bodies[i] ?? '');
    }
    indexed += 1;
  }
  return { indexed, deleted };
}

/**
 * Applies a prepared batch in ONE `BEGIN IMMEDIATE` transaction (all or nothing; an error rolls it back and
 * is thrown).
 * @param {import('node:sqlite').DatabaseSync} db
 * @param {ReturnType<typeof prepareWriteStatements>} sql
 * @param {import('./store-batch.d.mts').PreparedBatch} batch
 */
export function executePreparedBatch(db, sql, batch) {
  return immediateTransaction(db, () => writePreparedRows(sql, batch));
}

/**
 * The connection settings every store connection uses after opening (the busy timeout is set first, by
 * the caller, before anything can wait on a lock).
 * @param {import('node:sqlite').DatabaseSync} db
 * @param {'normal' | 'full'} synchronous
 */
export function applyConnectionPragmas(db, synchronous) {
  db.exec(`PRAGMA synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  db.exec('PRAGMA foreign_keys = ON');
  // Truncate the WAL back to 64 MiB after checkpoints so one huge batch does not leave a huge file behind.
  db.exec('PRAGMA journal_size_limit = 67108864');
}
