import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findWorkerEntry, startWorker } from './start-worker.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'start-worker-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('findWorkerEntry and startWorker', () => {
  it('finds the first candidate that exists, relative to the base', () => {
    writeFileSync(join(dir, 'b.js'), '');
    writeFileSync(join(dir, 'c.js'), '');
    const base = pathToFileURL(join(dir, 'module.js'));
    expect(findWorkerEntry(base, ['./a.mjs', './b.js', './c.js'])?.pathname).toBe(
      pathToFileURL(join(dir, 'b.js')).pathname,
    );
    expect(findWorkerEntry(base, ['./missing.js'])).toBeUndefined();
  });

  it('starts a worker with its data, which answers', async () => {
    const entry = join(dir, 'echo.mjs');
    writeFileSync(
      entry,
      "import { parentPort, workerData } from 'node:worker_threads';\nparentPort.postMessage(workerData * 2);\n",
    );
    const worker = startWorker(pathToFileURL(entry), { workerData: 21 });
    try {
      const answer = await new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(answer).toBe(42);
    } finally {
      await worker.terminate();
    }
  });
});
