import { AbortError } from '../errors/abort-error.js';

/** Runs at most `concurrency` tasks at once; the rest wait in FIFO order. */
export interface Limiter {
  /** Runs `task` when a slot is free. A waiting task whose signal aborts is dropped with an AbortError. */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Tasks running now. */
  readonly active: number;
  /** Tasks waiting for a slot. */
  readonly pending: number;
}

/** Creates a concurrency limiter. */
export function createLimiter(concurrency: number): Limiter {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  let active = 0;
  const queue: { start: () => void; signal: AbortSignal | undefined }[] = [];

  const next = () => {
    while (active < concurrency && queue.length > 0) {
      const waiter = queue.shift();
      if (waiter && !waiter.signal?.aborted) {
        active += 1;
        waiter.start();
      }
    }
  };

  return {
    get active() {
      return active;
    },
    get pending() {
      return queue.length;
    },
    run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (signal?.aborted) {
          reject(new AbortError('Task aborted before it started', { cause: signal.reason }));
          return;
        }
        const start = () => {
          task()
            .then(resolve, reject)
            .finally(() => {
              active -= 1;
              next();
            });
        };
        if (active < concurrency && queue.length === 0) {
          // A free slot and nobody waiting: start now, without an abort listener (one per call adds up).
          active += 1;
          start();
          return;
        }
        const onAbort = () => {
          const index = queue.indexOf(waiter);
          if (index >= 0) {
            queue.splice(index, 1);
            reject(new AbortError('Task aborted before it started', { cause: signal?.reason }));
          }
        };
        const waiter = {
          signal,
          start: () => {
            signal?.removeEventListener('abort', onAbort);
            start();
          },
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(waiter);
        next();
      });
    },
  };
}

/** One limiter per key (per tenant, per user, per host), created on first use. */
export interface KeyedLimiter {
  run<T>(key: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/** Creates per-key concurrency limits. */
export function createKeyedLimiter(concurrencyPerKey: number): KeyedLimiter {
  const limiters = new Map<string, Limiter>();
  return {
    run(key, task, signal) {
      let limiter = limiters.get(key);
      if (!limiter) {
        limiter = createLimiter(concurrencyPerKey);
        limiters.set(key, limiter);
      }
      const current = limiter;
      return current.run(task, signal).finally(() => {
        if (current.active === 0 && current.pending === 0) limiters.delete(key);
      });
    },
  };
}
