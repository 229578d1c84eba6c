/**
 * Runs `body` inside `BEGIN IMMEDIATE … COMMIT`: the write lock is taken up front, so read-modify-write
 * sequences (claims, conditional updates) from several processes on one file serialise instead of
 * deadlocking on a lock upgrade. Any throw rolls the whole transaction back. (Plain JavaScript: the store's
 * writer thread runs it too.)
 * @template T
 * @param {import('node:sqlite').DatabaseSync} db
 * @param {() => T} body
 * @returns {T}
 */
export function immediateTransaction(db, body) {
  db.exec('BEGIN IMMEDIATE');
  /** @type {T} */
  let result;
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
