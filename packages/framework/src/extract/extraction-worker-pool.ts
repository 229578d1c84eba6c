import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { findWorkerEntry, startWorker } from '../worker/start-worker.js';
import { AbortError } from '../errors/abort-error.js';

/** Options of {@link createExtractionWorkerPool}. */
export interface ExtractionWorkerPoolOptions {
  /** Worker threads. @default os.availableParallelism() */
  readonly size?: number;
  /** A file still extracting after this many milliseconds fails and its worker is terminated. @default 30000 */
  readonly perFileTimeoutMs?: number;
  /**
   * Heap cap of each worker in MiB (`resourceLimits.maxOldGenerationSizeMb`, at least 32); past it the file fails.
   * Keep it well above 4x the largest file: V8 aborts the whole process, not the worker, when one single
   * allocation (such as a whole file decoded into a string) is far larger than the cap. @default 512
   */
  readonly perFileMemoryMb?: number;
  /** The worker entry; found next to this module (src) or in the build output (dist) when omitted. */
  readonly workerUrl?: URL;
  /**
   * Nice value of the worker threads on Linux (0-19): extraction yields the CPU to the main thread's
   * heartbeats and I/O on a busy machine. `0` keeps the process's priority. @default 10
   */
  readonly workerNice?: number;
  /** A worker idle this long is stopped (its parsers' memory returns to the system); `0` keeps workers. @default 60000 */
  readonly idleTimeoutMs?: number;
}

/** One file for a worker: a path in the temp area and the normalisation settings. */
export interface ExtractionTask {
  readonly path: string;
  /** Lower-cased extension with its dot. */
  readonly extension: string;
  readonly reduceWhitespace: boolean;
  readonly maxTextLength: number;
  /** Overrides the pool's per-file time cap for this file. */
  readonly timeoutMs?: number;
}

/** What a worker made of a file. */
export type ExtractionOutcome =
  | { readonly ok: true; readonly body: string; readonly truncated: boolean }
  | { readonly ok: false; readonly reason: string };

/** A pool of extraction worker threads; a large PDF never blocks the main thread's event loop. */
export interface ExtractionWorkerPool {
  /** Number of worker threads. */
  readonly size: number;
  /** Worker threads currently running (idle ones stop after `idleTimeoutMs`). */
  readonly liveWorkers: number;
  /** Extracts one file; per-file failures, timeouts and out-of-memory come back as `{ ok: false }`. */
  run(task: ExtractionTask, signal: AbortSignal): Promise<ExtractionOutcome>;
  /** Terminates every worker; queued tasks fail with an AbortError. */
  close(): Promise<void>;
}

interface Job {
  readonly id: number;
  readonly task: ExtractionTask;
  readonly signal: AbortSignal;
  readonly resolve: (outcome: ExtractionOutcome) => void;
  readonly reject: (error: unknown) => void;
}

interface Slot {
  worker: Worker | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  job: Job | undefined;
  finish: ((outcome: ExtractionOutcome | AbortError) => void) | undefined;
}

interface WorkerReply {
  readonly id: number;
  readonly ok: boolean;
  readonly body?: string;
  readonly truncated?: boolean;
  readonly error?: string;
}

/** Finds the worker entry: `extract-worker.mjs` beside this module in `src`, `extract-worker.js` in `dist`. */
export function resolveWorkerUrl(): URL {
  const url = findWorkerEntry(import.meta.url, [
    './extract-worker.mjs',
    './extract-worker.js',
    './extract/extract-worker.mjs',
    '../extract-worker.js',
    // A build that did not emit the worker entry, inside the workspace: use the source file.
    '../src/extract/extract-worker.mjs',
  ]);
  if (url) return url;
  throw new Error(
    `extraction worker entry not found next to ${fileURLToPath(import.meta.url)} (looked for extract-worker.mjs and extract-worker.js)`,
  );
}

/** Creates the worker pool of in-process extraction. */
export function createExtractionWorkerPool(options: ExtractionWorkerPoolOptions = {}): ExtractionWorkerPool {
  const size = Math.max(1, Math.floor(options.size ?? availableParallelism()));
  const timeoutMs = options.perFileTimeoutMs ?? 30_000;
  const memoryMb = Math.max(32, options.perFileMemoryMb ?? 512);
  const workerUrl = options.workerUrl ?? resolveWorkerUrl();
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const nice = Math.min(19, Math.max(0, Math.floor(options.workerNice ?? 10)));
  const slots: Slot[] = Array.from({ length: size }, () => ({
    worker: undefined,
    idleTimer: undefined,
    job: undefined,
    finish: undefined,
  }));
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;

  function spawn(slot: Slot): Worker {
    const worker = startWorker(workerUrl, {
      resourceLimits: {
        maxOldGenerationSizeMb: memoryMb,
        maxYoungGenerationSizeMb: Math.min(64, Math.max(4, memoryMb / 8)),
      },
      stdout: true,
      stderr: true,
      workerData: { nice },
    });
    // Libraries print warnings; a library must not write to the host's console.
    worker.stdout.resume();
    worker.stderr.resume();
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      if (slot.worker !== worker || slot.job?.id !== reply.id) return;
      slot.finish?.(
        reply.ok
          ? { ok: true, body: reply.body ?? '', truncated: reply.truncated ?? false }
          : { ok: false, reason: reply.error ?? 'extraction failed' },
      );
    });
    worker.on('error', (error: Error & { code?: string }) => {
      if (slot.worker !== worker) return;
      slot.worker = undefined;
      const reason =
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `extraction ran out of its ${memoryMb} MiB memory cap`
          : `extraction worker crashed: ${error.message.split('\n')[0] ?? ''}`;
      slot.finish?.({ ok: false, reason });
    });
    worker.on('exit', (code) => {
      if (slot.worker !== worker) return;
      slot.worker = undefined;
      slot.finish?.({ ok: false, reason: `extraction worker exited with code ${code}` });
    });
    return worker;
  }

  function discard(slot: Slot): void {
    const worker = slot.worker;
    slot.worker = undefined;
    if (worker) void worker.terminate().catch(() => undefined);
  }

  function start(slot: Slot, job: Job): void {
    clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
    const worker = slot.worker ?? spawn(slot);
    slot.worker = worker;
    slot.job = job;
    const limit = job.task.timeoutMs ?? timeoutMs;
    const timer = setTimeout(() => {
      discard(slot);
      finish({ ok: false, reason: `extraction timed out after ${limit} ms` });
    }, limit);
    const onAbort = (): void => {
      discard(slot);
      finish(new AbortError('Text extraction was aborted', { cause: job.signal.reason }));
    };
    job.signal.addEventListener('abort', onAbort, { once: true });
    function finish(outcome: ExtractionOutcome | AbortError): void {
      if (slot.job !== job) return;
      clearTimeout(timer);
      job.signal.removeEventListener('abort', onAbort);
      slot.job = undefined;
      slot.finish = undefined;
      if (outcome instanceof AbortError) job.reject(outcome);
      else job.resolve(outcome);
      pump();
      if (slot.job === undefined && slot.worker !== undefined && idleTimeoutMs > 0 && !closed) {
        slot.idleTimer = setTimeout(() => {
          slot.idleTimer = undefined;
          if (slot.job === undefined) discard(slot);
        }, idleTimeoutMs);
        slot.idleTimer.unref();
      }
    }
    slot.finish = finish;
    worker.postMessage({
      id: job.id,
      path: job.task.path,
      ext: job.task.extension,
      reduceWhitespace: job.task.reduceWhitespace,
      maxTextLength: job.task.maxTextLength,
      memoryMb,
    });
  }

  function pump(): void {
    for (const slot of slots) {
      if (queue.length === 0) return;
      if (slot.job !== undefined) continue;
      const job = queue.shift();
      if (job) start(slot, job);
    }
  }

  return {
    size,
    get liveWorkers() {
      return slots.filter((slot) => slot.worker !== undefined).length;
    },
    run(task, signal) {
      if (closed) return Promise.reject(new AbortError('The extraction worker pool is closed'));
      if (signal.aborted)
        return Promise.reject(new AbortError('Text extraction was aborted', { cause: signal.reason }));
      return new Promise<ExtractionOutcome>((resolve, reject) => {
        const onQueuedAbort = (): void => {
          const index = queue.indexOf(job);
          if (index >= 0) {
            queue.splice(index, 1);
            job.reject(new AbortError('Text extraction was aborted', { cause: signal.reason }));
          }
        };
        const job: Job = {
          id: nextId++,
          task,
          signal,
          resolve: (outcome) => {
            signal.removeEventListener('abort', onQueuedAbort);
            resolve(outcome);
          },
          reject: (error) => {
            signal.removeEventListener('abort', onQueuedAbort);
            reject(error);
          },
        };
        signal.addEventListener('abort', onQueuedAbort, { once: true });
        queue.push(job);
        pump();
      });
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new AbortError('The extraction worker pool is closed'));
      const terminations: Promise<number>[] = [];
      for (const slot of slots) {
        clearTimeout(slot.idleTimer);
        slot.finish?.(new AbortError('The extraction worker pool is closed'));
        const worker = slot.worker;
        slot.worker = undefined;
        if (worker) terminations.push(worker.terminate());
      }
      await Promise.all(terminations);
    },
  };
}
