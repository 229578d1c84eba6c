import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_FILE_SIZE,
  ELASTIC_SUPPORTED_EXTENSIONS,
  IN_PROCESS_EXTENSIONS,
  canExtract,
  fileExtension,
} from './can-extract.js';

const limits = { maxFileSize: DEFAULT_MAX_FILE_SIZE, extensions: ELASTIC_SUPPORTED_EXTENSIONS };

describe('canExtract', () => {
  it('accepts a supported extension regardless of case and returns it lower-cased', () => {
    expect(canExtract({ filename: 'Report.PDF', size: 10 }, limits)).toEqual({ ok: true, extension: '.pdf' });
  });

  it('skips files without extension, including dot-files', () => {
    expect(canExtract({ filename: 'Makefile' }, limits)).toEqual({
      ok: false,
      reason: '"Makefile" has no extension',
      cause: 'no-extension',
    });
    expect(canExtract({ filename: '.bashrc' }, limits).ok).toBe(false);
  });

  it('skips unsupported extensions and names them', () => {
    expect(canExtract({ filename: 'setup.exe', size: 1 }, limits)).toEqual({
      ok: false,
      reason: 'extension .exe of "setup.exe" is not supported',
      cause: 'unsupported-extension',
    });
  });

  it('accepts a file exactly at the 10 MiB default and refuses one byte more', () => {
    expect(canExtract({ filename: 'a.pdf', size: 10_485_760 }, limits).ok).toBe(true);
    expect(canExtract({ filename: 'a.pdf', size: 10_485_761 }, limits)).toEqual({
      ok: false,
      reason: '"a.pdf" is 10485761 bytes, over the 10485760-byte extraction limit',
      cause: 'too-large',
    });
  });

  it('lets an unknown size through (checked while streaming) and disables the size check at 0', () => {
    expect(canExtract({ filename: 'a.pdf' }, limits).ok).toBe(true);
    expect(canExtract({ filename: 'a.pdf', size: 1e12 }, { ...limits, maxFileSize: 0 }).ok).toBe(true);
  });

  it('has the Python list for the pipeline and service modes and our formats in-process', () => {
    expect(ELASTIC_SUPPORTED_EXTENSIONS.size).toBe(31);
    for (const ext of ['.vsdx', '.paper', '.potx', '.xlsb'])
      expect(ELASTIC_SUPPORTED_EXTENSIONS.has(ext)).toBe(true);
    for (const ext of ['.eml', '.msg', '.odp', '.ods', '.ts', '.svg'])
      expect(IN_PROCESS_EXTENSIONS.has(ext)).toBe(true);
    expect(IN_PROCESS_EXTENSIONS.has('.doc')).toBe(false);
  });

  it('reads the extension of the last path segment only', () => {
    expect(fileExtension('dir.v2/readme')).toBe('');
    expect(fileExtension('archive.tar.GZ')).toBe('.gz');
  });
});
