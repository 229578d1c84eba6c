import { mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contentOf } from '../../test/fixtures/extract/content-of.js';
import { AbortError } from '../errors/abort-error.js';
import { TooLargeError, createTempArea, removeStaleTempDirs } from './temp-area.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'temp-area-test-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('createTempArea', () => {
  it('streams a chunked download into one file of its own directory and removes the directory on close', async () => {
    const area = await createTempArea(root);
    const data = new Uint8Array(200_000).map((_, i) => i % 251);
    const file = await area.download(contentOf('a b/c.pdf', data, { chunkSize: 65_536 }), {
      signal: new AbortController().signal,
      maxBytes: 0,
    });
    expect(file.size).toBe(200_000);
    expect(file.path.startsWith(area.dir)).toBe(true);
    expect(new Uint8Array(await readFile(file.path))).toEqual(data);
    await area.remove(file.path);
    expect(await readdir(area.dir)).toEqual([]);
    await area.close();
    expect(await readdir(root)).toEqual([]);
  });

  it('writes a body handed over whole, and refuses one over the limit', async () => {
    const area = await createTempArea(root);
    const signal = new AbortController().signal;
    const file = await area.download(contentOf('a.txt', new Uint8Array([1, 2, 3])), { signal, maxBytes: 3 });
    expect([...(await readFile(file.path))]).toEqual([1, 2, 3]);
    await expect(
      area.download(contentOf('b.txt', new Uint8Array(4), { knownSize: false }), { signal, maxBytes: 3 }),
    ).rejects.toBeInstanceOf(TooLargeError);
    expect(await readdir(area.dir)).toHaveLength(1);
    await area.close();
  });

  it('stops a download past the limit and leaves no partial file', async () => {
    const area = await createTempArea(root);
    const download = area.download(
      contentOf('big.txt', new Uint8Array(100_000), { chunkSize: 10_000, knownSize: false }),
      {
        signal: new AbortController().signal,
        maxBytes: 50_000,
      },
    );
    await expect(download).rejects.toBeInstanceOf(TooLargeError);
    expect(await readdir(area.dir)).toEqual([]);
    await area.close();
  });

  it('turns an aborted download into an AbortError and leaves no partial file', async () => {
    const area = await createTempArea(root);
    const controller = new AbortController();
    const source = {
      filename: 'slow.txt',
      async download() {
        return (async function* chunks() {
          yield new Uint8Array(10);
          controller.abort();
          yield new Uint8Array(10);
        })();
      },
    };
    const error: unknown = await area
      .download(source, { signal: controller.signal, maxBytes: 0 })
      .catch((e: unknown) => e);
    expect(AbortError.isInstance(error)).toBe(true);
    expect(await readdir(area.dir)).toEqual([]);
    await area.close();
  });

  it('removes a failed download and reports the source error', async () => {
    const area = await createTempArea(root);
    const source = {
      filename: 'broken.txt',
      async download() {
        return (async function* chunks() {
          yield new Uint8Array(10);
          throw new Error('connection reset');
        })();
      },
    };
    await expect(
      area.download(source, { signal: new AbortController().signal, maxBytes: 0 }),
    ).rejects.toThrow('connection reset');
    expect(await readdir(area.dir)).toEqual([]);
    await area.close();
  });
});

describe('removeStaleTempDirs', () => {
  async function makeStaleDirs(): Promise<{ dead: string; earlierSelf: string; otherLive: string }> {
    const dead = join(root, 'connectors-extract-999999999-0123abcd');
    const earlierSelf = join(root, `connectors-extract-${process.pid}-89abcdef`);
    const otherLive = join(root, `connectors-extract-${process.ppid}-deadbeef`);
    for (const dir of [dead, earlierSelf, otherLive, join(root, 'something-else')]) await mkdir(dir);
    await writeFile(join(dead, 'leftover.pdf'), 'x');
    const longAgo = new Date(Date.now() - 3_600_000 * 24);
    await utimes(earlierSelf, longAgo, longAgo);
    return { dead, earlierSelf, otherLive };
  }

  it('removes directories of dead processes and of an earlier process with this pid, keeping live ones', async () => {
    const live = await createTempArea(root);
    const { dead, earlierSelf, otherLive } = await makeStaleDirs();

    const removed = await removeStaleTempDirs(root);

    expect(removed.sort()).toEqual([dead, earlierSelf].sort());
    expect((await readdir(root)).map((name) => join(root, name)).sort()).toEqual(
      [join(root, 'something-else'), otherLive, live.dir].sort(),
    );
    await live.close();
  });

  it('runs when a temp area is created (the crash-on-next-start path)', async () => {
    const { otherLive } = await makeStaleDirs();
    const area = await createTempArea(root);
    expect((await readdir(root)).map((name) => join(root, name)).sort()).toEqual(
      [join(root, 'something-else'), otherLive, area.dir].sort(),
    );
    await area.close();
  });
});
