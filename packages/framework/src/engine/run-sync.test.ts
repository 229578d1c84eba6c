import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SyncRule } from '../control-plane/records.js';
import type { JsonValue } from '../document/json.js';
import { SinkError } from '../errors/sink-error.js';
import type { ContentExtractor } from '../extract/content-extractor.js';
import { createCapturingLogger, createTestContext } from '../testing/create-test-context.js';
import { createMemorySink, type MemorySink } from '../testing/memory-sink.js';
import { createSyntheticSource, type SyntheticSource } from '../testing/synthetic-source.js';
import { toFingerprint } from './to-fingerprint.js';
import { runSync, type RunSyncOptions } from './run-sync.js';
import { SuspendSignalReason } from './suspend-signal-reason.js';
import type { SyncEvents } from './sync-events.js';
import { createTypedEmitter } from './typed-emitter.js';

const INDEX = 'search-test';
let scratchDir: string;

beforeEach(() => {
  scratchDir = mkdtempSync(join(tmpdir(), 'engine-test-'));
});
afterEach(() => {
  rmSync(scratchDir, { recursive: true, force: true });
});

function seed(source: SyntheticSource, count: number, version = 'v1'): void {
  for (let i = 0; i < count; i += 1) {
    const id = `doc-${String(i).padStart(3, '0')}`;
    source.put({ doc: { _id: id, _timestamp: `${id}-${version}`, title: `Title ${i}`, size: i } });
  }
}

async function sync(
  source: SyntheticSource,
  sink: MemorySink,
  extra: Partial<RunSyncOptions> = {},
  config: { token: string; page_size: number | undefined } = { token: 'good-token', page_size: 10 },
) {
  const instance = await source.definition.create(config, createTestContext());
  try {
    return await runSync({
      source: source.definition,
      instance,
      sink,
      indexName: INDEX,
      jobType: 'full',
      signal: new AbortController().signal,
      scratchDir,
      jobKey: 'job-1',
      now: () => Date.parse('2024-01-01T00:00:00Z'),
      ...extra,
    });
  } finally {
    await instance.close();
  }
}

function ids(sink: MemorySink, index = INDEX): string[] {
  return [...sink.documents(index).keys()].sort();
}

function snapshot(sink: MemorySink): Record<string, JsonValue> {
  return Object.fromEntries([...sink.documents(INDEX)].sort(([a], [b]) => (a < b ? -1 : 1))) as Record<
    string,
    JsonValue
  >;
}

describe('runSync: full sync', () => {
  it('indexes every document with id, pipeline flags and no _id, and reports exact counters', async () => {
    const source = createSyntheticSource();
    seed(source, 25);
    const sink = createMemorySink();
    const result = await sync(source, sink, {
      pipeline: {
        name: 'p',
        extract_binary_content: false,
        reduce_whitespace: true,
        run_ml_inference: false,
      },
    });
    expect(result.status).toBe('completed');
    expect(result.indexed).toBe(25);
    expect(result.deleted).toBe(0);
    expect(result.total).toBe(25);
    expect(result.cursor).toBe(25);
    expect(result.volumeBytes).toBeGreaterThan(0);
    expect(sink.documents(INDEX).get('doc-007')).toEqual({
      id: 'doc-007',
      _timestamp: 'doc-007-v1',
      title: 'Title 7',
      size: 7,
      _extract_binary_content: false,
      _reduce_whitespace: true,
      _run_ml_inference: false,
      _fingerprint: toFingerprint({ _id: 'doc-007', _timestamp: 'doc-007-v1', title: 'Title 7', size: 7 }),
    });
    expect(sink.opened[0]).toMatchObject({ indexName: INDEX, kind: 'content', pipeline: { name: 'p' } });
    expect(sink.openWriters).toBe(0);
  });

  it('gives documents without _timestamp the current time', async () => {
    const source = createSyntheticSource();
    source.put({ doc: { _id: 'a', title: 'A' } });
    const sink = createMemorySink();
    await sync(source, sink);
    expect(sink.documents(INDEX).get('a')?.['_timestamp']).toBe('2024-01-01T00:00:00.000Z');
  });

  it('skips unchanged documents and rewrites only changed ones on the next full sync', async () => {
    const source = createSyntheticSource();
    seed(source, 20);
    const sink = createMemorySink();
    await sync(source, sink);
    source.put({ doc: { _id: 'doc-003', _timestamp: 'doc-003-v2', title: 'New' } });
    const writesBefore = sink.writes.length;
    const result = await sync(source, sink);
    expect(result).toMatchObject({ status: 'completed', indexed: 1, deleted: 0, unchanged: 19, total: 20 });
    const written = sink.writes
      .slice(writesBefore)
      .flatMap((w) => w.operations.map((o) => `${o.op}:${o.id}`));
    expect(written).toEqual(['index:doc-003']);
    expect(sink.documents(INDEX).get('doc-003')?.['title']).toBe('New');
  });

  it('rewrites a document whose ACL or path changed while its _timestamp stayed the same', async () => {
    const source = createSyntheticSource();
    seed(source, 5);
    source.put({
      doc: { _id: 'shared', _timestamp: 't1', title: 'Plan', _allow_access_control: ['user:a', 'user:b'] },
    });
    const sink = createMemorySink();
    await sync(source, sink);
    // Same modification time, one member removed: the stored ACL must not stay.
    source.put({
      doc: { _id: 'shared', _timestamp: 't1', title: 'Plan', _allow_access_control: ['user:a'] },
    });
    const result = await sync(source, sink);
    expect(result).toMatchObject({ status: 'completed', indexed: 1, unchanged: 5 });
    expect(sink.documents(INDEX).get('shared')?.['_allow_access_control']).toEqual(['user:a']);
  });

  it('deletes documents that are no longer listed after a complete listing', async () => {
    const source = createSyntheticSource();
    seed(source, 15);
    const sink = createMemorySink();
    sink.documents(INDEX).set('orphan', { id: 'orphan', _timestamp: 'x' });
    await sync(source, sink);
    source.delete('doc-004');
    source.delete('doc-010');
    const result = await sync(source, sink);
    expect(result).toMatchObject({ status: 'completed', deleted: 2, total: 13 });
    expect(ids(sink)).not.toContain('doc-004');
    expect(ids(sink)).not.toContain('orphan');
    expect(ids(sink)).toHaveLength(13);
  });

  it('deletes nothing and ends in error when the listing fails', async () => {
    const source = createSyntheticSource();
    seed(source, 30);
    const sink = createMemorySink();
    await sync(source, sink);
    source.delete('doc-001');
    source.failOnPage = 2;
    const result = await sync(source, sink);
    expect(result.status).toBe('error');
    expect(result.deleted).toBe(0);
    expect(result.error?.message).toContain('Listing page 2 failed with HTTP 500');
    expect(ids(sink)).toHaveLength(30);
    expect(sink.writes.flatMap((w) => w.operations).filter((o) => o.op === 'delete')).toEqual([]);
  });

  it('deletes documents excluded by basic rules and counts them as filtered', async () => {
    const source = createSyntheticSource();
    seed(source, 10);
    const sink = createMemorySink();
    await sync(source, sink);
    const rules: SyncRule[] = [
      { id: 'DEFAULT', field: '_', policy: 'include', rule: 'regex', value: '.*', order: 0 },
      { id: 'big', field: 'size', policy: 'exclude', rule: '>', value: '6', order: 1 },
    ];
    const result = await sync(source, sink, { filter: { rules, advanced_snippet: { value: {} } } });
    expect(result).toMatchObject({ status: 'completed', filtered: 3, deleted: 3, total: 7 });
    expect(ids(sink)).toEqual(['doc-000', 'doc-001', 'doc-002', 'doc-003', 'doc-004', 'doc-005', 'doc-006']);
  });

  it('hashes ids longer than 512 bytes with md5', async () => {
    const source = createSyntheticSource();
    const long = 'é'.repeat(300);
    source.put({ doc: { _id: long, _timestamp: 't' } });
    const sink = createMemorySink();
    await sync(source, sink);
    const [id] = ids(sink);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(sink.documents(INDEX).get(id!)?.['id']).toBe(id);
  });

  it('bounds batches by operation count and bytes', async () => {
    const source = createSyntheticSource();
    seed(source, 23);
    const byCount = createMemorySink({ batchLimits: { maxOperations: 5 } });
    await sync(source, byCount);
    expect(byCount.writes.map((w) => w.operations.length)).toEqual([5, 5, 5, 5, 3]);
    const byBytes = createMemorySink({ batchLimits: { maxBytes: 700 } });
    await sync(source, byBytes);
    for (const write of byBytes.writes) {
      const bytes = write.operations.reduce(
        (sum, op) => sum + JSON.stringify('document' in op ? op.document : op).length + op.id.length,
        0,
      );
      for (const op of write.operations) {
        // A full sync writes index operations; the JSON handed over is the document's, byte for byte.
        expect(op.op).toBe('index');
        if (op.op === 'index') expect(op.json).toBe(JSON.stringify(op.document));
      }
      expect(write.operations.length === 1 || bytes <= 900).toBe(true);
    }
    expect(byBytes.writes.length).toBeGreaterThan(5);
  });

  it('does not pull the source faster than the sink drains', async () => {
    const source = createSyntheticSource();
    seed(source, 200);
    let yielded = 0;
    let maxAhead = 0;
    let acknowledged = 0;
    const sink = createMemorySink({ batchLimits: { maxOperations: 10, maxInFlight: 2 }, latencyMs: 2 });
    const instance = await source.definition.create(
      { token: 'good-token', page_size: 10 },
      createTestContext(),
    );
    const counting = {
      ...instance,
      async *listAll(options: Parameters<typeof instance.listAll>[0]) {
        for await (const event of instance.listAll(options)) {
          if (event.kind === 'upsert') {
            yielded += 1;
            maxAhead = Math.max(maxAhead, yielded - acknowledged);
          }
          yield event;
        }
      },
    };
    const events = createTypedEmitter<SyncEvents>();
    events.on('batch:committed', (e) => (acknowledged += e.operations));
    const result = await runSync({
      source: source.definition,
      instance: counting,
      sink,
      indexName: INDEX,
      jobType: 'full',
      signal: new AbortController().signal,
      scratchDir,
      events,
    });
    expect(result.indexed).toBe(200);
    // 2 batches in flight + 1 filling + the one being added.
    expect(maxAhead).toBeLessThanOrEqual(10 * 3 + 1);
  });
});

describe('runSync: per-item isolation', () => {
  it('keeps the existing document of an item the source could not read, and counts it', async () => {
    const source = createSyntheticSource();
    seed(source, 5);
    const sink = createMemorySink();
    await sync(source, sink);
    source.put({ doc: { _id: 'doc-002', _timestamp: 'v9' }, unreadable: 'download failed: HTTP 500' });
    const result = await sync(source, sink);
    expect(result).toMatchObject({ status: 'completed', deleted: 0, total: 5 });
    expect(result.skipped).toEqual({
      count: 1,
      samples: [{ id: 'doc-002', reason: 'download failed: HTTP 500' }],
    });
    expect(sink.documents(INDEX).get('doc-002')?.['_timestamp']).toBe('doc-002-v1');
  });

  it('counts sink item failures with reasons and never deletes the failed document', async () => {
    const source = createSyntheticSource();
    seed(source, 5);
    const sink = createMemorySink({
      failItem: (op) => (op.id === 'doc-001' && op.op === 'index' ? 'mapper_parsing_exception' : undefined),
    });
    sink.documents(INDEX).set('doc-001', { id: 'doc-001', _timestamp: 'old' });
    const result = await sync(source, sink);
    expect(result).toMatchObject({ status: 'completed', indexed: 4, deleted: 0, total: 5 });
    expect(result.skipped.count).toBe(1);
    expect(result.skipped.samples[0]).toEqual({
      id: 'doc-001',
      reason: 'index rejected by the sink (400): mapper_parsing_exception',
    });
    expect(sink.documents(INDEX).get('doc-001')?.['_timestamp']).toBe('old');
  });

  it('fails the sync when sink item failures exceed the error budget', async () => {
    const source = createSyntheticSource();
    seed(source, 50);
    const sink = createMemorySink({ failItem: () => 'rejected' });
    const result = await sync(source, sink, { errorBudget: { maxConsecutiveErrors: 3 } });
    expect(result.status).toBe('error');
    expect(result.error?.message).toContain(
      'Too many errors while writing documents: 4 consecutive failures',
    );
    expect(result.deleted).toBe(0);
  });

  it('only counts sink failures when the error budget is off', async () => {
    const source = createSyntheticSource();
    seed(source, 30);
    const sink = createMemorySink({ failItem: () => 'rejected' });
    const result = await sync(source, sink, { errorBudget: false });
    expect(result).toMatchObject({ status: 'completed', indexed: 0 });
    expect(result.skipped.count).toBe(30);
    expect(result.skipped.samples).toHaveLength(20);
  });

  it('retries a batch rejected with a retryable sink error', async () => {
    const source = createSyntheticSource();
    seed(source, 5);
    let attempts = 0;
    const sink = createMemorySink({
      beforeWrite: () => {
        attempts += 1;
        if (attempts === 1) throw new SinkError('overloaded', { status: 429, retryable: true });
      },
    });
    const events = createTypedEmitter<SyncEvents>();
    const retries: number[] = [];
    events.on('retry', (e) => retries.push(e.attempt));
    const result = await sync(source, sink, { events, limits: { retryBaseDelayMs: 1 } });
    expect(result).toMatchObject({ status: 'completed', indexed: 5 });
    expect(retries).toEqual([1]);
  });

  it('ends in error without deletes when a batch fails for good', async () => {
    const source = createSyntheticSource();
    seed(source, 5);
    const sink = createMemorySink();
    sink.documents(INDEX).set('stale', { id: 'stale' });
    const failing = createMemorySink({
      beforeWrite: () => {
        throw new SinkError('index is read-only', { status: 403, retryable: false });
      },
    });
    failing.documents(INDEX).set('stale', { id: 'stale' });
    const result = await sync(source, failing);
    expect(result.status).toBe('error');
    expect(result.error?.message).toBe('index is read-only');
    expect(ids(failing)).toEqual(['stale']);
  });

  it('fails closed with DLS on: documents without an ACL are skipped, not indexed', async () => {
    const source = createSyntheticSource();
    source.put({ doc: { _id: 'open', _timestamp: 't' } });
    source.put({ doc: { _id: 'acl', _timestamp: 't', _allow_access_control: ['user:a'] } });
    const sink = createMemorySink();
    const result = await sync(source, sink, { dls: true });
    expect(ids(sink)).toEqual(['acl']);
    expect(result.skipped.samples).toEqual([
      { id: 'open', reason: 'access control could not be determined' },
    ]);
  });
});

describe('runSync: content extraction', () => {
  function extractor(calls: string[], fail?: string): ContentExtractor {
    return {
      async extract(content) {
        calls.push(content.filename);
        if (content.filename === fail) return { kind: 'failed', reason: 'corrupt file' };
        const data = await content.download(new AbortController().signal);
        const text = new TextDecoder().decode(data as Uint8Array);
        return { kind: 'text', body: text.toUpperCase(), truncated: text.length > 10 };
      },
      close: () => Promise.resolve(),
    };
  }

  it('merges extracted text, flags truncation, and warns on failures while still indexing', async () => {
    const source = createSyntheticSource();
    source.put({ doc: { _id: 'a', _timestamp: '1' }, content: 'hello' });
    source.put({ doc: { _id: 'b', _timestamp: '1' }, content: 'a much longer text' });
    source.put({ doc: { _id: 'c', _timestamp: '1' }, content: 'broken' });
    const sink = createMemorySink();
    const calls: string[] = [];
    const result = await sync(source, sink, { extractor: extractor(calls, 'c.txt') });
    expect(sink.documents(INDEX).get('a')?.['body']).toBe('HELLO');
    expect(sink.documents(INDEX).get('a')?.['_body_truncated']).toBeUndefined();
    expect(sink.documents(INDEX).get('b')?.['_body_truncated']).toBe(true);
    expect(sink.documents(INDEX).get('c')?.['body']).toBeUndefined();
    expect(result.indexed).toBe(3);
    expect(result.warnings).toEqual({
      count: 1,
      samples: [{ id: 'c', reason: 'extraction failed: corrupt file' }],
    });
  });

  it('indexes the metadata of a file whose download timed out, warns, and keeps checkpointing', async () => {
    const source = createSyntheticSource();
    seed(source, 30);
    source.put({ doc: { _id: 'doc-005', _timestamp: 'slow' }, content: 'never arrives' });
    const timedOut: ContentExtractor = {
      extract(content) {
        if (content.filename !== 'doc-005.txt') return Promise.resolve({ kind: 'skipped', reason: 'n/a' });
        // What a per-call time limit gives, while the sync itself goes on.
        return Promise.reject(new DOMException('the call took longer than 100 ms', 'TimeoutError'));
      },
      close: () => Promise.resolve(),
    };
    const sink = createMemorySink();
    const saved: number[] = [];
    const result = await sync(source, sink, {
      extractor: timedOut,
      saveCheckpoint: (cp) => {
        saved.push((cp as { checkpoint: { page: number } }).checkpoint.page);
        return Promise.resolve();
      },
    });
    expect(result.status).toBe('completed');
    expect(result.indexed).toBe(30);
    expect(sink.documents(INDEX).get('doc-005')?.['_timestamp']).toBe('slow');
    expect(result.warnings.samples).toEqual([
      { id: 'doc-005', reason: 'extraction failed: the call took longer than 100 ms' },
    ]);
    // Checkpoints after the page of doc-005 were still saved (it was acknowledged like any other).
    expect(Math.max(...saved)).toBe(2);
  });

  it('downloads content only for new or changed documents', async () => {
    const source = createSyntheticSource();
    source.put({ doc: { _id: 'a', _timestamp: '1' }, content: 'x' });
    source.put({ doc: { _id: 'b', _timestamp: '1' }, content: 'y' });
    const sink = createMemorySink();
    await sync(source, sink, { extractor: extractor([]) });
    source.put({ doc: { _id: 'b', _timestamp: '2' }, content: 'z' });
    const calls: string[] = [];
    await sync(source, sink, { extractor: extractor(calls) });
    expect(calls).toEqual(['b.txt']);
    expect(sink.documents(INDEX).get('b')?.['body']).toBe('Z');
  });

  it('drops the body of a document too large for the sink, then skips it if still too large', async () => {
    const source = createSyntheticSource();
    source.put({ doc: { _id: 'a', _timestamp: '1', body: 'x'.repeat(5000) } });
    source.put({ doc: { _id: 'b', _timestamp: '1', blob: 'y'.repeat(5000) } });
    const sink = createMemorySink();
    const result = await sync(source, sink, { limits: { maxDocumentBytes: 2000 } });
    const a = sink.documents(INDEX).get('a');
    expect(a?.['_body_truncated']).toBe(true);
    expect(JSON.stringify(a).length).toBeLessThanOrEqual(2000);
    expect(ids(sink)).toEqual(['a']);
    expect(result.skipped.samples[0]?.id).toBe('b');
    expect(result.skipped.samples[0]?.reason).toMatch(/^document too large/);
  });
});

describe('runSync: incremental', () => {
  it('applies upserts and deletes from the change cursor and returns the next cursor', async () => {
    const source = createSyntheticSource();
    seed(source, 10);
    const sink = createMemorySink();
    const first = await sync(source, sink);
    source.put({ doc: { _id: 'doc-002', _timestamp: 'v2', title: 'Changed' } });
    source.put({ doc: { _id: 'new', _timestamp: 'v1' } });
    source.delete('doc-005');
    const result = await sync(source, sink, { jobType: 'incremental', cursor: first.cursor });
    expect(result).toMatchObject({ status: 'completed', indexed: 2, deleted: 1, total: 10, cursor: 13 });
    expect(result.fellBackToFull).toBeUndefined();
    expect(sink.documents(INDEX).get('doc-002')?.['title']).toBe('Changed');
    expect(ids(sink)).not.toContain('doc-005');
  });

  it('falls back to a full sync with a log line when the cursor expired', async () => {
    const source = createSyntheticSource();
    seed(source, 10);
    const sink = createMemorySink();
    await sync(source, sink);
    source.delete('doc-001');
    source.expireCursorsBefore = 100;
    const logger = createCapturingLogger();
    const result = await sync(source, sink, { jobType: 'incremental', cursor: 3, logger });
    expect(result.status).toBe('completed');
    expect(result.fellBackToFull).toBe('[synthetic] Change cursor 3 has expired');
    expect(result.deleted).toBe(1);
    expect(result.cursor).toBe(11);
    const line = logger.lines.find((l) => l.message.includes('running a full sync instead'));
    expect(line?.level).toBe('info');
    expect(line?.fields['reason']).toBe('[synthetic] Change cursor 3 has expired');
  });

  it('refuses incremental jobs for a source without incremental syncs', async () => {
    const source = createSyntheticSource({ capabilities: { incrementalSync: false } });
    seed(source, 3);
    const result = await sync(source, createMemorySink(), { jobType: 'incremental', cursor: 1 });
    expect(result.status).toBe('error');
    expect(result.error?.message).toBe('[synthetic] does not support incremental syncs; run a full sync');
  });

  it('returns a null cursor for a full sync of a non-incremental source', async () => {
    const source = createSyntheticSource({ capabilities: { incrementalSync: false } });
    seed(source, 3);
    const result = await sync(source, createMemorySink());
    expect(result.cursor).toBeNull();
  });

  it('deletes documents that changed to be excluded by rules', async () => {
    const source = createSyntheticSource();
    seed(source, 3);
    const sink = createMemorySink();
    const first = await sync(source, sink);
    source.put({ doc: { _id: 'doc-001', _timestamp: 'v2', size: 99 } });
    const rules: SyncRule[] = [
      { id: 'big', field: 'size', policy: 'exclude', rule: '>', value: '50', order: 1 },
    ];
    const result = await sync(source, sink, {
      jobType: 'incremental',
      cursor: first.cursor,
      filter: { rules, advanced_snippet: { value: {} } },
    });
    expect(result).toMatchObject({ filtered: 1, deleted: 1 });
    expect(ids(sink)).toEqual(['doc-000', 'doc-002']);
  });
});

describe('runSync: checkpoints, resume and cancellation', () => {
  it('saves a checkpoint only after every write before it was acknowledged', async () => {
    const source = createSyntheticSource();
    seed(source, 60);
    const sink = createMemorySink({ batchLimits: { maxOperations: 7, maxInFlight: 3 }, latencyMs: 3 });
    const violations: string[] = [];
    const saved: JsonValue[] = [];
    await sync(source, sink, {
      saveCheckpoint: (cp) => {
        const page = (cp as { checkpoint: { page: number } }).checkpoint.page;
        for (let i = 0; i < (page + 1) * 10; i += 1) {
          const id = `doc-${String(i).padStart(3, '0')}`;
          if (!sink.documents(INDEX).has(id)) violations.push(`${id} missing at page ${page}`);
        }
        saved.push(cp);
        return Promise.resolve();
      },
    });
    expect(violations).toEqual([]);
    expect(saved.length).toBeGreaterThan(0);
  });

  it('saves one checkpoint at a time and skips those outdated while a save was running', async () => {
    const source = createSyntheticSource();
    seed(source, 300);
    const sink = createMemorySink();
    const saved: number[] = [];
    let running = 0;
    let overlapping = 0;
    const result = await sync(source, sink, {
      saveCheckpoint: async (cp) => {
        running += 1;
        if (running > 1) overlapping += 1;
        saved.push((cp as { checkpoint: { page: number } }).checkpoint.page);
        await new Promise((resolve) => setTimeout(resolve, 40));
        running -= 1;
      },
    });
    expect(result.status).toBe('completed');
    expect(overlapping).toBe(0);
    // 30 pages, each with its checkpoint: far fewer saves, in increasing order, the last page among them.
    expect(saved.length).toBeGreaterThan(0);
    expect(saved.length).toBeLessThan(30);
    expect([...saved].sort((a, b) => a - b)).toEqual(saved);
    expect(new Set(saved).size).toBe(saved.length);
    expect(saved.at(-1)).toBe(29);
  });

  it('resumes a suspended full sync from its checkpoint, reading fewer pages, to the fault-free index', async () => {
    const make = () => {
      const source = createSyntheticSource();
      seed(source, 100);
      return source;
    };
    const initial = (sink: MemorySink) => {
      for (const id of ['stale-1', 'stale-2']) sink.documents(INDEX).set(id, { id, _timestamp: 'old' });
      sink.documents(INDEX).set('doc-005', { id: 'doc-005', _timestamp: 'old' });
    };
    // Fault-free reference.
    const reference = createMemorySink();
    initial(reference);
    const clean = make();
    await sync(clean, reference);

    const source = make();
    const sink = createMemorySink({ batchLimits: { maxOperations: 8 } });
    initial(sink);
    let stored: JsonValue | undefined;
    const controller = new AbortController();
    const events = createTypedEmitter<SyncEvents>();
    events.on('checkpoint:saved', (e) => {
      if ((e.checkpoint as { checkpoint: { page: number } }).checkpoint.page === 3) {
        controller.abort(new SuspendSignalReason('shutdown'));
      }
    });
    const first = await sync(source, sink, {
      signal: controller.signal,
      events,
      saveCheckpoint: (cp) => {
        stored = cp;
        return Promise.resolve();
      },
    });
    expect(first.status).toBe('suspended');
    expect(first.deleted).toBe(0);
    expect(ids(sink)).toContain('stale-1');
    const pagesBefore = source.pagesRead;

    const second = await sync(source, sink, {
      checkpoint: stored,
      saveCheckpoint: (cp) => {
        stored = cp;
        return Promise.resolve();
      },
    });
    expect(second.status).toBe('completed');
    expect(second.deleted).toBe(2);
    expect(snapshot(sink)).toEqual(snapshot(reference));
    expect(source.pagesRead - pagesBefore).toBeLessThan(10);
    expect(source.pagesRead).toBeLessThanOrEqual(11);
  });

  it('restarts from the beginning when the checkpoint has no reconciliation table', async () => {
    const source = createSyntheticSource();
    seed(source, 30);
    const sink = createMemorySink();
    sink.documents(INDEX).set('stale', { id: 'stale' });
    const result = await sync(source, sink, {
      jobKey: 'never-ran',
      checkpoint: { engine: 1, phase: 'full', checkpoint: { page: 1 } },
    });
    expect(result).toMatchObject({ status: 'completed', indexed: 30, deleted: 1 });
    expect(source.pagesRead).toBe(3);
  });

  it('cancels within a second even when the source hangs, deleting nothing', async () => {
    const source = createSyntheticSource();
    seed(source, 50);
    const sink = createMemorySink();
    await sync(source, sink);
    source.delete('doc-000');
    source.hangOnPage = 2;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    const result = await sync(source, sink, { signal: controller.signal });
    clearTimeout(timer);
    expect(result.status).toBe('canceled');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.deleted).toBe(0);
    expect(ids(sink)).toHaveLength(50);
    expect(result.total).toBeNull();
  });

  it('emits run:start, batch:committed, checkpoint:saved and run:end', async () => {
    const source = createSyntheticSource();
    seed(source, 12);
    const events = createTypedEmitter<SyncEvents>();
    const seen: string[] = [];
    for (const name of ['run:start', 'batch:committed', 'checkpoint:saved', 'run:end'] as const) {
      events.on(name, () => seen.push(name));
    }
    await sync(source, createMemorySink(), { events, saveCheckpoint: () => Promise.resolve() });
    expect(seen[0]).toBe('run:start');
    expect(seen.at(-1)).toBe('run:end');
    expect(seen).toContain('batch:committed');
    expect(seen).toContain('checkpoint:saved');
  });
});

describe('runSync: access control', () => {
  it('writes identity records, skips unchanged ones, updates changed ones and deletes vanished ones', async () => {
    const source = createSyntheticSource();
    const acl = '.search-acl-filter-search-test';
    source.identities = [
      {
        _id: 'alice',
        identity: { email: 'email:alice' },
        access_control: ['user:alice', 'group:eng'],
        _timestamp: '1',
      },
      { _id: 'bob', identity: { email: 'email:bob' }, access_control: ['user:bob'], _timestamp: '1' },
    ];
    const sink = createMemorySink();
    const first = await sync(source, sink, { jobType: 'access_control' });
    expect(first).toMatchObject({ status: 'completed', indexed: 2, total: 2 });
    expect(sink.documents(acl).get('alice')).toMatchObject({
      id: 'alice',
      identity: { email: 'email:alice' },
      query: { template: { params: { access_control: ['user:alice', 'group:eng'] } } },
      _timestamp: '1',
    });
    expect(sink.opened.at(-1)).toMatchObject({ indexName: acl, kind: 'access_control' });

    source.identities = [
      { _id: 'alice', identity: { email: 'email:alice' }, access_control: ['user:alice'], _timestamp: '2' },
      { _id: 'carol', identity: { email: 'email:carol' }, access_control: ['user:carol'] },
    ];
    const writesBefore = sink.writes.length;
    const second = await sync(source, sink, { jobType: 'access_control' });
    expect(second).toMatchObject({ status: 'completed', indexed: 2, deleted: 1, total: 2 });
    const ops = sink.writes.slice(writesBefore).flatMap((w) => w.operations.map((o) => `${o.op}:${o.id}`));
    expect(ops).toEqual(['update:alice', 'index:carol', 'delete:bob']);
    expect(sink.documents(acl).get('carol')?.['_timestamp']).toBe('2024-01-01T00:00:00.000Z');

    const third = await sync(source, sink, { jobType: 'access_control' });
    expect(third.unchanged).toBe(1);
  });
});

describe('runSync: more guarantees', () => {
  it('keeps at most concurrentDownloads extractions in flight', async () => {
    const source = createSyntheticSource();
    for (let i = 0; i < 30; i += 1)
      source.put({ doc: { _id: `f${i}`, _timestamp: '1' }, content: `text ${i}` });
    let active = 0;
    let peak = 0;
    const extractor: ContentExtractor = {
      async extract() {
        active += 1;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setTimeout(resolve, 3));
        active -= 1;
        return { kind: 'text', body: 'x', truncated: false };
      },
      close: () => Promise.resolve(),
    };
    const result = await sync(source, createMemorySink(), { extractor, limits: { concurrentDownloads: 4 } });
    expect(result.indexed).toBe(30);
    expect(peak).toBe(4);
  });

  it('resumes an incremental job that had fallen back to a full sync as a full sync', async () => {
    const source = createSyntheticSource();
    seed(source, 20);
    const sink = createMemorySink();
    sink.documents(INDEX).set('stale', { id: 'stale' });
    const result = await sync(source, sink, {
      jobType: 'incremental',
      cursor: 5,
      jobKey: 'fresh-key',
      checkpoint: { engine: 1, phase: 'full', checkpoint: { page: 0 } },
    });
    expect(result.status).toBe('completed');
    expect(result.fellBackToFull).toBe('resuming a full sync that replaced this incremental sync');
    // No reconciliation table survived for this key, so the listing restarted from the beginning.
    expect(result.indexed).toBe(20);
    expect(result.deleted).toBe(1);
  });

  it('runs a full sync when an incremental job has no stored cursor', async () => {
    const source = createSyntheticSource();
    seed(source, 5);
    const result = await sync(source, createMemorySink(), { jobType: 'incremental', cursor: null });
    expect(result).toMatchObject({ status: 'completed', indexed: 5, cursor: 5 });
    expect(result.fellBackToFull).toBe('no stored cursor (no successful sync yet)');
  });

  it('refuses a source speaking another API version', async () => {
    const source = createSyntheticSource();
    const instance = await source.definition.create(
      { token: 'good-token', page_size: 10 },
      createTestContext(),
    );
    const result = await runSync({
      source: { ...source.definition, apiVersion: 2 as 1 },
      instance,
      sink: createMemorySink(),
      indexName: INDEX,
      jobType: 'full',
      signal: new AbortController().signal,
      scratchDir,
    });
    expect(result.status).toBe('error');
    expect(result.error?.message).toBe('[synthetic] speaks source API version 2, this framework speaks 1');
  });
});

describe('runSync: cancellation while reading the index', () => {
  it('cancels within a second while the sink streams existing ids slowly', async () => {
    const source = createSyntheticSource();
    seed(source, 5);
    const sink = createMemorySink();
    for (let i = 0; i < 10; i += 1) sink.documents(INDEX).set(`old-${i}`, { id: `old-${i}` });
    const slowSink: MemorySink = {
      ...sink,
      async openIndex(options) {
        const writer = await sink.openIndex(options);
        return {
          ...writer,
          async *existing() {
            yield { id: 'old-0', timestamp: undefined };
            await new Promise(() => undefined);
          },
        };
      },
    };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const started = performance.now();
    const result = await sync(source, slowSink, { signal: controller.signal });
    expect(result.status).toBe('canceled');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(sink.documents(INDEX).size).toBe(10);
  });
});

describe('runSync: cancellation with a stuck sink', () => {
  it('returns within a second when a batch write never completes', async () => {
    const source = createSyntheticSource();
    seed(source, 40);
    const sink = createMemorySink({
      batchLimits: { maxOperations: 5, maxInFlight: 2 },
      beforeWrite: () => new Promise(() => undefined),
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const started = performance.now();
    const result = await sync(source, sink, { signal: controller.signal });
    expect(result.status).toBe('canceled');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.indexed).toBe(0);
  });
});
