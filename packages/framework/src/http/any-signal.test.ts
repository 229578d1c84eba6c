import { describe, expect, it } from 'vitest';
import { linkSignals } from './any-signal.js';

describe('linkSignals', () => {
  it('aborts with the reason of the first source that aborts', () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = linkSignals(a.signal, b.signal);
    b.abort('second');
    a.abort('first');
    expect(linked.signal.aborted).toBe(true);
    expect(linked.signal.reason).toBe('second');
  });

  it('starts aborted when a source already is', () => {
    const a = new AbortController();
    a.abort('gone');
    const linked = linkSignals(undefined, a.signal);
    expect(linked.signal.reason).toBe('gone');
  });

  it('stops following its sources once disposed', () => {
    const a = new AbortController();
    const linked = linkSignals(a.signal);
    linked.dispose();
    a.abort();
    expect(linked.signal.aborted).toBe(false);
  });

  it('stays fast with many short-lived links on one long-lived signal', () => {
    const long = new AbortController();
    const started = performance.now();
    for (let i = 0; i < 50_000; i += 1) linkSignals(long.signal).dispose();
    // Linear: well under a second even on a slow machine (AbortSignal.any grows slower per call here).
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
