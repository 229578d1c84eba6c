import { describe, expect, it } from 'vitest';
import { formatDuration, renderProgress } from './progress-line.js';

describe('renderProgress', () => {
  it('shows a bar, the rate and an ETA when the expected number of documents is known', () => {
    const line = renderProgress({
      totals: { indexed: 240, deleted: 3, volumeBytes: 0, skipped: 10 },
      elapsedMs: 10_000,
      expected: 1000,
      width: 10,
    });
    // 250 of 1000 processed at 25 docs/s: 30 s to go.
    expect(line).toBe('[###-------] 25% 240 indexed, 3 deleted, 10 skipped · 25 docs/s · ETA 30s');
  });

  it('shows counts, rate and elapsed time when nothing is expected', () => {
    expect(
      renderProgress({ totals: { indexed: 5, deleted: 0, volumeBytes: 0, skipped: 0 }, elapsedMs: 2000 }),
    ).toBe('5 indexed, 0 deleted, 0 skipped · 2.5 docs/s · 2s');
  });
});

describe('formatDuration', () => {
  it('formats seconds, minutes and hours', () => {
    expect([formatDuration(9.4), formatDuration(185), formatDuration(3720)]).toEqual([
      '9s',
      '3m05s',
      '1h02m',
    ]);
  });
});
