import type { JobType } from '../control-plane/records.js';
import type { JsonValue } from '../document/json.js';
import type { SyncResult } from './sync-result.js';

/** Running totals carried by progress events. */
export interface SyncTotals {
  readonly indexed: number;
  readonly deleted: number;
  readonly volumeBytes: number;
  readonly skipped: number;
}

/** The typed events a sync emits (metrics and progress hang off these). */
export interface SyncEvents {
  readonly [name: string]: unknown;
  /** The run started. */
  'run:start': { readonly jobType: JobType; readonly indexName: string; readonly resumed: boolean };
  /** The sink acknowledged one batch. */
  'batch:committed': {
    readonly operations: number;
    readonly indexed: number;
    readonly deleted: number;
    readonly failures: number;
    readonly durationMs: number;
    readonly totals: SyncTotals;
  };
  /** A resume point was persisted. */
  'checkpoint:saved': { readonly checkpoint: JsonValue };
  /** An item was skipped (source skip, sink rejection, DLS, size). */
  'item:skipped': { readonly id?: string; readonly reason: string };
  /** A batch write failed with a retryable error and will be repeated. */
  retry: { readonly attempt: number; readonly delayMs: number; readonly reason: string };
  /** The run ended. */
  'run:end': { readonly result: SyncResult };
}
