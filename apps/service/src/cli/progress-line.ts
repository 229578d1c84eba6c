import type { SyncTotals } from '@connectors/framework';

/** Formats seconds as `1h02m`, `3m05s` or `12s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/**
 * One progress line for a TTY: a bar when the expected number of documents is known (the index's size before
 * a full sync), documents per second, and an ETA from the current rate.
 */
export function renderProgress(options: {
  readonly totals: SyncTotals;
  readonly elapsedMs: number;
  readonly expected?: number;
  readonly width?: number;
}): string {
  const { totals, elapsedMs, expected } = options;
  const processed = totals.indexed + totals.skipped;
  const rate = elapsedMs > 0 ? processed / (elapsedMs / 1000) : 0;
  const counts = `${totals.indexed} indexed, ${totals.deleted} deleted, ${totals.skipped} skipped`;
  const speed = `${rate >= 10 ? Math.round(rate) : rate.toFixed(1)} docs/s`;
  if (!expected || expected <= 0) return `${counts} · ${speed} · ${formatDuration(elapsedMs / 1000)}`;
  const ratio = Math.min(1, processed / expected);
  const width = options.width ?? 24;
  const filled = Math.round(ratio * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const eta =
    rate > 0 && processed < expected ? `ETA ${formatDuration((expected - processed) / rate)}` : 'ETA —';
  return `${bar} ${Math.round(ratio * 100)}% ${counts} · ${speed} · ${eta}`;
}
