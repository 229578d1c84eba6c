// Worker-thread entry of the in-process extraction pool. Plain JavaScript so it runs unchanged from `src`
// (vitest) and from `dist` (tsup copies it as its own entry); it imports only npm libraries and its siblings.
import { readFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { extractText } from './extract-formats.mjs';
import { normalizeText } from './normalize-text.mjs';

if (parentPort === null) throw new Error('extract-worker.mjs must run in a worker thread');
const port = parentPort;

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
