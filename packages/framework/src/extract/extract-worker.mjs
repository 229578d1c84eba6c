// Worker-thread entry of the in-process extraction pool. Plain JavaScript so it runs unchanged from `src`
// (vitest) and from `dist` (tsup copies it as its own entry); it imports only npm libraries and its siblings.
import { readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { extractText } from './extract-formats.mjs';
import { normalizeText } from './normalize-text.mjs';

if (parentPort === null) throw new Error('extract-worker.mjs must run in a worker thread');
const port = parentPort;

// Lower this thread's scheduling priority (Linux: a thread is a task with its own nice value, and
// /proc/thread-self names its id) so that on a busy machine the main thread's heartbeats and I/O win
// the CPU over text extraction. Elsewhere this is a no-op.
const nice = typeof workerData?.nice === 'number' ? workerData.nice : 0;
if (nice > 0) {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, nice);
  } catch {
    // not Linux, or not permitted: keep the inherited priority
  }
}

/**
 * @typedef {{ id: number, path: string, ext: string, reduceWhitespace: boolean, maxTextLength: number, memoryMb: number }} Task
 */

// A single allocation far above the heap cap (a whole file decoded into one string) makes V8 abort the
// whole process rather than just this worker, so files that big for the cap are refused up front.
const BYTES_PER_FILE_BYTE = 4;

port.on('message', (/** @type {Task} */ task) => {
  void run(task);
});

/** @param {Task} task */
async function run(task) {
  try {
    const data = await readFile(task.path);
    if (data.length * BYTES_PER_FILE_BYTE > task.memoryMb * 1_048_576) {
      throw new Error(`a file of ${data.length} bytes is too large for the ${task.memoryMb} MiB memory cap`);
    }
    // Unpacked ZIP entries live in buffers outside the heap cap: allow them as much again as the heap.
    const text = await extractText(data, task.ext, 0, { maxUnpackedBytes: task.memoryMb * 1_048_576 });
    const { body, truncated } = normalizeText(text, task);
    port.postMessage({ id: task.id, ok: true, body, truncated });
  } catch (error) {
    port.postMessage({ id: task.id, ok: false, error: describe(error) });
  }
}

/** @param {unknown} error */
function describe(error) {
  const name = error instanceof Error && error.name && error.name !== 'Error' ? `${error.name}: ` : '';
  const message = error instanceof Error ? error.message : String(error);
  const line = (message.split('\n')[0] ?? '').trim() || 'unknown error';
  return (name + line).slice(0, 300);
}
