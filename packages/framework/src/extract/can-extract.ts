import { extname } from 'node:path';
import { PARSED_EXTENSIONS, PLAIN_TEXT_EXTENSIONS } from './extract-formats.mjs';

/** The Python service's default `service.max_file_download_size`: 10 MiB. */
export const DEFAULT_MAX_FILE_SIZE = 10_485_760;

/**
 * Extensions the Python service downloads for the ingest pipeline or the extraction service
 * (`can_file_be_downloaded`), lower-cased with their dot.
 */
export const ELASTIC_SUPPORTED_EXTENSIONS: ReadonlySet<string> = new Set([
  '.txt',
  '.py',
  '.rst',
  '.html',
  '.markdown',
  '.json',
  '.xml',
  '.csv',
  '.md',
  '.ppt',
  '.rtf',
  '.docx',
  '.odt',
  '.xls',
  '.xlsx',
  '.rb',
  '.paper',
  '.sh',
  '.pptx',
  '.pdf',
  '.doc',
  '.aspx',
  '.xlsb',
  '.xlsm',
  '.tsv',
  '.svg',
  '.msg',
  '.potx',
  '.vsd',
  '.vsdx',
  '.vsdm',
]);

/** Extensions the in-process extractor reads: documents, mail, markup, plain text and source code. */
export const IN_PROCESS_EXTENSIONS: ReadonlySet<string> = new Set([
  ...PARSED_EXTENSIONS,
  ...PLAIN_TEXT_EXTENSIONS,
]);

/** What the extraction gate checks a file against. */
export interface ExtractionLimits {
  /** Largest file in bytes that is downloaded; `0` or a negative value disables the size check. @default 10485760 */
  readonly maxFileSize: number;
  /** Lower-cased extensions (with their dot) that can be extracted. */
  readonly extensions: ReadonlySet<string>;
}

/** The gate's verdict: the lower-cased extension when the file may be downloaded, else why not. */
export type GateDecision =
  | { readonly ok: true; readonly extension: string }
  | {
      readonly ok: false;
      readonly reason: string;
      /** `too-large` refusals are warnings on the job; the others are routine. */
      readonly cause: 'no-extension' | 'unsupported-extension' | 'too-large';
    };

/** The lower-cased extension of a file name with its dot (`''` when there is none; `.bashrc` has none). */
export function fileExtension(filename: string): string {
  return extname(filename).toLowerCase();
}

/**
 * The extraction gate, one for all sources: the file needs an extension from the supported list and,
 * when its size is known, a size within the limit. Files without extension are skipped.
 */
export function canExtract(
  file: { readonly filename: string; readonly size?: number },
  limits: ExtractionLimits,
): GateDecision {
  const extension = fileExtension(file.filename);
  if (extension === '')
    return { ok: false, reason: `"${file.filename}" has no extension`, cause: 'no-extension' };
  if (!limits.extensions.has(extension)) {
    return {
      ok: false,
      reason: `extension ${extension} of "${file.filename}" is not supported`,
      cause: 'unsupported-extension',
    };
  }
  if (file.size !== undefined && limits.maxFileSize > 0 && file.size > limits.maxFileSize) {
    return {
      ok: false,
      reason: `"${file.filename}" is ${file.size} bytes, over the ${limits.maxFileSize}-byte extraction limit`,
      cause: 'too-large',
    };
  }
  return { ok: true, extension };
}
