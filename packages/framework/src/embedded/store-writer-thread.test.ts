import { writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SinkError } from '../errors/sink-error.js';
import { noopLogger } from '../logging/logger.js';
import type { SinkOperation } from '../sink/sink.js';
import { openEmbeddedStore } from './embedded-store.js';
import { createTempDir, createTempStore } from './fixtures/temp-store.js';
import { resolveStoreWriterUrl } from './store-writer-thread.js';

const signal = new AbortController().signal;

function docs(count: number, from = 0, text = 'word'): SinkOperation[] {
  return Array.from({ length: count }, (_, i) => ({
    op: 'index' as const,
    id: `doc-${from + i}`,
    document: {
      title: `Title ${from + i}`,
      body: `${text} ${'lorem ipsum dolor sit amet '.repeat(40)}`,
      _timestamp: '2026-01-01T00:00:00Z',
      _allow_access_control: [`user:${(from + i) % 7}`],
    },
  }));
}

describe('the embedded store writer thread', () => {
  it('is found beside the module, so stores on files use it', () => {
    expect(resolveStoreWriterUrl()?.pathname).toMatch(/store-writer-worker\.(mjs|js)$/);
  });

  it('commits before write resolves: documents, text and ACLs are readable at once', async () => {
    await using temp = await createTempStore();
    const writer = await temp.store.openIndex({ indexName: 'search-t', kind: 'content', signal });
    const outcome = await writer.write(
      [...docs(50), { op: 'index', id: '', document: { title: 'no id' } }, { op: 'delete', id: 'none' }],
      signal,
    );
    expect(outcome.indexed).toBe(50);
    expect(outcome.deleted).toBe(1);
    expect(outcome.failures).toEqual([
      { id: '', op: 'index', reason: 'the document id must be a non-empty string', status: 400 },
    ]);
    expect(outcome.volumeBytes).toBe(
      docs(50).reduce(
        (sum, op) => sum + Buffer.byteLength(JSON.stringify('document' in op ? op.document : {})),
        0,
      ),
    );
    expect(await writer.count(signal)).toBe(50);
    expect((await temp.store.search('search-t', 'title 7')).hits[0]?.id).toBe('doc-7');
    const existing: string[] = [];
    for await (const doc of writer.existing(signal)) existing.push(doc.id);
    expect(existing).toHaveLength(50);
  });

  it('keeps the event loop turning while a large batch is written', async () => {
    await using temp = await createTempStore();
    const writer = await temp.store.openIndex({ indexName: 'search-big', kind: 'content', signal });
    await writer.write(docs(10), signal); // the thread is started outside the measurement
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 2);
    const started = performance.now();
    await writer.write(docs(20_000, 10), signal);
    const elapsed = performance.now() - started;
    clearInterval(timer);
    expect(await writer.count(signal)).toBe(20_010);
    // A write on this thread would block the timer for the whole batch (one tick at most).
    expect(elapsed).toBeGreaterThan(20);
    expect(ticks).toBeGreaterThanOrEqual(3);
  });

  it('applies batches in the order given, also when writes on this thread follow them', async () => {
    await using temp = await createTempStore();
    const writer = await temp.store.openIndex({ indexName: 'search-o', kind: 'content', signal });
    const writes = [
      writer.write([{ op: 'index', id: 'x', document: { title: 'v1' } }], signal),
      writer.write([{ op: 'index', id: 'x', document: { title: 'v2' } }, ...docs(500)], signal),
      writer.write([{ op: 'delete', id: 'doc-3' }], signal),
      // Updates are applied on this thread, after the batches before them.
      writer.write([{ op: 'update', id: 'x', document: { extra: true } }], signal),
      temp.store.putDocuments('search-o', [{ id: 'y', document: { title: 'put' } }]),
    ];
    await Promise.all(writes);
    expect(await temp.store.getDocument('search-o', 'x')).toEqual({ title: 'v2', extra: true });
    expect(await temp.store.getDocument('search-o', 'doc-3')).toBeUndefined();
    expect(await temp.store.getDocument('search-o', 'y')).toEqual({ title: 'put' });
    expect(await writer.count(signal)).toBe(501);
  });

  it('reports a locked file as a retryable sink error and writes nothing of the batch', async () => {
    await using temp = await createTempStore({ busyTimeoutMs: 50 });
    const writer = await temp.store.openIndex({ indexName: 'search-l', kind: 'content', signal });
    const other = new DatabaseSync(temp.file);
    try {
      other.exec('BEGIN IMMEDIATE');
      const error = await writer.write(docs(5), signal).catch((caught: unknown) => caught);
      expect(SinkError.isInstance(error)).toBe(true);
      expect((error as SinkError).retryable).toBe(true);
      expect((error as Error).message).toContain('is locked by another process');
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    expect(await writer.count(signal)).toBe(0);
    expect((await writer.write(docs(5), signal)).indexed).toBe(5);
  });

  it('commits the batches in flight before close finishes', async () => {
    using dir = createTempDir();
    const file = `${dir.path}/store.db`;
    const store = await openEmbeddedStore(file);
    const writer = await store.openIndex({ indexName: 'search-c', kind: 'content', signal });
    const pending = writer.write(docs(2000), signal);
    // Once the batch has been handed to the thread (prepared on the next turn), close waits for its commit.
    await new Promise((resolve) => setImmediate(resolve));
    await store.close();
    expect((await pending).indexed).toBe(2000);
    const again = await openEmbeddedStore(file);
    try {
      expect((await again.listIndices()).find((index) => index.name === 'search-c')?.count).toBe(2000);
    } finally {
      await again.close();
    }
  });

  it('writes on this thread, with a warning, when the writer thread cannot run', async () => {
    using dir = createTempDir();
    const broken = `${dir.path}/broken-worker.mjs`;
    writeFileSync(broken, "throw new Error('cannot start here');\n");
    const warnings: string[] = [];
    const logger = {
      ...noopLogger,
      warn: (_fields: unknown, message: string) => void warnings.push(message),
    };
    const store = await openEmbeddedStore(`${dir.path}/store.db`, {
      writerThreadUrl: pathToFileURL(broken),
      logger: logger as typeof noopLogger,
    });
    try {
      const writer = await store.openIndex({ indexName: 'search-f', kind: 'content', signal });
      expect((await writer.write(docs(30), signal)).indexed).toBe(30);
      expect((await writer.write(docs(30, 30), signal)).indexed).toBe(30);
      expect(await writer.count(signal)).toBe(60);
      expect(warnings).toEqual([
        'embedded store writer thread failed; writing on the main thread from now on',
      ]);
    } finally {
      await store.close();
    }
  });

  it('writes on this thread when asked to (writerThread: false), with the same results', async () => {
    await using temp = await createTempStore({ writerThread: false });
    const writer = await temp.store.openIndex({ indexName: 'search-s', kind: 'content', signal });
    expect((await writer.write(docs(20), signal)).indexed).toBe(20);
    expect((await temp.store.search('search-s', 'title 3')).hits[0]?.id).toBe('doc-3');
  });
});
