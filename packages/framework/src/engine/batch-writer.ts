import { ConnectorError } from '../errors/connector-error.js';
import { toConnectorError } from '../errors/to-connector-error.js';
import type { BatchOutcome, IndexWriter, SinkOperation } from '../sink/sink.js';
import { raceAbort } from './abortable.js';

/** One queued write with its serialized size and listing sequence number. */
export interface QueuedOperation {
  readonly operation: SinkOperation;
  readonly bytes: number;
  readonly seq: number;
}

/** Options of {@link createBatchWriter}. */
export interface BatchWriterOptions {
  readonly writer: IndexWriter;
  readonly maxOperations: number;
  readonly maxBytes: number;
  readonly maxInFlight: number;
  /** Extra attempts for a batch rejected with a retryable error. */
  readonly retries: number;
  readonly retryBaseDelayMs: number;
  readonly signal: AbortSignal;
  /** Called once per acknowledged batch (synchronously, in completion order). */
  onBatch(items: readonly QueuedOperation[], outcome: BatchOutcome, durationMs: number): void;
  /** Called when a batch failed for good; the run must end. */
  onFatal(error: ConnectorError): void;
  onRetry(attempt: number, delayMs: number, reason: string): void;
}

/** Groups operations into count- and byte-bounded batches with a bounded number of writes in flight. */
export interface BatchWriter {
  /** Queues one operation; waits (backpressure) while the in-flight limit is reached. */
  add(item: QueuedOperation): Promise<void>;
  /** Sends the partial batch now (waiting only for an in-flight slot). */
  flushPending(): Promise<void>;
  /** Sends the partial batch and waits until every write settled. */
  drain(): Promise<void>;
  /** Waits (at most `ms`) for writes in flight to settle, without sending anything new. */
  settle(ms: number): Promise<void>;
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Creates a batch writer over one index writer. */
export function createBatchWriter(options: BatchWriterOptions): BatchWriter {
  const { writer, signal } = options;
  let current: QueuedOperation[] = [];
  let currentBytes = 0;
  const inFlight = new Set<Promise<void>>();
  let lock: Promise<void> = Promise.resolve();

  const serialized = (fn: () => Promise<void>): Promise<void> => {
    const run = lock.then(fn);
    lock = run.catch(() => undefined);
    return run;
  };

  const write = async (items: QueuedOperation[]): Promise<void> => {
    const operations = items.map((item) => item.operation);
    for (let attempt = 0; ; attempt += 1) {
      const started = performance.now();
      try {
        const outcome = await writer.write(operations, signal);
        options.onBatch(items, outcome, performance.now() - started);
        return;
      } catch (error) {
        const normalized = toConnectorError(
          error,
          `Writing ${operations.length} operations to ${writer.indexName}`,
        );
        if (signal.aborted) return;
        if (!normalized.retryable || attempt >= options.retries) {
          options.onFatal(
            ConnectorError.isInstance(error)
              ? normalized
              : new ConnectorError('SINK_FAILED', normalized.message, { cause: error }),
          );
          return;
        }
        const delayMs = Math.round(options.retryBaseDelayMs * 2 ** attempt * (0.5 + Math.random() / 2));
        options.onRetry(attempt + 1, delayMs, normalized.message);
        await delay(delayMs, signal);
        if (signal.aborted) return;
      }
    }
  };

  const flush = async (): Promise<void> => {
    if (current.length === 0) return;
    const batch = current;
    current = [];
    currentBytes = 0;
    while (inFlight.size >= options.maxInFlight) {
      await raceAbort(Promise.race(inFlight), signal);
    }
    signal.throwIfAborted();
    const promise: Promise<void> = write(batch).finally(() => inFlight.delete(promise));
    inFlight.add(promise);
  };

  let queued = 0;
  const RESOLVED = Promise.resolve();

  return {
    add(item) {
      // Fast path: nothing queued ahead and the item does not fill the batch, so no await is needed.
      if (
        queued === 0 &&
        current.length + 1 < options.maxOperations &&
        currentBytes + item.bytes < options.maxBytes
      ) {
        current.push(item);
        currentBytes += item.bytes;
        return RESOLVED;
      }
      queued += 1;
      return serialized(async () => {
        if (
          current.length > 0 &&
          (current.length + 1 > options.maxOperations || currentBytes + item.bytes > options.maxBytes)
        ) {
          await flush();
        }
        current.push(item);
        currentBytes += item.bytes;
        if (current.length >= options.maxOperations || currentBytes >= options.maxBytes) await flush();
      }).finally(() => {
        queued -= 1;
      });
    },
    flushPending() {
      queued += 1;
      return serialized(flush).finally(() => {
        queued -= 1;
      });
    },
    drain() {
      queued += 1;
      return serialized(async () => {
        await flush();
        while (inFlight.size > 0) await raceAbort(Promise.all(inFlight), signal);
      }).finally(() => {
        queued -= 1;
      });
    },
    async settle(ms) {
      if (inFlight.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(inFlight),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, ms);
        }),
      ]);
      clearTimeout(timer);
    },
  };
}
