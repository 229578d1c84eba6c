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

  it('reads text that is not valid UTF-8 as Windows-1252 (Excel-style CSV)', async () => {
    const csv = Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0x63, 0x61, 0x66, 0xe9, 0x20, 0x80]); // "name\ncafé €"
    await expect(extractText(csv, '.csv')).resolves.toBe('name\ncafé €');
  });

  it('honours the charset an HTML page or XML file declares', async () => {
    const html = Buffer.concat([
      Buffer.from(
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15"></head><body><p>',
      ),
      Buffer.from([0xa4, 0x20, 0x63, 0x61, 0x66, 0xe9]), // "€ café" in Latin-9
      Buffer.from('</p></body></html>'),
    ]);
    await expect(extractText(html, '.html')).resolves.toBe('€ café');
    const xml = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="windows-1252"?><a>'),
      Buffer.from([0x93, 0x71, 0x94]),
      Buffer.from('</a>'),
    ]);
    await expect(extractText(xml, '.xml')).resolves.toBe('\u201cq\u201d');
  });

  it('strips a UTF-8 byte-order mark', () => {
    expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69]))).toBe('hi');
  });

  it('decodes UTF-16 big-endian text with a byte-order mark', () => {
    expect(decodeText(new Uint8Array([0xfe, 0xff, 0x00, 0x68, 0x00, 0x69]))).toBe('hi');
  });
});
