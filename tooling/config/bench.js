// Helpers shared by the benchmark scenarios (packages/*/bench): measuring, not generating data.

/** Collects garbage when the process runs with `--expose-gc` (scripts/bench.mjs passes it). */
export function collectGarbage() {
  /** @type {{ gc?: () => void }} */ (globalThis).gc?.();
}

/**
 * Rounds to `digits` decimals.
 * @param {number} value
 * @param {number} [digits]
 */
export function round(value, digits = 2) {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

/**
 * The median of `values` (the mean of the middle two for an even count); NaN when empty.
 * @param {readonly number[]} values
 */
export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? /** @type {number} */ (sorted[mid])
    : /** @type {number} */ (sorted[mid - 1] + /** @type {number} */ (sorted[mid])) / 2;
}

/** Samples this process's RSS every 25 ms; `stop()` returns the peak in MB (one decimal). */
export function rssSampler() {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 25);
  return {
    stop() {
      clearInterval(timer);
      return round(Math.max(peak, process.memoryUsage.rss()) / 1024 / 1024, 1);
    },
  };
}
