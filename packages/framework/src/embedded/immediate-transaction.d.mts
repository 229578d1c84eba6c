import type { DatabaseSync } from 'node:sqlite';

/**
 * Runs `body` inside `BEGIN IMMEDIATE … COMMIT`: the write lock is taken up front, so read-modify-write
 * sequences from several processes on one file serialise instead of deadlocking on a lock upgrade. Any
 * throw rolls the whole transaction back.
 */
export declare function immediateTransaction<T>(db: DatabaseSync, body: () => T): T;
