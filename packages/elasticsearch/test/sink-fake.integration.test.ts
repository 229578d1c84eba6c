import { afterEach, describe, expect, it } from 'vitest';
import { createEsFake, type EsFake } from '@connectors/es-fake';
import { AbortError, ConfigError, type SinkOperation } from '@connectors/framework';
import { createElasticsearchClient, createElasticsearchSink } from '../src/index.js';

const FAST = { maxRetries: 3, initialDelayMs: 5, maxDelayMs: 20 };
const signal = new AbortController().signal;
let fake: EsFake | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(version = '8.17.0', pageSize = 1000) {
  fake = await createEsFake({ version, refreshIntervalMs: false });
  const client = createElasticsearchClient({ host: fake.url });
  const sink = createElasticsearchSink(client, { retry: FAST, pageSize });
  return { fake, client, sink };
}

const docs = (from: number, to: number): SinkOperation[] =>
  Array.from({ length: to - from }, (_, i) => ({
    op: 'index' as const,
    id: `doc-${from + i}`,
    document: {
      id: `doc-${from + i}`,
      title: `Title ${from + i}`,
      _timestamp: `2026-01-0${1 + ((from + i) % 9)}`,
    },
  }));

describe('Elasticsearch sink against the fake', () => {
  it('streams every existing id exactly once through a point in time across pages and closes it', async () => {
    const { fake, sink } = await setup('8.17.0', 100);
    const writer = await sink.openIndex({ indexName: 'search-pit', kind: 'content', signal });
    const outcome = await writer.write(docs(0, 250), signal);
    expect(outcome).toMatchObject({ indexed: 250, failures: [] });
    const seen = new Map<string, string | undefined>();
    for await (const existing of writer.existing(signal)) {
      expect(seen.has(existing.id)).toBe(false);
      seen.set(existing.id, existing.timestamp);
    }
    expect(seen.size).toBe(250);
    expect(seen.get('doc-10')).toBe('2026-01-02');
    const counters = fake.state.counters();
    expect(counters.open_point_in_time).toBe(1);
    expect(counters.close_point_in_time).toBe(1);
    expect(counters.search).toBe(3);
  });

  it('closes the point in time when the consumer stops early', async () => {
    const { fake, sink } = await setup('8.17.0', 10);
    const writer = await sink.openIndex({ indexName: 'search-early', kind: 'content', signal });
    await writer.write(docs(0, 50), signal);
    let taken = 0;
    for await (const _ of writer.existing(signal)) if (++taken === 15) break;
    expect(fake.state.counters().close_point_in_time).toBe(1);
  });

  it('counts visible documents and lists nothing for a missing index', async () => {
    const { sink } = await setup();
    const writer = await sink.openIndex({
      indexName: '.search-acl-filter-search-none',
      kind: 'access_control',
      signal,
    });
    expect(await writer.count(signal)).toBe(0);
    const ids: string[] = [];
    for await (const existing of writer.existing(signal)) ids.push(existing.id);
    expect(ids).toEqual([]);
  });

  it('creates a missing 8.x content index with the analysis settings and mappings', async () => {
    const { fake, sink } = await setup('8.17.0');
    await sink.openIndex({ indexName: 'search-new', kind: 'content', signal });
    const mappings = fake.state.mappings('search-new') as Record<string, unknown>;
    expect(JSON.stringify(mappings)).toContain('iq_text_base');
    expect((mappings.properties as Record<string, unknown>).id).toEqual({ type: 'keyword' });
  });

  it('creates a missing 9.x content index with no body', async () => {
    const { fake, sink } = await setup('9.1.0');
    await sink.openIndex({ indexName: 'search-nine', kind: 'content', signal });
    expect(fake.state.hasIndex('search-nine')).toBe(true);
    expect(JSON.stringify(fake.state.mappings('search-nine') ?? {})).not.toContain('iq_text_base');
  });

  it('refuses an invalid index name before sending anything', async () => {
    const { fake, sink } = await setup();
    fake.state.clearRequestLog();
    const error = await sink
      .openIndex({ indexName: 'Search Docs', kind: 'content', signal })
      .catch((caught: unknown) => caught);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('Invalid index name [Search Docs], must not contain');
    expect(fake.state.requests).toHaveLength(0);
  });

  it('retries bulk items the cluster rejects with 429', async () => {
    const { fake, sink } = await setup();
    const writer = await sink.openIndex({ indexName: 'search-throttle', kind: 'content', signal });
    fake.faults.rejectBulkItems({ times: 3 });
    const outcome = await writer.write(docs(0, 10), signal);
    expect(outcome).toMatchObject({ indexed: 10, failures: [] });
    await writer.refresh(signal);
    expect(await writer.count(signal)).toBe(10);
  });

  it('writes identities to an auto-created ACL index and deletes stale ones', async () => {
    const { fake, sink } = await setup();
    const acl = '.search-acl-filter-search-docs';
    const writer = await sink.openIndex({ indexName: acl, kind: 'access_control', signal });
    const identity = (id: string): SinkOperation => ({
      op: 'index',
      id,
      document: {
        id,
        identity: { email: `email:${id}` },
        query: { template: { params: { access_control: [`email:${id}`] }, source: '{}' } },
      },
    });
    const first = await writer.write([identity('a@x.io'), identity('b@x.io')], signal);
    expect(first).toMatchObject({ indexed: 2, failures: [] });
    expect(fake.state.hasIndex(acl)).toBe(true);
    const second = await writer.write(
      [
        { op: 'update', id: 'a@x.io', document: { identity: { email: 'email:a@x.io', user: 'user:a' } } },
        { op: 'delete', id: 'b@x.io' },
      ],
      signal,
    );
    expect(second).toMatchObject({ indexed: 1, deleted: 1, failures: [] });
    expect(fake.state.documents(acl).map((doc) => doc._id)).toEqual(['a@x.io']);
    expect(fake.state.document(acl, 'a@x.io')?._source.identity).toEqual({
      email: 'email:a@x.io',
      user: 'user:a',
    });
  });

  it('reports an unknown pipeline as per-item failures with the reason', async () => {
    const { sink } = await setup();
    const writer = await sink.openIndex({
      indexName: 'search-pipe',
      kind: 'content',
      pipeline: {
        name: 'no-such-pipeline',
        extract_binary_content: true,
        reduce_whitespace: true,
        run_ml_inference: true,
      },
      signal,
    });
    const outcome = await writer.write(docs(0, 2), signal);
    expect(outcome.indexed).toBe(0);
    expect(outcome.failures.map((failure) => failure.reason)).toEqual([
      expect.stringContaining('no-such-pipeline'),
      expect.stringContaining('no-such-pipeline'),
    ]);
  });

  it('stops a bulk write waiting on a slow cluster as soon as the signal aborts', async () => {
    const { fake, sink } = await setup();
    const writer = await sink.openIndex({ indexName: 'search-slow', kind: 'content', signal });
    fake.faults.delay(5000, { api: 'bulk' });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    const error = await writer.write(docs(0, 3), controller.signal).catch((caught: unknown) => caught);
    expect(AbortError.isInstance(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('closes the point in time when listing is aborted', async () => {
    const { fake, sink } = await setup('8.17.0', 10);
    const writer = await sink.openIndex({ indexName: 'search-abort', kind: 'content', signal });
    await writer.write(docs(0, 40), signal);
    const controller = new AbortController();
    let taken = 0;
    const error = await (async () => {
      for await (const _ of writer.existing(controller.signal)) if (++taken === 12) controller.abort();
    })().catch((caught: unknown) => caught);
    expect(AbortError.isInstance(error)).toBe(true);
    expect(taken).toBeLessThan(40);
    expect(fake.state.counters().close_point_in_time).toBe(1);
  });

  it('splits batches over the cluster http.max_content_length until every document is indexed', async () => {
    fake = await createEsFake({ refreshIntervalMs: false, maxContentLength: 4000 });
    const client = createElasticsearchClient({ host: fake.url });
    const sink = createElasticsearchSink(client, { retry: FAST });
    const writer = await sink.openIndex({ indexName: 'search-small', kind: 'content', signal });
    const operations: SinkOperation[] = Array.from({ length: 40 }, (_, i) => ({
      op: 'index',
      id: `d${i}`,
      document: { body: 'z'.repeat(200) },
    }));
    const outcome = await writer.write(operations, signal);
    expect(outcome).toMatchObject({ indexed: 40, failures: [] });
    expect(fake.state.documents('search-small')).toHaveLength(40);
    expect(fake.state.requests.some((request) => request.api === 'bulk' && request.status === 413)).toBe(
      true,
    );
  });

  it('rides out request-level 503s and 429s from the cluster', async () => {
    const { fake, sink } = await setup();
    const writer = await sink.openIndex({ indexName: 'search-faults', kind: 'content', signal });
    fake.faults.failNext(2, 503, { api: 'bulk' });
    expect(await writer.write(docs(0, 5), signal)).toMatchObject({ indexed: 5, failures: [] });
    fake.faults.failNext(1, 429, { api: 'bulk' }, 0);
    expect(await writer.write(docs(5, 10), signal)).toMatchObject({ indexed: 5, failures: [] });
    expect(
      fake.state.requests.filter((request) => request.api === 'bulk').map((request) => request.status),
    ).toEqual([503, 503, 200, 429, 200]);
    await writer.refresh(signal);
    expect(await writer.count(signal)).toBe(10);
  });
});
