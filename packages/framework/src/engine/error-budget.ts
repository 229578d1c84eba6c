import { ConnectorError } from '../errors/connector-error.js';

/** Limits of the per-sync error monitor for sink item failures (spec 5.7 `bulk.error_monitor`). */
export interface ErrorBudgetOptions {
  /** Count only, never fail. @default true */
  readonly enabled: boolean;
  /** Fail when more than this many consecutive items fail. @default 10 */
  readonly maxConsecutiveErrors: number;
  /** Fail when more than this many items failed in total. @default 1000 */
  readonly maxTotalErrors: number;
  /** Size of the sliding window of recent operations. @default 100 */
  readonly windowSize: number;
  /** Fail when the share of failures in the window exceeds this. @default 0.15 */
  readonly maxErrorRatio: number;
}

/** Default error monitor limits, as in the reference. */
export const defaultErrorBudget: ErrorBudgetOptions = {
  enabled: true,
  maxConsecutiveErrors: 10,
  maxTotalErrors: 1000,
  windowSize: 100,
  maxErrorRatio: 0.15,
};

/** Tracks item outcomes; `record` returns an error once the budget is exhausted. */
export interface ErrorBudget {
  /** Records one item outcome; returns the error that must end the sync, if any. */
  record(failed: boolean, reason?: string): ConnectorError | undefined;
}

/** Creates an error monitor. The window starts all-success, like the reference's. */
export function createErrorBudget(options: Partial<ErrorBudgetOptions> = {}): ErrorBudget {
  const limits = { ...defaultErrorBudget, ...options };
  const window = new Uint8Array(Math.max(1, limits.windowSize));
  let position = 0;
  let windowErrors = 0;
  let consecutive = 0;
  let total = 0;
  const lastReasons: string[] = [];
  const fail = (why: string) =>
    new ConnectorError('SINK_FAILED', `Too many errors while writing documents: ${why}`, {
      details: { lastErrors: [...lastReasons] },
    });
  return {
    record(failed, reason) {
      const previous = window[position] ?? 0;
      window[position] = failed ? 1 : 0;
      position = (position + 1) % window.length;
      windowErrors += (failed ? 1 : 0) - previous;
      if (!failed) {
        consecutive = 0;
        return undefined;
      }
      consecutive += 1;
      total += 1;
      if (reason !== undefined) {
        lastReasons.push(reason);
        if (lastReasons.length > 10) lastReasons.shift();
      }
      if (!limits.enabled) return undefined;
      if (consecutive > limits.maxConsecutiveErrors) {
        return fail(`${consecutive} consecutive failures (last: ${reason ?? 'unknown'})`);
      }
      if (total > limits.maxTotalErrors)
        return fail(`${total} failures in total (last: ${reason ?? 'unknown'})`);
      if (windowErrors / window.length > limits.maxErrorRatio) {
        return fail(
          `${windowErrors} of the last ${window.length} operations failed (last: ${reason ?? 'unknown'})`,
        );
      }
      return undefined;
    },
  };
}
