// createContentExtractor end to end: the generated corpus through the in-process worker pool, the bad
// files as warnings, the gate, the pipeline (`_attachment`) mode, per-connector limits and temp cleanup.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError } from '../src/errors/abort-error.js';
import {
  createContentExtractor,
  type ConfiguredContentExtractor,
} from '../src/extract/create-content-extractor.js';
import {
  buildBadCorpus,
  buildGoodCorpus,
  makePdf,
  type BadCorpusFile,
  type GoodCorpusFile,
} from './fixtures/extract/build-corpus.js';
import { contentOf } from './fixtures/extract/content-of.js';

let tempDir: string;
let extractor: ConfiguredContentExtractor;
let good: GoodCorpusFile[];
let bad: BadCorpusFile[];
const signal = (): AbortSignal => new AbortController().signal;
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

beforeAll(async () => {
  tempDir = await mkdtemp(join(tmpdir(), 'extract-it-'));
  extractor = createContentExtractor({ mode: 'in-process', tempDir, workers: 2, reduceWhitespace: false });
  [good, bad] = await Promise.all([buildGoodCorpus(), buildBadCorpus()]);
});

afterAll(async () => {
  await extractor.close();
  await rm(tempDir, { recursive: true, force: true });
});

describe('in-process extraction', () => {
  it('finds the known text of every format in the corpus, streamed in chunks', async () => {
    const results = await Promise.all(
      good.map(async (file) => ({
        file,
        result: await extractor.extract(contentOf(file.filename, file.data, { chunkSize: 4096 }), {
          signal: signal(),
        }),
      })),
    );
    for (const { file, result } of results) {
      expect(result.kind, file.filename).toBe('text');
      if (result.kind !== 'text') continue;
      for (const needle of file.expect) expect(result.body, file.filename).toContain(needle);
      for (const needle of file.reject ?? []) expect(result.body, file.filename).not.toContain(needle);
      expect(result.truncated).toBe(false);
    }
    const formats = new Set(good.map((file) => file.filename.slice(file.filename.lastIndexOf('.'))));
    for (const ext of [
      '.pdf',
      '.docx',
      '.xlsx',
      '.xlsm',
      '.pptx',
      '.odt',
      '.ods',
      '.odp',
      '.rtf',
      '.html',
      '.aspx',
      '.eml',
      '.msg',
      '.txt',
      '.csv',
      '.tsv',
      '.md',
      '.json',
      '.xml',
      '.svg',
      '.py',
      '.ts',
    ]) {
      expect(formats.has(ext), ext).toBe(true);
    }
  });

  it('turns corrupt, encrypted and empty files into failed results naming the file, never exceptions', async () => {
    for (const file of bad) {
      const result = await extractor.extract(contentOf(file.filename, file.data), { signal: signal() });
      expect(result.kind, `${file.problem} ${file.filename}`).toBe('failed');
      if (result.kind === 'failed') expect(result.reason).toContain(`"${file.filename}"`);
    }
    const encrypted = await extractor.extract(
      contentOf('secret.pdf', bad.find((f) => f.filename === 'secret.pdf')!.data),
      {
        signal: signal(),
      },
    );
    expect(encrypted.kind === 'failed' && encrypted.reason).toMatch(/password/i);
    const office = await extractor.extract(
      contentOf('secret.docx', bad.find((f) => f.filename === 'secret.docx')!.data),
      {
        signal: signal(),
      },
    );
    expect(office).toEqual({
      kind: 'failed',
      reason:
        'could not extract text from "secret.docx": the .docx file is password-protected (an encrypted Office package) or in a legacy binary format',
    });
  });

  it('refuses an oversized file with a warning, before downloading when its size is known and while streaming when not', async () => {
    const small = createContentExtractor({ mode: 'in-process', tempDir, workers: 1, maxFileSize: 1000 });
    try {
      let downloads = 0;
      const known = await small.extract(
        contentOf('big.txt', new Uint8Array(5000), { onDownload: () => (downloads += 1) }),
        { signal: signal() },
      );
      expect(known).toEqual({
        kind: 'failed',
        reason: '"big.txt" is 5000 bytes, over the 1000-byte extraction limit',
      });
      expect(downloads).toBe(0);
      const unknown = await small.extract(
        contentOf('big.txt', new Uint8Array(5000), { knownSize: false, chunkSize: 256 }),
        {
          signal: signal(),
        },
      );
      expect(unknown).toEqual({
        kind: 'failed',
        reason: '"big.txt" is over the 1000-byte extraction limit',
      });
    } finally {
      await small.close();
    }
  });

  it('skips files without extension or with an unsupported one without downloading them', async () => {
    let downloads = 0;
    const onDownload = (): void => void (downloads += 1);
    await expect(
      extractor.extract(contentOf('README', utf8('x'), { onDownload }), { signal: signal() }),
    ).resolves.toEqual({
      kind: 'skipped',
      reason: '"README" has no extension',
    });
    await expect(
      extractor.extract(contentOf('tool.exe', utf8('x'), { onDownload }), { signal: signal() }),
    ).resolves.toEqual({
      kind: 'skipped',
      reason: 'extension .exe of "tool.exe" is not supported',
    });
    expect(downloads).toBe(0);
  });

  it('applies per-connector limits: text cap with the truncated flag and whitespace reduction', async () => {
    const connector = extractor.withLimits({ maxTextLength: 12, reduceWhitespace: true });
    const result = await connector.extract(contentOf('long.txt', utf8('alpha   beta\n\ngamma delta')), {
      signal: signal(),
    });
    expect(result).toEqual({ kind: 'text', body: 'alpha beta g', truncated: true });
    const strict = extractor.withLimits({ maxFileSize: 3 });
    await expect(
      strict.extract(contentOf('long.txt', utf8('abcd')), { signal: signal() }),
    ).resolves.toMatchObject({
      kind: 'failed',
    });
    await connector.close();
    await expect(
      extractor.extract(contentOf('still.txt', utf8('open')), { signal: signal() }),
    ).resolves.toMatchObject({
      kind: 'text',
      body: 'open',
    });
  });

  it('reports a failing download as a failed result and keeps no temp file', async () => {
    const source = {
      filename: 'flaky.pdf',
      size: 10,
      async download(): Promise<AsyncIterable<Uint8Array>> {
        return (async function* broken() {
          yield utf8('%PDF');
          throw new Error('socket hang up');
        })();
      },
    };
    await expect(extractor.extract(source, { signal: signal() })).resolves.toEqual({
      kind: 'failed',
      reason: 'could not download "flaky.pdf": socket hang up',
    });
    const [dir] = await readdir(tempDir);
    expect(await readdir(join(tempDir, dir!))).toEqual([]);
  });

  it('throws an AbortError when cancelled during extraction', async () => {
    const controller = new AbortController();
    const pdf = await makePdf(['cancel me'], { pages: 40 });
    const pending = extractor.extract(contentOf('long.pdf', pdf), { signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    const error: unknown = await pending.catch((e: unknown) => e);
    expect(AbortError.isInstance(error)).toBe(true);
  });

  it('fails a file past the per-file time cap and keeps serving later files', async () => {
    const hasty = createContentExtractor({ mode: 'in-process', tempDir, workers: 1, perFileTimeoutMs: 1 });
    try {
      const result = await hasty.extract(contentOf('slow.pdf', await makePdf(['x'], { pages: 20 })), {
        signal: signal(),
      });
      expect(result).toEqual({
        kind: 'failed',
        reason: 'could not extract text from "slow.pdf": extraction timed out after 1 ms',
      });
    } finally {
      await hasty.close();
    }
  });
});

describe('pipeline mode', () => {
  it('hands the whole file as base64 in an attachment, for the Python list of extensions', async () => {
    const pipeline = createContentExtractor({ mode: 'pipeline', tempDir });
    try {
      const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
      const result = await pipeline.extract(contentOf('scan.vsdx', bytes, { chunkSize: 65_536 }), {
        signal: signal(),
      });
      expect(result).toEqual({ kind: 'attachment', attachment: Buffer.from(bytes).toString('base64') });
      await expect(
        pipeline.extract(contentOf('mail.eml', utf8('x')), { signal: signal() }),
      ).resolves.toMatchObject({
        kind: 'skipped',
      });
    } finally {
      await pipeline.close();
    }
  });
});

describe('none mode and closing', () => {
  it('skips everything when extraction is off', async () => {
    const off = createContentExtractor({ mode: 'none', tempDir });
    await expect(off.extract(contentOf('a.pdf', utf8('x')), { signal: signal() })).resolves.toEqual({
      kind: 'skipped',
      reason: 'content extraction is disabled',
    });
    await off.close();
  });

  it('removes its temp directory on close and refuses work afterwards', async () => {
    const root = await mkdtemp(join(tmpdir(), 'extract-close-'));
    const local = createContentExtractor({ mode: 'in-process', tempDir: root, workers: 1 });
    await local.extract(contentOf('a.txt', utf8('x')), { signal: signal() });
    expect(await readdir(root)).toHaveLength(1);
    await local.close();
    expect(await readdir(root)).toEqual([]);
    await expect(local.extract(contentOf('a.txt', utf8('x')), { signal: signal() })).rejects.toThrow(
      'closed',
    );
    await rm(root, { recursive: true, force: true });
  });
});
