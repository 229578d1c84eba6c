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

/** The next result of `iterator`, or an AbortError as soon as `signal` aborts (listener removed after each call). */
function nextOrAbort<T>(iterator: AsyncIterator<T>, signal: AbortSignal): Promise<IteratorResult<T>> {
  return new Promise<IteratorResult<T>>((resolve, reject) => {
    if (signal.aborted) {
      reject(new AbortError('The sync was aborted', { cause: signal.reason }));
      return;
    }
    const onAbort = () => reject(new AbortError('The sync was aborted', { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    iterator.next().then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * Iterates `iterable`, stopping with an AbortError as soon as `signal` aborts, even when the producer is
 * stuck in an await that ignores the signal (the producer is then told to return, without waiting).
 * Memory stays flat however long the iteration (no race against a long-lived promise).
 */
export async function* abortable<T>(iterable: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = iterable[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const result = await nextOrAbort(iterator, signal);
      if (result.done) {
        finished = true;
        return;
      }
      yield result.value;
    }
  } catch (error) {
    finished = !signal.aborted;
    throw error;
  } finally {
    if (!finished) {
      const closing = iterator.return?.();
      if (closing) {
        if (signal.aborted) closing.catch(() => undefined);
        else await closing.catch(() => undefined);
      }
    }
  }
}
