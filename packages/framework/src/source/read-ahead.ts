import { AbortError } from '../errors/abort-error.js';
import { linkSignals } from '../http/any-signal.js';

/** Options of {@link readAhead}. */
export interface ReadAheadOptions {
  /** Items held at most before the producer waits for the consumer (at least 1). */
  readonly limit: number;
  /** Aborts the producer (its signal is aborted with this one's reason). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * An async iterable filled ahead of its consumer. It can be iterated once. `close()` (or `await using`, or
 * leaving the `for await` early) aborts the producer's signal, ends the producer and waits until it has.
 * Iterating a read-ahead closed before it was read to the end throws an `AbortError`, so that a close
 * never passes for the end of the items.
 */
export interface ReadAhead<T> extends AsyncIterable<T>, AsyncDisposable {
  /** Stops the producer and waits for it; what it had read and what it would have thrown are dropped. */
  close(): Promise<void>;
}

/**
 * Starts a producer now and keeps up to `limit` of its items until they are asked for: a listing phase
 * whose calls are latency-bound (say, metadata fetched item by item) runs while an earlier phase is still
 * being consumed, and its items come out later in their own order. The items, then the producer's error if
 * it failed, reach the consumer exactly as the producer yielded them.
 *
 * The producer gets a signal that is aborted by `options.signal` and by `close()`: pass it to every call.
 * Close a read-ahead that will not be consumed to the end (a `try`/`finally` around the earlier phase), or
 * its producer keeps running until it fills the buffer.
 * @example
 * const received = readAhead((signal) => listReceived(ctx, signal), { limit: 500, signal });
 * try {
 *   yield* listTree(ctx, signal);
 *   yield* received;
 * } finally {
 *   await received.close();
 * }
 */
export function readAhead<T>(
  start: (signal: AbortSignal) => AsyncIterable<T>,
  options: ReadAheadOptions,
): ReadAhead<T> {
  const limit = options.limit;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`readAhead: limit must be a positive integer, got ${String(limit)}`);
  }
  const closing = new AbortController();
  const linked = linkSignals(options.signal, closing.signal);
  // At most `limit` items wait here; `shift()` on an array that size is cheap.
  const items: T[] = [];
  let finished = false;
  let failure: { error: unknown } | undefined;
  let closed = false;
  /** Closed while items were left or the producer still ran: iterating then must not look like the end. */
  let cutShort = false;
  let iterated = false;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducer: (() => void) | undefined;

  const notifyConsumer = () => {
    const wake = wakeConsumer;
    wakeConsumer = undefined;
    wake?.();
  };
  const notifyProducer = () => {
    const wake = wakeProducer;
    wakeProducer = undefined;
    wake?.();
  };

  const pump = (async () => {
    let iterator: AsyncIterator<T> | undefined;
    let exhausted = false;
    try {
      iterator = start(linked.signal)[Symbol.asyncIterator]();
      while (!closed) {
        if (items.length >= limit) {
          await new Promise<void>((resolve) => (wakeProducer = resolve));
          continue;
        }
        const step = await iterator.next();
        if (step.done) {
          exhausted = true;
          break;
        }
        if (closed) break;
        items.push(step.value);
        notifyConsumer();
      }
      // Closed while the producer was suspended: let it run its `finally` blocks.
      if (!exhausted && iterator.return) await iterator.return();
    } catch (error) {
      if (!closed) failure = { error };
    } finally {
      finished = true;
      linked.dispose();
      notifyConsumer();
    }
  })();

  async function close(): Promise<void> {
    if (!closed) {
      closed = true;
      cutShort = !finished || items.length > 0 || failure !== undefined;
      if (!finished) closing.abort(new AbortError('The read-ahead was closed'));
      items.length = 0;
      failure = undefined;
      notifyProducer();
      notifyConsumer();
    }
    await pump;
  }

  async function* consume(): AsyncGenerator<T> {
    try {
      for (;;) {
        // Closed from outside, while being iterated or before, with items or an error dropped: an end here
        // would look like the end of the producer's items, so it is an abort instead.
        if (cutShort) throw new AbortError('The read-ahead was closed before it was read to the end');
        if (items.length > 0) {
          const item = items.shift() as T;
          notifyProducer();
          yield item;
          continue;
        }
        if (finished) {
          if (failure) throw failure.error;
          return;
        }
        await new Promise<void>((resolve) => (wakeConsumer = resolve));
      }
    } finally {
      await close();
    }
  }

  return {
    [Symbol.asyncIterator]() {
      if (iterated) throw new Error('readAhead: a read-ahead can be iterated only once');
      iterated = true;
      return consume();
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
