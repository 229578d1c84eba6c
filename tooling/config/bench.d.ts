/** Collects garbage when the process runs with `--expose-gc` (scripts/bench.mjs passes it). */
export declare function collectGarbage(): void;
/** Rounds to `digits` decimals. @default 2 */
export declare function round(value: number, digits?: number): number;
/** The median of `values` (the mean of the middle two for an even count); NaN when empty. */
export declare function median(values: readonly number[]): number;
/** Samples this process's RSS every 25 ms; `stop()` returns the peak in MB (one decimal). */
export declare function rssSampler(): { stop(): number };
