import { AbortError } from '@connectors/framework';

/** A counting semaphore bounding concurrent bulk requests. */
export class Semaphore {
  #available: number;
  readonly #waiters: (() => void)[] = [];

  constructor(permits: number) {
    this.#available = Math.max(1, permits);
  }

  /** Waits for a permit (rejects with an AbortError when `signal` aborts first). */
  async acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw new AbortError('The operation was aborted', { cause: signal.reason });
    if (this.#available > 0) {
      this.#available--;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const grant = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const index = this.#waiters.indexOf(grant);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(new AbortError('The operation was aborted', { cause: signal.reason }));
      };
      this.#waiters.push(grant);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Returns a permit. */
  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#available++;
  }
}
