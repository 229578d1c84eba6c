import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../errors/connector-error.js';
import { openEmbeddedStore } from './embedded-store.js';
import { connectorDoc } from './fixtures/connector-doc.js';
import { createTempDir } from './fixtures/temp-store.js';

const signal = new AbortController().signal;
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const child = join(fixtures, 'store-child.ts');
const hook = join(fixtures, 'ts-resolve-hook.mjs');

interface Running {
  readonly lines: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
  /** Resolves once a stdout line satisfies `predicate`. */
  waitForLine(predicate: (line: string) => boolean, timeoutMs: number): Promise<string>;
}

function run(args: readonly string[]): Running {
  const proc = spawn(process.execPath, ['--no-warnings', '--import', hook, child, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { predicate: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let buffer = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      lines.push(line);
      for (const waiter of waiters.splice(0)) {
        if (waiter.predicate(line)) waiter.resolve(line);
        else waiters.push(waiter);
      }
      newline = buffer.indexOf('\n');
    }
  });
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => proc.on('close', (code, killedBy) => resolve({ code, signal: killedBy, stderr })),
  );
  return {
    lines,
    exited,
    kill: (name) => proc.kill(name),
    waitForLine: (predicate, timeoutMs) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          proc.kill('SIGKILL');
          reject(
            new Error(`child did not print the expected line within ${timeoutMs} ms; stderr: ${stderr}`),
          );
        }, timeoutMs);
        waiters.push({
          predicate,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`child exited before printing the expected line; stderr: ${stderr}`));
        });
      }),
  };
}

describe('EmbeddedStore across processes', () => {
  it('lets exactly one of several processes claim the same job', async () => {
    using dir = createTempDir();
    const file = join(dir.path, 'store.db');
    const store = await openEmbeddedStore(file);
    await store.createConnector('dbx', connectorDoc(), signal);
    const jobId = await store.createJob(
      { connectorId: 'dbx', jobType: 'full', triggerMethod: 'on_demand' },
      signal,
    );

    const startAt = Date.now() + 1500;
    const children = Array.from({ length: 4 }, (_, i) =>
      run(['claim', file, jobId, `worker-${i}`, String(startAt)]),
    );
    const results = await Promise.all(children.map((c) => c.exited));
    const outcomes = children.map((c) => JSON.parse(c.lines[0] ?? '{}') as { won?: boolean; code?: string });

    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect(outcomes.filter((o) => o.won === true)).toHaveLength(1);
    expect(outcomes.filter((o) => o.won === false).map((o) => o.code)).toEqual([
      'CONFLICT',
      'CONFLICT',
      'CONFLICT',
    ]);
    const job = await store.getJob(jobId, signal);
    const winner = outcomes.findIndex((o) => o.won === true);
    expect(job?.doc).toMatchObject({ status: 'in_progress', worker_hostname: `worker-${winner}` });
    expect(job?.version).toBe('2');
    await store.close();
  }, 20_000);

  it('keeps exactly the committed batches when the writer is killed with SIGKILL', async () => {
    using dir = createTempDir();
    const file = join(dir.path, 'store.db');
    const batchSize = 200;
    const writer = run(['write', file, 'search-kill', String(batchSize)]);
    await writer.waitForLine((line) => line === 'committed 4', 15_000);
    writer.kill('SIGKILL');
    const exit = await writer.exited;
    expect(exit.signal).toBe('SIGKILL');
    const lastReported = Math.max(...writer.lines.map((line) => Number(line.split(' ')[1])));

    const raw = new DatabaseSync(file);
    expect(raw.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    raw.close();

    const store = await openEmbeddedStore(file);
    const index = await store.openIndex({ indexName: 'search-kill', kind: 'content', signal });
    const perBatch = new Map<number, number>();
    for await (const { id } of index.existing(signal)) {
      const batch = Number(id.slice(1, 7));
      perBatch.set(batch, (perBatch.get(batch) ?? 0) + 1);
    }
    const batches = [...perBatch.keys()].sort((a, b) => a - b);
    // A prefix of whole batches: every reported commit survived, at most one unreported commit landed.
    expect(batches).toEqual(Array.from({ length: batches.length }, (_, i) => i));
    expect(batches.length === lastReported + 1 || batches.length === lastReported + 2).toBe(true);
    expect([...perBatch.values()].every((count) => count === batchSize)).toBe(true);
    expect(await index.count(signal)).toBe(batches.length * batchSize);
    expect((await store.search('search-kill', 'lorem')).total).toBe(batches.length * batchSize);
    await store.close();
  }, 30_000);

  it('commits every batch of two processes writing the same index at once', async () => {
    using dir = createTempDir();
    const file = join(dir.path, 'store.db');
    await (await openEmbeddedStore(file)).close();

    const writers = ['x', 'y'].map((prefix) => run(['write', file, 'search-shared', '100', '20', prefix]));
    const exits = await Promise.all(writers.map((w) => w.exited));

    expect(exits.map((e) => [e.code, e.stderr])).toEqual([
      [0, ''],
      [0, ''],
    ]);
    const store = await openEmbeddedStore(file);
    const index = await store.openIndex({ indexName: 'search-shared', kind: 'content', signal });
    expect(await index.count(signal)).toBe(2 * 20 * 100);
    expect(await store.getDocument('search-shared', 'x000019-0099')).toMatchObject({ batch: 19 });
    expect(await store.getDocument('search-shared', 'y000019-0099')).toMatchObject({ batch: 19 });
    await store.close();
  }, 30_000);

  it('refuses a garbage file with STORE_CORRUPT and leaves it byte-for-byte untouched', async () => {
    using dir = createTempDir();
    const file = join(dir.path, 'not-a-store.db');
    const garbage = Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 31 + 7) % 256));
    writeFileSync(file, garbage);

    const error: unknown = await openEmbeddedStore(file).catch((e: unknown) => e);

    expect(ConnectorError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'STORE_CORRUPT', details: { path: file } });
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain('move it away or point the store at another path');
    expect(readFileSync(file).equals(garbage)).toBe(true);
  });

  it('refuses an SQLite file that is not a connectors store without changing it', async () => {
    using dir = createTempDir();
    const file = join(dir.path, 'other.db');
    const other = new DatabaseSync(file);
    other.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY)');
    other.close();
    const before = readFileSync(file);

    await expect(openEmbeddedStore(file)).rejects.toMatchObject({
      code: 'STORE_CORRUPT',
      message: expect.stringContaining(`${file} is an SQLite database but not a connectors store`),
    });
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('reopens an existing store without re-running migrations', async () => {
    using dir = createTempDir();
    const file = join(dir.path, 'store.db');
    const first = await openEmbeddedStore(file);
    await first.putDocuments('search-a', [{ id: '1', document: { title: 'kept' } }]);
    await first.close();

    const lines: Record<string, unknown>[] = [];
    const logger = {
      debug: () => undefined,
      info: (fields: Record<string, unknown> | string) => void lines.push(fields as Record<string, unknown>),
      warn: () => undefined,
      error: () => undefined,
      child: () => logger,
    };
    const second = await openEmbeddedStore(file, { logger: logger as never });

    expect(await second.getDocument('search-a', '1')).toEqual({ title: 'kept' });
    expect(lines).toEqual([{ path: file, schemaFrom: 1, schemaTo: 1 }]);
    await second.close();
  });
});
