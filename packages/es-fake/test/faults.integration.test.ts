import { Client, errors } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import { createEsFake } from '../src/index.js';

describe('fault injection', () => {
  it('answers the next N matching requests with 429 and Retry-After, then recovers', async () => {
    await using es = await createEsFake();
    const handle = es.faults.failNext(2, 429, { api: 'info' }, 7);
    const first = await fetch(`${es.url}/`);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    expect(((await first.json()) as { error: { type: string } }).error.type).toBe(
      'es_rejected_execution_exception',
    );
    expect((await fetch(`${es.url}/`)).status).toBe(429);
    expect((await fetch(`${es.url}/`)).status).toBe(200);
    expect(handle.hits).toBe(2);
  });

  it('answers 413 with an empty body', async () => {
    await using es = await createEsFake();
    es.faults.failNext(1, 413, { api: 'bulk' });
    const res = await fetch(`${es.url}/_bulk`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: '{"index":{"_index":"a"}}\n{}\n',
    });
    expect(res.status).toBe(413);
    expect(await res.text()).toBe('');
  });

  it('answers real 413s for bodies above maxContentLength', async () => {
    await using es = await createEsFake({ maxContentLength: 1024 });
    const res = await fetch(`${es.url}/a/_doc/1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: 'x'.repeat(2000) }),
    });
    expect(res.status).toBe(413);
  });

  it('drops connections so the client sees a ConnectionError after its retries', async () => {
    await using es = await createEsFake();
    es.faults.dropConnections(10, { path: '/' });
    const client = new Client({ node: es.url, maxRetries: 1 });
    const err = await client.info().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(errors.ConnectionError);
    expect(es.state.requests.filter((r) => r.path === '/').length).toBe(2);
    await client.close();
  });

  it('delays matching responses', async () => {
    await using es = await createEsFake();
    es.faults.delay(150, { api: 'info' }, 1);
    const started = Date.now();
    await fetch(`${es.url}/`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('is deterministic for rate-based faults when seeded', async () => {
    const pattern = async (): Promise<number[]> => {
      await using es = await createEsFake({ seed: 7 });
      es.faults.inject({ rate: 0.5, action: { kind: 'status', status: 503 } });
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await fetch(`${es.url}/_license`)).status);
      return out;
    };
    const a = await pattern();
    expect(a).toEqual(await pattern());
    expect(a).toContain(503);
    expect(a).toContain(200);
  });

  it('rejects bulk items at a rate with item-level 429s and an exact errors flag', async () => {
    await using es = await createEsFake({ seed: 3 });
    const client = new Client({ node: es.url });
    es.faults.rejectBulkItems({ rate: 1, index: 'only-this' });
    const res = await client.bulk({
      operations: [
        { index: { _index: 'only-this', _id: '1' } },
        { a: 1 },
        { index: { _index: 'other', _id: '1' } },
        { a: 1 },
      ],
    });
    expect(res.errors).toBe(true);
    expect(res.items.map((i) => i.index?.status)).toEqual([429, 201]);
    expect(res.items[0]?.index?.error?.type).toBe('es_rejected_execution_exception');
    await client.close();
  });
});

describe('per-index write blocks', () => {
  it('fails writes to a blocked index (request-level and item-level) until removed', async () => {
    await using es = await createEsFake();
    const client = new Client({ node: es.url });
    const block = es.faults.blockWrites('locked', 429);
    const single = await client
      .index({ index: 'locked', id: '1', document: { a: 1 } })
      .catch((e: unknown) => e);
    expect((single as errors.ResponseError).statusCode).toBe(429);
    const bulk = await client.bulk({
      operations: [
        { index: { _index: 'locked', _id: '2' } },
        { a: 1 },
        { index: { _index: 'open', _id: '1' } },
        { a: 1 },
      ],
    });
    expect(bulk.items.map((i) => i.index?.status)).toEqual([429, 201]);
    expect(bulk.items[0]?.index?.error?.type).toBe('es_rejected_execution_exception');
    expect(block.hits).toBe(2);
    block.remove();
    expect((await client.index({ index: 'locked', id: '1', document: { a: 1 } })).result).toBe('created');
    await client.close();
  });
});

describe('connector system indices', () => {
  it('applies the built-in template when the service creates .elastic-connectors-v1 directly', async () => {
    await using es = await createEsFake();
    const client = new Client({ node: es.url });
    await client.indices.create({ index: '.elastic-connectors-v1' });
    expect(await client.indices.exists({ index: '.elastic-connectors' })).toBe(true);
    const mapping = await client.indices.getMapping({ index: '.elastic-connectors' });
    expect(mapping['.elastic-connectors-v1']?.mappings.properties?.status).toEqual({ type: 'keyword' });
    await client.close();
  });
});
