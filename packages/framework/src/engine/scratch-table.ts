import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { ExistingDocument } from '../sink/sink.js';

/**
 * The on-disk list of ids already in the index, used to reconcile a full sync without holding every id in
 * memory: loaded from `writer.existing()`, looked up per listed document, marked seen, and finally streamed
 * (unseen ids only) as deletes. Keyed by job, so a resumed job finds its table and seen marks again.
 */
export interface ScratchTable {
  /** Path of the database file. */
  readonly path: string;
  /** Whether a previous run of this job loaded the table completely (resume). */
  readonly loaded: boolean;
  /** Replaces the table's content with `existing` (streamed, in transactions). Returns the row count. */
  load(existing: AsyncIterable<ExistingDocument>, signal: AbortSignal): Promise<number>;
  /** The stored `_timestamp` of `id`: `null` when the document has none, `undefined` when it is not in the index. */
  lookup(id: string): string | null | undefined;
  /** Marks `id` as listed (buffered; written by `flush`, automatically every few thousand marks). */
  markSeen(id: string): void;
  /** Writes buffered seen marks to disk. */
  flush(): void;
  /** Streams ids never marked seen, in pages of `pageSize`. */
  unseen(pageSize: number): Iterable<string[]>;
  /** Closes the database; with `remove`, deletes its files. */
  close(remove: boolean): void;
}

const MARK_BUFFER = 4096;
const LOAD_CHUNK = 10_000;

function removeFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
}

/** The value compared to decide whether a document changed: its `_timestamp`, plus its fingerprint when known. */
export function toChangeKey(timestamp: string | undefined, fingerprint: string | undefined): string | null {
  if (timestamp === undefined) return null;
  return fingerprint === undefined ? timestamp : `${timestamp}\u0001${fingerprint}`;
}

/** Opens (or, with `fresh`, recreates) the scratch table of job `key` under `dir`. */
export function openScratchTable(options: { dir: string; key: string; fresh: boolean }): ScratchTable {
  mkdirSync(options.dir, { recursive: true });
  const safeKey = options.key.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 120);
  const path = join(options.dir, `sync-scratch-${safeKey}.sqlite`);
  if (options.fresh) removeFiles(path);
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA temp_store = FILE;');
  db.exec(
    'CREATE TABLE IF NOT EXISTS existing (id TEXT PRIMARY KEY, ts TEXT, seen INTEGER NOT NULL DEFAULT 0);' +
      'CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT);',
  );
  const loadedRow = db.prepare("SELECT v FROM meta WHERE k = 'loaded'").get() as { v: string } | undefined;
  let loaded = loadedRow?.v === '1';
  const select: StatementSync = db.prepare('SELECT ts FROM existing WHERE id = ?');
  const mark: StatementSync = db.prepare('UPDATE existing SET seen = 1 WHERE id = ?');
  const pending: string[] = [];

  const flush = () => {
    if (pending.length === 0) return;
    db.exec('BEGIN');
    try {
      for (const id of pending) mark.run(id);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
    pending.length = 0;
  };

  return {
    path,
    get loaded() {
      return loaded;
    },
    async load(existing, signal) {
      db.exec("DELETE FROM existing; DELETE FROM meta WHERE k = 'loaded';");
      const insert = db.prepare('INSERT OR IGNORE INTO existing (id, ts) VALUES (?, ?)');
      let count = 0;
      let inChunk = 0;
      db.exec('BEGIN');
      try {
        for await (const doc of existing) {
          // Change marker and fingerprint compared as one value (see toChangeKey).
          insert.run(doc.id, toChangeKey(doc.timestamp, doc.fingerprint));
          count += 1;
          inChunk += 1;
          if (inChunk >= LOAD_CHUNK) {
            db.exec('COMMIT');
            signal.throwIfAborted();
            db.exec('BEGIN');
            inChunk = 0;
          }
        }
        db.exec("INSERT OR REPLACE INTO meta (k, v) VALUES ('loaded', '1')");
        db.exec('COMMIT');
      } catch (error) {
        if (db.isTransaction) db.exec('ROLLBACK');
        throw error;
      }
      loaded = true;
      return count;
    },
    lookup(id) {
      const row = select.get(id) as { ts: string | null } | undefined;
      return row === undefined ? undefined : row.ts;
    },
    markSeen(id) {
      pending.push(id);
      if (pending.length >= MARK_BUFFER) flush();
    },
    flush,
    *unseen(pageSize) {
      flush();
      const page = db.prepare(
        'SELECT rowid AS r, id FROM existing WHERE seen = 0 AND rowid > ? ORDER BY rowid LIMIT ?',
      );
      let after = 0;
      for (;;) {
        const rows = page.all(after, pageSize) as { r: number; id: string }[];
        if (rows.length === 0) return;
        after = rows[rows.length - 1]?.r ?? after;
        yield rows.map((row) => row.id);
        if (rows.length < pageSize) return;
      }
    },
    close(remove) {
      try {
        if (!remove) flush();
      } finally {
        db.close();
        if (remove) removeFiles(path);
      }
    },
  };
}
