import { AbortError } from '../errors/abort-error.js';

/** Rejects with an AbortError as soon as `signal` aborts (never resolves otherwise). */
export function abortPromise(signal: AbortSignal): { promise: Promise<never>; dispose: () => void } {
  let dispose = () => undefined as void;
  const promise = new Promise<never>((_resolve, reject) => {
    const onAbort = () => reject(new AbortError('The sync was aborted', { cause: signal.reason }));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    dispose = () => signal.removeEventListener('abort', onAbort);
  });
  promise.catch(() => undefined);
  return { promise, dispose };
}

/** Races `promise` against `signal`: rejects with an AbortError when the signal aborts first. */
export async function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  const abort = abortPromise(signal);
  try {
    return await Promise.race([promise, abort.promise]);
  } finally {
    abort.dispose();
  }
}

/**
 * Iterates `iterable`, stopping with an AbortError as soon as `signal` aborts, even when the producer is
 * stuck in an await that ignores the signal (the producer is then told to return, without waiting).
 */
export async function* abortable<T>(iterable: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = iterable[Symbol.asyncIterator]();
  const abort = abortPromise(signal);
  let finished = false;
  try {
    for (;;) {
      const next = iterator.next();
      next.catch(() => undefined);
      const result = await Promise.race([next, abort.promise]);
      if (result.done) {
        finished = true;
        return;
      }
      yield result.value;
    }
  } finally {
    abort.dispose();
    if (!finished) {
      const closing = iterator.return?.();
      if (closing) {
        if (signal.aborted) closing.catch(() => undefined);
        else await closing.catch(() => undefined);
      }
    }
  }
}
