import { describe, expect, it } from 'vitest';
import {
  buildBadCorpus,
  buildGoodCorpus,
  makeDocx,
  makeZipBombDocx,
} from '../../test/fixtures/extract/build-corpus.js';
import { decodeText, extractText } from './extract-formats.mjs';

const extOf = (filename: string): string => filename.slice(filename.lastIndexOf('.')).toLowerCase();

describe('extractText', async () => {
  const good = await buildGoodCorpus();
  const bad = await buildBadCorpus();

  it.each(good.map((file) => [file.filename, file] as const))(
    'finds the known text in %s',
    async (_name, file) => {
      const text = await extractText(Buffer.from(file.data), extOf(file.filename));
      for (const needle of file.expect) expect(text).toContain(needle);
      for (const needle of file.reject ?? []) expect(text).not.toContain(needle);
    },
  );

  it.each(bad.map((file) => [file.filename, file] as const))(
    'rejects %s with an error',
    async (_name, file) => {
      await expect(extractText(Buffer.from(file.data), extOf(file.filename))).rejects.toThrow();
    },
  );

  it('refuses a ZIP package declaring more unpacked bytes than allowed, before inflating it', async () => {
    const bomb = await makeZipBombDocx(20_000_000);
    expect(bomb.length).toBeLessThan(100_000);
    await expect(
      extractText(Buffer.from(bomb), '.docx', 0, { maxUnpackedBytes: 10_000_000 }),
    ).rejects.toThrow(/^the package unpacks to \d+ bytes, over the 10000000-byte limit$/);
    const normal = await makeDocx(['small enough']);
    await expect(
      extractText(Buffer.from(normal), '.docx', 0, { maxUnpackedBytes: 10_000_000 }),
    ).resolves.toContain('small enough');
  });

  it('returns empty text for an empty plain-text file', async () => {
    await expect(extractText(Buffer.alloc(0), '.txt')).resolves.toBe('');
  });

  it('rejects an extension it has no parser for', async () => {
    await expect(extractText(Buffer.from('x'), '.exe')).rejects.toThrow('unsupported extension .exe');
  });

  it('decodes UTF-16 big-endian text with a byte-order mark', () => {
    expect(decodeText(new Uint8Array([0xfe, 0xff, 0x00, 0x68, 0x00, 0x69]))).toBe('hi');
  });
});
