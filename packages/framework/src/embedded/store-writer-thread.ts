import type { Worker } from 'node:worker_threads';
import type { PreparedBatch } from './store-batch.mjs';
import { findWorkerEntry, startWorker } from '../worker/start-worker.js';
import type { StoreSynchronous } from './open-sqlite-database.js';

/** How the writer thread opens the store file. */
export interface StoreWriterThreadOptions {
  readonly path: string;
  readonly busyTimeoutMs: number;
  readonly synchronous: StoreSynchronous;
}

/** Finds the worker entry: `store-writer-worker.mjs` beside this module in `src`, `.js` in `dist`. */
export function resolveStoreWriterUrl(): URL | undefined {
  return findWorkerEntry(import.meta.url, [
    './store-writer-worker.mjs',
    './store-writer-worker.js',
    '../store-writer-worker.js',
  ]);
}

/**
 * The writer thread itself failed (it could not start, crashed or was stopped): the batches it held were
 * not committed. Not an SQLite error, which comes back as the error SQLite raised.
 */
export class WriterThreadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WriterThreadError';
  }
}

interface Pending {
  readonly resolve: (outcome: { indexed: number; deleted: number }) => void;
  readonly reject: (error: Error) => void;
}

interface WorkerAnswer {
  readonly seq: number;
  readonly ok: boolean;
  readonly indexed?: number;
  readonly deleted?: number;
  readonly error?: {
    readonly message: string;
    readonly name: string;
    readonly code?: string;
    readonly errcode?: number;
    readonly errstr?: string;
  };
}

/** The SQLite error the worker described, rebuilt with the codes the store's error mapping reads. */
function rebuildError(described: NonNullable<WorkerAnswer['error']>): Error {
  const error = new Error(described.message) as Error & Record<string, unknown>;
  error.name = described.name;
  if (described.code !== undefined) error['code'] = described.code;
  if (described.errcode !== undefined) error['errcode'] = described.errcode;
  if (described.errstr !== undefined) error['errstr'] = described.errstr;
  return error;
}

/**
 * A worker thread that applies prepared document batches on its own connection to the store file, in the
 * order they are given. Started on the first batch; it holds the process open only while batches are in
 * flight. A crashed thread fails the batches it held (their transactions rolled back) and is restarted
 * by the next batch.
 */
export class StoreWriterThread {
  readonly #options: StoreWriterThreadOptions;
  readonly #url: URL;
  readonly #pending = new Map<number, Pending>();
  #worker: Worker | undefined;
  #seq = 0;
  #idle: Promise<void> = Promise.resolve();
  #markIdle: (() => void) | undefined;

  constructor(options: StoreWriterThreadOptions, url: URL) {
    this.#options = options;
    this.#url = url;
  }

  /** Applies `batch` in one transaction on the writer thread; resolves after commit. */
  apply(batch: PreparedBatch): Promise<{ indexed: number; deleted: number }> {
    const worker = this.#start();
    const seq = (this.#seq += 1);
    if (this.#pending.size === 0) {
      worker.ref();
      this.#idle = new Promise((resolve) => (this.#markIdle = resolve));
    }
    return new Promise((resolve, reject) => {
      this.#pending.set(seq, { resolve, reject });
      worker.postMessage({ seq, batch });
    });
  }

  /** Resolves once every batch given so far has been answered. */
  drained(): Promise<void> {
    return this.#idle;
  }

  /** Waits for the batches in flight, then stops the thread (its connection closed). Idempotent. */
  async close(): Promise<void> {
    await this.#idle;
    const worker = this.#worker;
    this.#worker = undefined;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ close: true });
    const timer = setTimeout(() => void worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
  }

  #settle(seq: number): Pending | undefined {
    const pending = this.#pending.get(seq);
    this.#pending.delete(seq);
    if (this.#pending.size === 0) {
      this.#worker?.unref();
      this.#markIdle?.();
    }
    return pending;
  }

  #failAll(error: Error): void {
    const all = [...this.#pending.keys()];
    for (const seq of all) this.#settle(seq)?.reject(error);
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const workerData = {
      path: this.#options.path,
      busyTimeoutMs: this.#options.busyTimeoutMs,
      synchronous: this.#options.synchronous,
    };
    let worker: Worker;
    try {
      worker = startWorker(this.#url, { workerData });
    } catch (error) {
      throw new WriterThreadError(
        `the store writer thread could not start: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    worker.on('message', (answer: WorkerAnswer) => {
      const pending = this.#settle(answer.seq);
      if (!pending) return;
      if (answer.ok) pending.resolve({ indexed: answer.indexed ?? 0, deleted: answer.deleted ?? 0 });
      else pending.reject(rebuildError(answer.error ?? { message: 'unknown error', name: 'Error' }));
    });
    worker.on('error', (error) =>
      this.#failAll(
        new WriterThreadError(`the store writer thread failed: ${error.message}`, { cause: error }),
      ),
    );
    worker.on('exit', (code) => {
      if (this.#worker === worker) this.#worker = undefined;
      this.#failAll(new WriterThreadError(`the store writer thread stopped (exit code ${code})`));
    });
    worker.unref();
    this.#worker = worker;
    return worker;
  }
}
