import type { DatabaseSync } from 'node:sqlite';

/**
 * Runs `body` inside `BEGIN IMMEDIATE … COMMIT`: the write lock is taken up front, so read-modify-write
 * sequences (claims, conditional updates) from several processes on one file serialise instead of
 * deadlocking on a lock upgrade. Any throw rolls the whole transaction back.
 */
export function immediateTransaction<T>(db: DatabaseSync, body: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  let result: T;
  try {
    result = body();
  } catch (error) {
    try {
      db.exec('ROLLBACK');
    } catch {
      // SQLite may already have rolled back (e.g. after SQLITE_FULL); the original error matters.
    }
    throw error;
  }
  try {
    db.exec('COMMIT');
  } catch (error) {
    try {
      db.exec('ROLLBACK');
    } catch {
      // Nothing left to roll back.
    }
    throw error;
  }
  return result;
}
