import type { DatabaseSync } from 'node:sqlite';
import { ConnectorError } from '../errors/connector-error.js';
import { immediateTransaction } from './immediate-transaction.mjs';

/**
 * Ordered migrations; entry `n` moves the schema from version `n` to `n + 1`. Append only: a released
 * migration is never edited, so every store file converges to the same schema.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE indices (
    name       TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    created_at TEXT NOT NULL
  ) WITHOUT ROWID;

  -- One row per document of every logical index. rid doubles as the rowid of documents_fts.
  CREATE TABLE documents (
    rid        INTEGER PRIMARY KEY,
    index_name TEXT NOT NULL,
    id         TEXT NOT NULL,
    source     TEXT NOT NULL,
    timestamp  TEXT,
    acl        TEXT,
    UNIQUE (index_name, id)
  );

  -- Full text of each document: title-like fields and every other string field.
  CREATE VIRTUAL TABLE documents_fts USING fts5(
    title, body, tokenize = 'porter unicode61 remove_diacritics 2'
  );

  CREATE TABLE connectors (
    id      TEXT PRIMARY KEY,
    doc     TEXT NOT NULL,
    version INTEGER NOT NULL
  ) WITHOUT ROWID;

  -- seq breaks created_at ties so listing order is total and stable.
  CREATE TABLE jobs (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    connector_id TEXT NOT NULL,
    job_type     TEXT NOT NULL,
    status       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen    TEXT,
    doc          TEXT NOT NULL,
    version      INTEGER NOT NULL
  );
  CREATE INDEX jobs_by_status ON jobs (status, created_at, seq);
  CREATE INDEX jobs_by_created ON jobs (created_at, seq);

  CREATE TABLE checkpoints (
    job_id     TEXT PRIMARY KEY,
    checkpoint TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
];

/**
 * Refuses (STORE_CORRUPT) an SQLite file that holds tables but no `store_schema` table: another program's
 * database. Read-only. Returns whether the file already is a connectors store.
 */
export function assertConnectorsStore(db: DatabaseSync, path: string): boolean {
  const table = db
    .prepare(
      `SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name = 'store_schema' DESC LIMIT 1`,
    )
    .get() as { name: string } | undefined;
  if (table === undefined) return false;
  if (table.name === 'store_schema') return true;
  throw new ConnectorError(
    'STORE_CORRUPT',
    `[embedded-store] ${path} is an SQLite database but not a connectors store (it has a table named ` +
      `'${table.name}'). The file was left untouched: point the store at another path.`,
    { details: { path } },
  );
}

/** The schema version this code writes. */
export const STORE_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the store at `path` to {@link STORE_SCHEMA_VERSION}, all pending migrations in one transaction. Refuses an
 * SQLite file that holds other tables (not a connectors store) or a newer schema.
 */
export function migrateStoreSchema(db: DatabaseSync, path: string): { from: number; to: number } {
  return immediateTransaction(db, () => {
    if (!assertConnectorsStore(db, path)) {
      db.exec(
        `CREATE TABLE store_schema (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL) WITHOUT ROWID`,
      );
    }
    const row = db.prepare(`SELECT max(version) AS version FROM store_schema`).get() as {
      version: number | null;
    };
    const from = row.version ?? 0;
    if (from > STORE_SCHEMA_VERSION) {
      throw new ConnectorError(
        'STORE_CORRUPT',
        `[embedded-store] ${path} has schema version ${from}, newer than this release understands ` +
          `(${STORE_SCHEMA_VERSION}); upgrade connectors or use another store path.`,
        { details: { path, version: from } },
      );
    }
    const record = db.prepare(`INSERT INTO store_schema (version, applied_at) VALUES (?, ?)`);
    for (let version = from; version < STORE_SCHEMA_VERSION; version += 1) {
      db.exec(MIGRATIONS[version] as string);
      record.run(version + 1, new Date().toISOString());
    }
    return { from, to: STORE_SCHEMA_VERSION };
  });
}
