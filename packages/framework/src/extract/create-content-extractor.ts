import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContentSource } from '../document/document.js';
import { AbortError, throwIfAborted } from '../errors/abort-error.js';
import { ConfigError } from '../errors/config-error.js';
import { noopLogger, type Logger } from '../logging/logger.js';
import {
  DEFAULT_MAX_FILE_SIZE,
  ELASTIC_SUPPORTED_EXTENSIONS,
  IN_PROCESS_EXTENSIONS,
  canExtract,
} from './can-extract.js';
import type { ExtractionMode } from './choose-extraction-mode.js';
import type { ContentExtractor, ExtractionResult } from './content-extractor.js';
import {
  createExtractionServiceClient,
  type ExtractionServiceClient,
  type ExtractionServiceOptions,
} from './extraction-service-client.js';
import { createExtractionWorkerPool, type ExtractionWorkerPool } from './extraction-worker-pool.js';
import { normalizeText } from './normalize-text.mjs';
import { TooLargeError, createTempArea, type TempArea } from './temp-area.js';

/** Default cap of extracted text in characters (well under the sink's 3 MiB per-document cap). */
export const DEFAULT_MAX_TEXT_LENGTH = 1_000_000;

/** Limits that may differ per connector (the rest of the extractor is shared). */
export interface ExtractionOverrides {
  /** Largest file in bytes, in every mode (the Python service skips it in service mode); `0` disables it. @default 10485760 */
  readonly maxFileSize?: number;
  /** Cap of extracted text in characters; longer text is cut and flagged `truncated`. @default 1000000 */
  readonly maxTextLength?: number;
  /** Reduce whitespace runs to one space (the pipeline's `reduce_whitespace`). @default true */
  readonly reduceWhitespace?: boolean;
}

/** Options of {@link createContentExtractor}. */
export interface ContentExtractorOptions extends ExtractionOverrides {
  /** How content becomes text (see `chooseExtractionMode`). */
  readonly mode: ExtractionMode;
  /** Parent of this process's temp directory. @default os.tmpdir() */
  readonly tempDir?: string;
  /** The data extraction service; required in `service` mode. */
  readonly service?: ExtractionServiceOptions;
  /** Worker threads for in-process extraction. @default os.availableParallelism() */
  readonly workers?: number;
  /** In-process: a file still extracting after this many milliseconds fails. @default 30000 */
  readonly perFileTimeoutMs?: number;
  /** In-process: heap cap of each worker in MiB. @default 512 */
  readonly perFileMemoryMb?: number;
  /** In-process: the worker entry, for bundlers that move this module away from `extract-worker.mjs`. */
  readonly workerUrl?: URL;
  /** In-process: nice value of the worker threads on Linux (0 keeps the process priority). @default 10 */
  readonly workerNice?: number;
  /** In-process: a worker idle this long is stopped and its memory returned; `0` keeps workers. @default 60000 */
  readonly workerIdleTimeoutMs?: number;
  /** Supported extensions (lower-case, with dot); defaults to the Python list, or to what in-process extraction reads. */
  readonly extensions?: ReadonlySet<string>;
  /** Debug lines about failed files (the job's warnings carry the reasons). @default noopLogger */
  readonly logger?: Logger;
}

/** A content extractor that owns workers and temp files, with per-connector views sharing them. */
export interface ConfiguredContentExtractor extends ContentExtractor {
  /** The mode this extractor runs in. */
  readonly mode: ExtractionMode;
  /** A view with other limits (e.g. one connector's); its `close()` does nothing, close the parent instead. */
  withLimits(overrides: ExtractionOverrides): ContentExtractor;
  /** Health check: in `service` mode `GET /ping/` of the service, otherwise true. */
  ping(signal: AbortSignal): Promise<boolean>;
}

interface Limits {
  readonly maxFileSize: number;
  readonly maxTextLength: number;
  readonly reduceWhitespace: boolean;
}

/**
 * Creates the content extractor for one mode: `pipeline` (base64 `_attachment` for the ingest pipeline),
 * `service` (Elastic's data extraction service), `in-process` (worker threads) or `none`.
 * @example
 * const extractor = createContentExtractor({ mode: chooseExtractionMode({ embedded: true }) });
 * const result = await extractor.extract(content, { signal });
 * await extractor.close();
 */
export function createContentExtractor(options: ContentExtractorOptions): ConfiguredContentExtractor {
  const mode = options.mode;
  const logger = options.logger ?? noopLogger;
  if (mode === 'service' && (options.service?.host ?? '').trim() === '') {
    throw new ConfigError('Extraction service mode needs a host', ['extraction_service.host: must be set']);
  }
  const extensions =
    options.extensions ?? (mode === 'in-process' ? IN_PROCESS_EXTENSIONS : ELASTIC_SUPPORTED_EXTENSIONS);
  const baseLimits: Limits = resolveLimits(options, {
    maxFileSize: DEFAULT_MAX_FILE_SIZE,
    maxTextLength: DEFAULT_MAX_TEXT_LENGTH,
    reduceWhitespace: true,
  });
  const client: ExtractionServiceClient | undefined =
    mode === 'service' && options.service ? createExtractionServiceClient(options.service) : undefined;
  const tempRoot =
    mode === 'service' && options.service?.useFilePointers === true
      ? (options.service.sharedVolumeDir ?? '/app/files')
      : (options.tempDir ?? join(tmpdir(), 'connectors'));

  let pool: ExtractionWorkerPool | undefined;
  let area: Promise<TempArea> | undefined;
  let closed = false;

  const tempArea = (): Promise<TempArea> => {
    area ??= createTempArea(tempRoot).catch((error: unknown) => {
      area = undefined;
      throw new ConfigError('Cannot create the extraction temp directory', [
        `${tempRoot}: ${error instanceof Error ? error.message : String(error)}`,
      ]);
    });
    return area;
  };
  const workers = (): ExtractionWorkerPool =>
    (pool ??= createExtractionWorkerPool({
      ...(options.workers === undefined ? {} : { size: options.workers }),
      ...(options.perFileTimeoutMs === undefined ? {} : { perFileTimeoutMs: options.perFileTimeoutMs }),
      ...(options.perFileMemoryMb === undefined ? {} : { perFileMemoryMb: options.perFileMemoryMb }),
      ...(options.workerUrl === undefined ? {} : { workerUrl: options.workerUrl }),
      ...(options.workerNice === undefined ? {} : { workerNice: options.workerNice }),
      ...(options.workerIdleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.workerIdleTimeoutMs }),
    }));

  async function extractWith(
    content: ContentSource,
    signal: AbortSignal,
    limits: Limits,
  ): Promise<ExtractionResult> {
    throwIfAborted(signal);
    if (closed) throw new AbortError('The content extractor is closed');
    if (mode === 'none') return { kind: 'skipped', reason: 'content extraction is disabled' };
    const gate = canExtract(content, { maxFileSize: limits.maxFileSize, extensions });
    // An oversized file is a warning on the job (the document is still indexed with its metadata); an
    // extension we cannot read is routine.
    if (!gate.ok) return { kind: gate.cause === 'too-large' ? 'failed' : 'skipped', reason: gate.reason };

    // Pipeline mode only base64-encodes the bytes: it reads them into memory directly (reading a temp file
    // back would hold the same bytes, after a write, an open and a delete per file).
    if (mode === 'pipeline') return attachmentOf(content, signal, limits.maxFileSize);

    const temp = await tempArea();
    let path: string | undefined;
    try {
      try {
        path = (await temp.download(content, { signal, maxBytes: limits.maxFileSize })).path;
      } catch (error) {
        if (error instanceof TooLargeError) {
          return {
            kind: 'failed',
            reason: `"${content.filename}" is over the ${error.limit}-byte extraction limit`,
          };
        }
        throw error;
      }
      const result = await extractFile(path, content.filename, gate.extension, signal, limits);
      if (result.kind === 'failed')
        logger.debug({ filename: content.filename, reason: result.reason }, 'extraction failed');
      return result;
    } catch (error) {
      // Only the caller's signal stops the extraction; a timeout of the download itself (an abort-like
      // error under a live signal) fails this file.
      if (signal.aborted) {
        throw AbortError.isInstance(error)
          ? error
          : new AbortError('Text extraction was aborted', { cause: error });
      }
      const message = error instanceof Error ? error.message : String(error);
      const reason =
        path === undefined
          ? `could not download "${content.filename}": ${message}`
          : `could not extract text from "${content.filename}": ${message}`;
      logger.debug({ filename: content.filename, reason }, 'extraction failed');
      return { kind: 'failed', reason };
    } finally {
      if (path !== undefined) await temp.remove(path);
    }
  }

  async function attachmentOf(
    content: ContentSource,
    signal: AbortSignal,
    maxBytes: number,
  ): Promise<ExtractionResult> {
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      const body = await content.download(signal);
      for await (const chunk of body instanceof Uint8Array ? [body] : body) {
        throwIfAborted(signal);
        total += chunk.byteLength;
        if (maxBytes > 0 && total > maxBytes) {
          return {
            kind: 'failed',
            reason: `"${content.filename}" is over the ${maxBytes}-byte extraction limit`,
          };
        }
        chunks.push(chunk);
      }
    } catch (error) {
      if (signal.aborted) throw new AbortError('Text extraction was aborted', { cause: error });
      const reason = `could not download "${content.filename}": ${error instanceof Error ? error.message : String(error)}`;
      logger.debug({ filename: content.filename, reason }, 'extraction failed');
      return { kind: 'failed', reason };
    }
    return { kind: 'attachment', attachment: Buffer.concat(chunks, total).toString('base64') };
  }

  async function extractFile(
    path: string,
    filename: string,
    extension: string,
    signal: AbortSignal,
    limits: Limits,
  ): Promise<ExtractionResult> {
    switch (mode) {
      case 'pipeline': {
        const bytes = await readFile(path, { signal });
        return { kind: 'attachment', attachment: bytes.toString('base64') };
      }
      case 'service': {
        if (!client) throw new Error('unreachable: service mode without a client');
        const reply = await client.extract(path, filename, signal);
        if (!reply.ok) return { kind: 'failed', reason: reply.reason };
        const { body, truncated } = normalizeText(reply.text, limits);
        return { kind: 'text', body, truncated };
      }
      case 'in-process': {
        const outcome = await workers().run(
          { path, extension, reduceWhitespace: limits.reduceWhitespace, maxTextLength: limits.maxTextLength },
          signal,
        );
        if (!outcome.ok)
          return { kind: 'failed', reason: `could not extract text from "${filename}": ${outcome.reason}` };
        return { kind: 'text', body: outcome.body, truncated: outcome.truncated };
      }
      default:
        return { kind: 'skipped', reason: 'content extraction is disabled' };
    }
  }

  return {
    mode,
    extract(content, { signal }) {
      return extractWith(content, signal, baseLimits);
    },
    withLimits(overrides) {
      const limits = resolveLimits(overrides, baseLimits);
      return {
        extract: (content, { signal }) => extractWith(content, signal, limits),
        close: async () => undefined,
      };
    },
    async ping(signal) {
      return client ? client.ping(signal) : true;
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool?.close();
      const current = area;
      if (current) await (await current.catch(() => undefined))?.close();
    },
  };
}

function resolveLimits(overrides: ExtractionOverrides, base: Limits): Limits {
  const maxFileSize = overrides.maxFileSize ?? base.maxFileSize;
  const maxTextLength = overrides.maxTextLength ?? base.maxTextLength;
  if (!Number.isFinite(maxFileSize))
    throw new ConfigError('Invalid extraction limit', ['maxFileSize: must be a finite number of bytes']);
  if (!Number.isInteger(maxTextLength) || maxTextLength < 0) {
    throw new ConfigError('Invalid extraction limit', ['maxTextLength: must be a non-negative integer']);
  }
  return {
    maxFileSize,
    maxTextLength,
    reduceWhitespace: overrides.reduceWhitespace ?? base.reduceWhitespace,
  };
}
