import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { ConfigError } from '../errors/config-error.js';
import { isCorruptionError, storeCorruptError } from './store-error.js';
import { applyConnectionPragmas } from './store-batch.mjs';

/** How hard each commit is pushed to disk. */
export type StoreSynchronous = 'normal' | 'full';

/** Options of {@link openSqliteDatabase}. */
export interface SqliteOpenOptions {
  /** Milliseconds a writer waits for another process's write lock before failing with SQLITE_BUSY. */
  readonly busyTimeoutMs: number;
  readonly synchronous: StoreSynchronous;
  /** Read-only check that the file is ours, run before anything is written; throws to refuse the file. */
  readonly verify?: (db: DatabaseSync) => void;
}

/**
 * Opens (creating when missing) the SQLite file at `path` for the embedded store.
 *
 * The file is probed with reads (and `options.verify`) before any pragma that could write, so a garbage,
 * damaged or foreign file yields STORE_CORRUPT and is neither modified nor deleted.
 *
 * Durability choice: WAL journal with `synchronous=NORMAL` by default. A commit is appended to the WAL before
 * it returns, so a killed process (`kill -9`) loses nothing that was committed and never corrupts the file.
 * Only an OS crash or power cut can lose the last commits, and then WAL recovery (checksummed, chained
 * frames) keeps a consistent prefix of transactions: a checkpoint saved after a batch can never survive
 * without that batch. `FULL` adds an fsync per commit for operators who want power-cut durability too.
 */
export function openSqliteDatabase(path: string, options: SqliteOpenOptions): DatabaseSync {
  if (path !== ':memory:') {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      throw new ConfigError('Cannot create the folder of the embedded store', [
        `${path}: ${error instanceof Error ? error.message : String(error)}`,
      ]);
    }
  }
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path);
  } catch (error) {
    if (isCorruptionError(error)) throw storeCorruptError(path, error);
    throw new ConfigError('Cannot open the embedded store', [
      `${path}: ${error instanceof Error ? error.message : String(error)}`,
    ]);
  }
  try {
    // The busy timeout first (it writes nothing): the read below waits for another process's lock too.
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs))}`);
    // A read first: fails with SQLITE_NOTADB / SQLITE_CORRUPT on a foreign or damaged file, writing nothing.
    db.prepare('SELECT count(*) AS n FROM sqlite_master').get();
    options.verify?.(db);
    db.prepare('PRAGMA journal_mode = WAL').get();
    applyConnectionPragmas(db, options.synchronous === 'full' ? 'full' : 'normal');
    return db;
  } catch (error) {
    db.close();
    if (isCorruptionError(error)) throw storeCorruptError(path, error);
    throw error;
  }
}
