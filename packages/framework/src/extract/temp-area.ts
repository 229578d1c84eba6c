import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ContentSource } from '../document/document.js';
import { AbortError, throwIfAborted } from '../errors/abort-error.js';

const PREFIX = 'connectors-extract-';
const DIR_PATTERN = /^connectors-extract-(\d+)-[0-9a-f]{8}$/;
const liveDirs = new Set<string>();
const processStartedAt = Date.now() - process.uptime() * 1000;

/** A file downloaded into the temp area. */
export interface TempFile {
  readonly path: string;
  readonly size: number;
}

/** One directory per process for downloads; stale directories of crashed processes are removed on creation. */
export interface TempArea {
  /** The directory this process writes into. */
  readonly dir: string;
  /**
   * Streams `content` into a new file. Throws {@link TooLargeError} past `maxBytes` (when > 0) and an
   * AbortError when `signal` aborts; the partial file is removed on every failure.
   */
  download(
    content: ContentSource,
    options: { readonly signal: AbortSignal; readonly maxBytes: number },
  ): Promise<TempFile>;
  /** Removes one file (ignores a missing one). */
  remove(path: string): Promise<void>;
  /** Removes the directory and everything in it. */
  close(): Promise<void>;
}

/** The download exceeded the size limit (sources that do not know sizes up front are checked while streaming). */
export class TooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the file is over the ${limit}-byte extraction limit`);
    this.name = 'TooLargeError';
  }
}

/** True when a process with this id exists (EPERM means it exists but belongs to someone else). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes `connectors-extract-<pid>-*` directories under `root` left by processes that no longer run,
 * and by an earlier process that had this same pid (common for PID 1 in containers). Returns their paths.
 */
export async function removeStaleTempDirs(root: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of entries) {
    const match = DIR_PATTERN.exec(name);
    if (!match) continue;
    const dir = join(root, name);
    const pid = Number(match[1]);
    let stale = pid !== process.pid && !isAlive(pid);
    if (pid === process.pid && !liveDirs.has(dir)) {
      const info = await stat(dir).catch(() => undefined);
      stale = info !== undefined && info.mtimeMs < processStartedAt;
    }
    if (stale) {
      await rm(dir, { recursive: true, force: true });
      removed.push(dir);
    }
  }
  return removed;
}

/** Creates this process's temp directory under `root` after removing stale ones. */
export async function createTempArea(root: string): Promise<TempArea> {
  await mkdir(root, { recursive: true });
  await removeStaleTempDirs(root);
  const dir = join(root, `${PREFIX}${process.pid}-${randomUUID().slice(0, 8)}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  liveDirs.add(dir);
  let counter = 0;
  let closed = false;

  return {
    dir,
    async download(content, { signal, maxBytes }) {
      if (closed) throw new Error('the extraction temp area is closed');
      throwIfAborted(signal);
      counter += 1;
      const safeName = content.filename.replace(/[^A-Za-z0-9._-]/g, '_').slice(-80);
      const path = join(dir, `${counter}-${safeName}`);
      let size = 0;
      try {
        const body = await content.download(signal);
        throwIfAborted(signal);
        if (body instanceof Uint8Array) {
          if (maxBytes > 0 && body.byteLength > maxBytes) throw new TooLargeError(maxBytes);
          await writeFile(path, body, { mode: 0o600, signal });
          return { path, size: body.byteLength };
        }
        const chunks = body;
        async function* counted(): AsyncGenerator<Uint8Array> {
          for await (const chunk of chunks) {
            size += chunk.byteLength;
            if (maxBytes > 0 && size > maxBytes) throw new TooLargeError(maxBytes);
            yield chunk;
          }
        }
        await pipeline(counted, createWriteStream(path, { mode: 0o600 }), { signal });
        return { path, size };
      } catch (error) {
        await rm(path, { force: true });
        if (signal.aborted) throw new AbortError('Content download was aborted', { cause: signal.reason });
        throw error;
      }
    },
    async remove(path) {
      await rm(path, { force: true });
    },
    async close() {
      closed = true;
      liveDirs.delete(dir);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
