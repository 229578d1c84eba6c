import { getEventListeners } from 'node:events';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePdf } from '../../test/fixtures/extract/build-corpus.js';
import { AbortError } from '../errors/abort-error.js';
import { createExtractionWorkerPool, resolveWorkerUrl } from './extraction-worker-pool.js';

let dir: string;
let pdfPath: string;
let textPath: string;
let bigHtmlPath: string;
let hugeTextPath: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pool-test-'));
  pdfPath = join(dir, 'a.pdf');
  textPath = join(dir, 'a.txt');
  bigHtmlPath = join(dir, 'big.html');
  hugeTextPath = join(dir, 'huge.txt');
  await writeFile(hugeTextPath, Buffer.alloc(40_000_000, 0x61));
  await writeFile(pdfPath, await makePdf(['pool sentinel']));
  await writeFile(textPath, 'plain   text\n\nhere');
  await writeFile(bigHtmlPath, `<html><body>${'<p><b>w</b></p>'.repeat(300_000)}</body></html>`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const task = (path: string, extension: string) => ({
  path,
  extension,
  reduceWhitespace: true,
  maxTextLength: 1000,
});

describe('createExtractionWorkerPool', () => {
  it('is sized to the machine by default', async () => {
    const pool = createExtractionWorkerPool();
    expect(pool.size).toBe(availableParallelism());
    expect(pool.liveWorkers).toBe(0);
    await pool.close();
  });

  it('finds its worker entry beside the module', () => {
    expect(resolveWorkerUrl().pathname.endsWith('/src/extract/extract-worker.mjs')).toBe(true);
  });

  it('extracts and normalises text in a worker thread', async () => {
    const pool = createExtractionWorkerPool({ size: 2 });
    try {
      const signal = new AbortController().signal;
      const [pdf, text] = await Promise.all([
        pool.run(task(pdfPath, '.pdf'), signal),
        pool.run(task(textPath, '.txt'), signal),
      ]);
      expect(pdf).toEqual({ ok: true, body: 'pool sentinel', truncated: false });
      expect(text).toEqual({ ok: true, body: 'plain text here', truncated: false });
    } finally {
      await pool.close();
    }
  });

  it('leaves no abort listener behind on a signal shared by many files', async () => {
    const pool = createExtractionWorkerPool({ size: 2 });
    try {
      const signal = new AbortController().signal;
      await Promise.all(Array.from({ length: 20 }, () => pool.run(task(textPath, '.txt'), signal)));
      expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    } finally {
      await pool.close();
    }
  });

  it.runIf(process.platform === 'linux')(
    'runs its worker threads at a lower priority (nice 10) than the main thread',
    async () => {
      const niceOf = (task: string): number => {
        const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      };
      const before = new Set(readdirSync('/proc/self/task'));
      const pool = createExtractionWorkerPool({ size: 1 });
      try {
        await pool.run(task(textPath, '.txt'), new AbortController().signal);
        const niceValues = readdirSync('/proc/self/task')
          .filter((id) => !before.has(id))
          .map(niceOf);
        expect(niceValues).toContain(10);
        expect(niceOf(String(process.pid))).toBe(0);
      } finally {
        await pool.close();
      }
    },
  );

  it('fails a file past its time cap, terminates the worker and serves the next file with a new one', async () => {
    const pool = createExtractionWorkerPool({ size: 1 });
    try {
      const signal = new AbortController().signal;
      const slow = await pool.run({ ...task(pdfPath, '.pdf'), timeoutMs: 5 }, signal);
      expect(slow).toEqual({ ok: false, reason: 'extraction timed out after 5 ms' });
      await expect(pool.run(task(textPath, '.txt'), signal)).resolves.toEqual({
        ok: true,
        body: 'plain text here',
        truncated: false,
      });
    } finally {
      await pool.close();
    }
  });

  it('fails a file that exceeds the memory cap and recovers', async () => {
    // Many small allocations (a DOM of 600k nodes): a single allocation far above the cap would make V8
    // abort the whole process instead of the worker, which is why the pool enforces a floor on the cap.
    const pool = createExtractionWorkerPool({ size: 1, perFileMemoryMb: 32 });
    try {
      const signal = new AbortController().signal;
      const outcome = await pool.run(task(bigHtmlPath, '.html'), signal);
      expect(outcome).toEqual({ ok: false, reason: 'extraction ran out of its 32 MiB memory cap' });
      await expect(pool.run(task(textPath, '.txt'), signal)).resolves.toMatchObject({ ok: true });
    } finally {
      await pool.close();
    }
  });

  it('refuses a file too large for the memory cap up front instead of letting V8 abort the process', async () => {
    const pool = createExtractionWorkerPool({ size: 1, perFileMemoryMb: 32 });
    try {
      const outcome = await pool.run(task(hugeTextPath, '.txt'), new AbortController().signal);
      expect(outcome).toEqual({
        ok: false,
        reason: 'a file of 40000000 bytes is too large for the 32 MiB memory cap',
      });
    } finally {
      await pool.close();
    }
  });

  it('rejects with an AbortError when the signal aborts mid-extraction or while queued', async () => {
    const pool = createExtractionWorkerPool({ size: 1 });
    try {
      const controller = new AbortController();
      const running = pool.run(task(pdfPath, '.pdf'), controller.signal);
      const queued = pool.run(task(textPath, '.txt'), controller.signal);
      controller.abort();
      const errors = await Promise.all([running.catch((e: unknown) => e), queued.catch((e: unknown) => e)]);
      expect(errors.map((e) => AbortError.isInstance(e))).toEqual([true, true]);
      await expect(pool.run(task(textPath, '.txt'), new AbortController().signal)).resolves.toMatchObject({
        ok: true,
      });
    } finally {
      await pool.close();
    }
  });

  it('stops a worker that stayed idle past the idle timeout and starts a new one on demand', async () => {
    const pool = createExtractionWorkerPool({ size: 1, idleTimeoutMs: 50 });
    try {
      const signal = new AbortController().signal;
      await pool.run(task(textPath, '.txt'), signal);
      expect(pool.liveWorkers).toBe(1);
      const deadline = Date.now() + 5000;
      while (pool.liveWorkers > 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 25));
      expect(pool.liveWorkers).toBe(0);
      await expect(pool.run(task(textPath, '.txt'), signal)).resolves.toMatchObject({
        ok: true,
        body: 'plain text here',
      });
    } finally {
      await pool.close();
    }
  });

  it('reports a parser error as a failed outcome', async () => {
    const pool = createExtractionWorkerPool({ size: 1 });
    try {
      const outcome = await pool.run(task(textPath, '.pdf'), new AbortController().signal);
      expect(outcome.ok).toBe(false);
    } finally {
      await pool.close();
    }
  });
});
