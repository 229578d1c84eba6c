import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { workerExecArgv } from './worker-exec-argv.js';

/**
 * The first of `candidates` (paths relative to `base`, usually the calling module's `import.meta.url`) that
 * exists: worker entries sit beside their module as `.mjs` in `src` and as `.js` in `dist`, and bundles may
 * move them.
 */
export function findWorkerEntry(base: string | URL, candidates: readonly string[]): URL | undefined {
  for (const candidate of candidates) {
    const url = new URL(candidate, base);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

/**
 * Starts a worker thread with this process's Node options, minus those only `--eval` input accepts (see
 * {@link workerExecArgv}). When Node refuses the options for a thread (ERR_WORKER_INVALID_EXEC_ARGV), it
 * starts the worker without them.
 */
export function startWorker(url: URL, options: Omit<WorkerOptions, 'execArgv'> = {}): Worker {
  const execArgv = workerExecArgv();
  try {
    return new Worker(url, execArgv ? { ...options, execArgv } : options);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
    return new Worker(url, { ...options, execArgv: [] });
  }
}
