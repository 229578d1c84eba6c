import type { JsonValue } from '../document/json.js';
import type { ConnectorError } from '../errors/connector-error.js';

/** A counted, non-fatal problem with a few samples. */
export interface ItemReport {
  readonly count: number;
  /** The first few items (bounded), with their reasons. */
  readonly samples: readonly { readonly id?: string; readonly reason: string }[];
}

/** How a sync ended and what it did (what the job record needs). */
export interface SyncResult {
  readonly status: 'completed' | 'error' | 'canceled' | 'suspended';
  /** Successful index and update operations. */
  readonly indexed: number;
  /** Delete operations the sink acknowledged. */
  readonly deleted: number;
  /** Bytes of the successfully indexed documents. */
  readonly volumeBytes: number;
  /** Documents in the target index at the end (after refresh), or null when it could not be counted. */
  readonly total: number | null;
  /** Items not written: source skips, sink rejections, DLS fail-closed, too large. */
  readonly skipped: ItemReport;
  /** Non-fatal problems on written documents (extraction failures). */
  readonly warnings: ItemReport;
  /** Documents excluded by basic sync rules. */
  readonly filtered: number;
  /** Documents skipped because their `_timestamp` was unchanged. */
  readonly unchanged: number;
  /** The cursor for the connector's `sync_cursor` (null for a full sync of a non-incremental source). */
  readonly cursor: JsonValue | null;
  /** Why an incremental job ran as a full sync instead, when it did. */
  readonly fellBackToFull?: string;
  /** The error that ended the run (status `error`). */
  readonly error?: ConnectorError;
  readonly durationMs: number;
}
