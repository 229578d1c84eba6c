import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AbortError } from '../errors/abort-error.js';
import { waitFor } from '../testing/wait-for.js';
import { readAhead } from './read-ahead.js';

/** A producer of `count` numbers that records how far it got and whether its `finally` ran. */
function counter(count: number, options: { failAt?: number; stepMs?: number } = {}) {
  const seen = { produced: 0, finalized: false, signal: undefined as AbortSignal | undefined };
  async function* produce(signal: AbortSignal): AsyncGenerator<number> {
    seen.signal = signal;
    try {
      for (let i = 0; i < count; i += 1) {
        if (options.stepMs) await delay(options.stepMs, undefined, { signal });
        else await Promise.resolve();
        if (i === options.failAt) throw new Error(`failed at ${i}`);
        seen.produced += 1;
        yield i;
      }
    } finally {
      seen.finalized = true;
    }
  }
  return { seen, produce };
}

async function drain<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

const until = (condition: () => boolean) => waitFor(condition, { timeoutMs: 2000, stepMs: 1 });

describe('readAhead', () => {
  it('runs the producer before anyone consumes, up to the limit', async () => {
    const { seen, produce } = counter(100);
    const ahead = readAhead(produce, { limit: 10 });
    await until(() => seen.produced === 10);
    await delay(20);
    expect(seen.produced).toBe(10);
    await ahead.close();
  });

  it('hands over every item in the producer order, refilling as the consumer takes', async () => {
    const { seen, produce } = counter(2500);
    const ahead = readAhead(produce, { limit: 7 });
    const out: number[] = [];
    let maxAhead = 0;
    for await (const item of ahead) {
      out.push(item);
      maxAhead = Math.max(maxAhead, seen.produced - out.length);
    }
    expect(out).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    // The buffer holds at most `limit`; the one being handed over is counted as consumed.
    expect(maxAhead).toBeLessThanOrEqual(7);
    expect(seen.finalized).toBe(true);
  });

  it('delivers the items read before a failure, then the failure', async () => {
    const { produce } = counter(10, { failAt: 4 });
    const ahead = readAhead(produce, { limit: 100 });
    const out: number[] = [];
    await expect(
      (async () => {
        for await (const item of ahead) out.push(item);
      })(),
    ).rejects.toThrow('failed at 4');
    expect(out).toEqual([0, 1, 2, 3]);
  });

  it('close() aborts the producer signal, runs its finally and drops its failure', async () => {
    const { seen, produce } = counter(1000, { stepMs: 5 });
    const ahead = readAhead(produce, { limit: 1000 });
    await until(() => seen.produced >= 2);
    await ahead.close();
    expect(seen.signal?.aborted).toBe(true);
    expect(seen.signal?.reason).toBeInstanceOf(AbortError);
    expect(seen.finalized).toBe(true);
    const after = seen.produced;
    await delay(20);
    expect(seen.produced).toBe(after);
    // Iterating a closed read-ahead is an abort (never a clean end), not the producer's own abort error.
    await expect(drain(ahead)).rejects.toThrow('The read-ahead was closed before it was read to the end');
  });

  it('closes a producer waiting for room, which then runs its finally', async () => {
    const { seen, produce } = counter(100);
    const ahead = readAhead(produce, { limit: 3 });
    await until(() => seen.produced === 3);
    await ahead.close();
    expect(seen.finalized).toBe(true);
    expect(seen.produced).toBe(3);
  });

  it('leaving the loop early closes the producer', async () => {
    const { seen, produce } = counter(1000);
    const ahead = readAhead(produce, { limit: 5 });
    const out: number[] = [];
    for await (const item of ahead) {
      out.push(item);
      if (item === 2) break;
    }
    expect(out).toEqual([0, 1, 2]);
    expect(seen.finalized).toBe(true);
    expect(seen.produced).toBeLessThanOrEqual(3 + 5);
  });

  it('stops the producer when the outer signal aborts, and reports the abort to the consumer', async () => {
    const outer = new AbortController();
    const { seen, produce } = counter(1000, { stepMs: 5 });
    const ahead = readAhead(produce, { limit: 1000, signal: outer.signal });
    await until(() => seen.produced >= 1);
    outer.abort(new AbortError('job cancelled'));
    // The producer's own abort error (here the timer's) reaches the consumer; its signal has the job's reason.
    await expect(drain(ahead)).rejects.toMatchObject({ name: 'AbortError' });
    expect((seen.signal?.reason as Error).message).toBe('job cancelled');
    expect(seen.finalized).toBe(true);
  });

  it('can be iterated once and rejects a bad limit', async () => {
    const ahead = readAhead(counter(3).produce, { limit: 2 });
    expect(await drain(ahead)).toEqual([0, 1, 2]);
    expect(() => ahead[Symbol.asyncIterator]()).toThrow('only once');
    expect(() => readAhead(counter(1).produce, { limit: 0 })).toThrow('limit must be a positive integer');
  });

  it('works with await using', async () => {
    const { seen, produce } = counter(50);
    {
      await using _ahead = readAhead(produce, { limit: 4 });
      await until(() => seen.produced === 4);
      // Waiting for room, inside its loop: the producer's finally has not run yet.
      expect(seen.finalized).toBe(false);
    }
    expect(seen.finalized).toBe(true);
  });

  it('turns a close during iteration into an abort for the consumer, and drops a failure already read', async () => {
    const { seen, produce } = counter(1000, { stepMs: 5 });
    const ahead = readAhead(produce, { limit: 1000 });
    const out: number[] = [];
    const consuming = (async () => {
      for await (const item of ahead) out.push(item);
    })();
    await until(() => out.length >= 2);
    await ahead.close();
    await expect(consuming).rejects.toThrow('closed before it was read to the end');
    expect(seen.finalized).toBe(true);

    // A producer that failed before the close: the close drops its error too.
    const failing = readAhead(counter(10, { failAt: 0 }).produce, { limit: 10 });
    await until(() => true);
    await delay(10);
    await failing.close();
    await expect(drain(failing)).rejects.toThrow('closed before it was read to the end');
  });

  it('ends cleanly when closed after every item was taken and the producer ended', async () => {
    const ahead = readAhead(counter(3).produce, { limit: 5 });
    const iterator = ahead[Symbol.asyncIterator]();
    const taken = [await iterator.next(), await iterator.next(), await iterator.next()].map((r) => r.value);
    expect(taken).toEqual([0, 1, 2]);
    await delay(5);
    await ahead.close();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });
});
