import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.js';

describe('waitFor', () => {
  it('returns the first value that is not undefined or false', async () => {
    let calls = 0;
    const value = await waitFor(() => {
      calls += 1;
      return calls < 3 ? false : `after ${calls}`;
    });
    expect(value).toBe('after 3');
    expect(await waitFor(async () => 0)).toBe(0);
  });

  it('gives up after timeoutMs, naming what it waited for', async () => {
    const started = Date.now();
    await expect(waitFor(() => false, { timeoutMs: 50, what: 'the job' })).rejects.toThrow(
      'the job not met within 50 ms',
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
  });
});
