import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { abortable } from './abortable.js';
import { CheckpointTracker } from './checkpoint-tracker.js';
import { createErrorBudget } from './error-budget.js';
import { openScratchTable } from './scratch-table.js';
import { toDocumentId } from './to-document-id.js';
import { createTypedEmitter } from './typed-emitter.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'engine-parts-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function* existing(count: number) {
  for (let i = 0; i < count; i += 1) {
    await Promise.resolve();
    yield { id: `id-${i}`, timestamp: i % 2 === 0 ? `t${i}` : undefined };
  }
}

describe('scratch table', () => {
  it('looks up stored timestamps and streams never-seen ids in pages', async () => {
    const table = openScratchTable({ dir, key: 'job', fresh: true });
    expect(await table.load(existing(25), new AbortController().signal)).toBe(25);
    expect(table.lookup('id-4')).toBe('t4');
    expect(table.lookup('id-5')).toBeNull();
    expect(table.lookup('missing')).toBeUndefined();
    for (let i = 0; i < 25; i += 1) if (i % 5 !== 0) table.markSeen(`id-${i}`);
    const pages = [...table.unseen(2)];
    expect(pages).toEqual([['id-0', 'id-5'], ['id-10', 'id-15'], ['id-20']]);
    table.close(true);
  });

  it('keeps its rows and seen marks for a resumed job, and starts empty when fresh', async () => {
    const first = openScratchTable({ dir, key: 'job/1', fresh: true });
    await first.load(existing(3), new AbortController().signal);
    first.markSeen('id-1');
    first.close(false);
    const resumed = openScratchTable({ dir, key: 'job/1', fresh: false });
    expect(resumed.loaded).toBe(true);
    expect([...resumed.unseen(10)].flat()).toEqual(['id-0', 'id-2']);
    resumed.close(false);
    const fresh = openScratchTable({ dir, key: 'job/1', fresh: true });
    expect(fresh.loaded).toBe(false);
    expect(fresh.lookup('id-0')).toBeUndefined();
    fresh.close(true);
  });
});

describe('error budget', () => {
  it('fails after more than the allowed consecutive errors', () => {
    const budget = createErrorBudget({ maxConsecutiveErrors: 2, maxErrorRatio: 1 });
    expect(budget.record(true, 'a')).toBeUndefined();
    expect(budget.record(true, 'b')).toBeUndefined();
    expect(budget.record(true, 'c')?.message).toBe(
      'Too many errors while writing documents: 3 consecutive failures (last: c)',
    );
  });

  it('resets the consecutive count on success and fails on the window ratio', () => {
    const budget = createErrorBudget({ maxConsecutiveErrors: 100, windowSize: 10, maxErrorRatio: 0.2 });
    const outcomes = [true, false, true, false];
    expect(outcomes.map((failed) => budget.record(failed))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(budget.record(true)?.message).toBe(
      'Too many errors while writing documents: 3 of the last 10 operations failed (last: unknown)',
    );
  });

  it('never fails when disabled', () => {
    const budget = createErrorBudget({ enabled: false, maxConsecutiveErrors: 0 });
    expect(budget.record(true)).toBeUndefined();
  });

  it('fails past the total error limit', () => {
    const budget = createErrorBudget({ maxTotalErrors: 3, maxConsecutiveErrors: 100, maxErrorRatio: 1 });
    const results = [true, false, true, false, true, false, true].map((failed) => budget.record(failed));
    expect(results.slice(0, 6).every((r) => r === undefined)).toBe(true);
    expect(results[6]?.message).toContain('4 failures in total');
  });
});

describe('abortable', () => {
  it('ends a stuck iteration as soon as the signal aborts', async () => {
    async function* stuck() {
      yield 1;
      await new Promise(() => undefined);
      yield 2;
    }
    const controller = new AbortController();
    const seen: number[] = [];
    const started = performance.now();
    const run = (async () => {
      for await (const value of abortable(stuck(), controller.signal)) {
        seen.push(value);
        setTimeout(() => controller.abort(), 10);
      }
    })();
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([1]);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('toDocumentId and the typed emitter', () => {
  it('keeps ids up to 512 UTF-8 bytes and hashes longer ones', () => {
    expect(toDocumentId('a'.repeat(512))).toBe('a'.repeat(512));
    expect(toDocumentId('a'.repeat(513))).toBe('6649c3e827e44f7bf539768bddf76435');
  });

  it('delivers payloads to listeners until they unsubscribe, surviving a throwing listener', () => {
    const emitter = createTypedEmitter<{ tick: number }>();
    const got: number[] = [];
    emitter.on('tick', () => {
      throw new Error('broken listener');
    });
    const off = emitter.on('tick', (n) => got.push(n));
    emitter.emit('tick', 1);
    off();
    emitter.emit('tick', 2);
    expect(got).toEqual([1]);
  });
});

describe('CheckpointTracker', () => {
  function tracker(options: { saveMs?: number; failSave?: (value: number) => boolean } = {}) {
    const saved: number[] = [];
    const failed: string[] = [];
    let flushes = 0;
    let failFlush = false;
    let running = 0;
    let overlapping = 0;
    const t = new CheckpointTracker<number>(
      async (value) => {
        running += 1;
        if (running > 1) overlapping += 1;
        try {
          if (options.saveMs) await new Promise((resolve) => setTimeout(resolve, options.saveMs));
          else await Promise.resolve();
          if (options.failSave?.(value)) throw new Error(`save ${value} failed`);
          saved.push(value);
        } finally {
          running -= 1;
        }
      },
      () => {
        flushes += 1;
        if (failFlush) throw new Error('disk full');
      },
      () => undefined,
      (error) => failed.push((error as Error).message),
    );
    return {
      t,
      saved,
      failed,
      get flushes() {
        return flushes;
      },
      get overlapping() {
        return overlapping;
      },
      failFlushes(on: boolean) {
        failFlush = on;
      },
    };
  }

  it('saves a checkpoint only once every operation before it is acknowledged', async () => {
    const { t, saved } = tracker();
    const a = t.begin();
    const b = t.begin();
    t.checkpoint(1);
    const c = t.begin();
    t.checkpoint(2);
    t.complete(b);
    t.flush();
    await t.idle(1000);
    expect(saved).toEqual([]);
    t.complete(a);
    t.flush();
    await t.idle(1000);
    expect(saved).toEqual([1]);
    t.complete(c);
    t.flush();
    await t.idle(1000);
    expect(saved).toEqual([1, 2]);
  });

  it('runs one save at a time and saves only the newest of those that became eligible meanwhile', async () => {
    const state = tracker({ saveMs: 30 });
    state.t.checkpoint(1);
    for (let value = 2; value <= 6; value += 1) state.t.checkpoint(value);
    await state.t.idle(2000);
    expect(state.saved).toEqual([1, 6]);
    expect(state.overlapping).toBe(0);
    state.t.checkpoint(7);
    await state.t.idle(2000);
    expect(state.saved).toEqual([1, 6, 7]);
  });

  it('reports a failed save or a failed flush of the marks, and goes on saving later ones', async () => {
    const state = tracker({ failSave: (value) => value === 2 });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      state.t.checkpoint(1);
      await state.t.idle(1000);
      state.t.checkpoint(2);
      await state.t.idle(1000);
      state.failFlushes(true);
      state.t.checkpoint(3);
      await state.t.idle(1000);
      state.failFlushes(false);
      state.t.checkpoint(4);
      await state.t.idle(1000);
      await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(state.saved).toEqual([1, 4]);
    expect(state.failed).toEqual(['save 2 failed', 'disk full']);
    expect(state.flushes).toBe(4);
    expect(unhandled).toEqual([]);
  });

  it('saves nothing once stopped, and keeps listener failures apart from save failures', async () => {
    const failed: string[] = [];
    const saved: number[] = [];
    let listenerCalls = 0;
    const t = new CheckpointTracker<number>(
      (value) => {
        saved.push(value);
        return Promise.resolve();
      },
      () => undefined,
      () => {
        listenerCalls += 1;
        throw new Error('listener broke');
      },
      (error) => {
        failed.push((error as Error).message);
        throw new Error('the report broke too');
      },
    );
    t.checkpoint(1);
    await t.idle(1000);
    const seq = t.begin();
    t.checkpoint(2);
    t.stop();
    t.complete(seq);
    t.flush();
    t.checkpoint(3);
    await t.idle(1000);
    expect(saved).toEqual([1]);
    expect(listenerCalls).toBe(1);
    expect(failed).toEqual([]);
  });
});
