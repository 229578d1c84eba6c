import { Client, errors } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEsFake, type EsFake } from '../src/index.js';

describe('search contexts and options', () => {
  let es: EsFake;
  let client: Client;
  let now = Date.parse('2025-03-01T00:00:00Z');

  beforeAll(async () => {
    es = await createEsFake({ now: () => now, refreshIntervalMs: false });
    client = new Client({ node: es.url });
    await client.bulk({
      refresh: true,
      operations: Array.from({ length: 25 }, (_, i) => [
        { index: { _index: 'ctx', _id: `d${i}` } },
        { n: i, k: `k${i % 3}` },
      ]).flat(),
    });
  });
  afterAll(async () => {
    await client.close();
    await es.close();
  });

  const status = async (p: Promise<unknown>): Promise<[number, string | undefined]> => {
    const err = await p.then(() => undefined).catch((e: unknown) => e);
    if (!(err instanceof errors.ResponseError)) return [200, undefined];
    const body = err.body as { error?: { type?: string; root_cause?: { type: string }[] } };
    return [err.statusCode ?? 0, body.error?.root_cause?.[0]?.type ?? body.error?.type];
  };

  it('expires a point in time after its keep-alive (404 search_context_missing_exception)', async () => {
    const pit = await client.openPointInTime({ index: 'ctx', keep_alive: '1m' });
    expect((await client.search({ pit: { id: pit.id }, size: 1 })).hits.hits).toHaveLength(1);
    now += 2 * 60_000;
    expect(await status(client.search({ pit: { id: pit.id }, size: 1 }))).toEqual([
      404,
      'search_context_missing_exception',
    ]);
    expect(await client.closePointInTime({ id: pit.id })).toMatchObject({ succeeded: true, num_freed: 0 });
  });

  it('rejects from with scroll, search_after with from, and windows beyond 10000', async () => {
    expect((await status(client.search({ index: 'ctx', scroll: '1m', from: 5 })))[0]).toBe(400);
    expect(
      (await status(client.search({ index: 'ctx', sort: [{ n: 'asc' }], search_after: [3], from: 2 })))[0],
    ).toBe(400);
    expect((await status(client.search({ index: 'ctx', from: 9995, size: 10 })))[0]).toBe(400);
  });

  it('pages with from/size and search_after on a numeric sort, returning sort values', async () => {
    const page = await client.search({ index: 'ctx', sort: [{ n: 'desc' }], from: 2, size: 3 });
    expect(page.hits.hits.map((h) => h._id)).toEqual(['d22', 'd21', 'd20']);
    expect(page.hits.hits[0]?.sort).toEqual([22]);
    expect(page.hits.hits[0]?._score).toBeNull();
    const after = await client.search({
      index: 'ctx',
      sort: [{ 'k.keyword': 'asc' }, { n: 'asc' }],
      search_after: ['k1', 22],
      size: 2,
    });
    expect(after.hits.hits.map((h) => h._id)).toEqual(['d2', 'd5']);
  });

  it('reports totals as gte when capped and omits them with track_total_hits false', async () => {
    const capped = await client.search({ index: 'ctx', track_total_hits: 10, size: 0 });
    expect(capped.hits.total).toEqual({ value: 10, relation: 'gte' });
    const none = await client.search({ index: 'ctx', track_total_hits: false, size: 0 });
    expect(none.hits.total).toBeUndefined();
    const asInt = await client.search({ index: 'ctx', rest_total_hits_as_int: true, size: 0 });
    expect(asInt.hits.total).toBe(25);
  });

  it('supports q= lucene queries and _source_includes on search', async () => {
    const res = await client.search({ index: 'ctx', q: 'k:k2 AND n:5', _source_includes: ['n'] });
    expect(res.hits.hits.map((h) => [h._id, h._source])).toEqual([['d5', { n: 5 }]]);
  });

  it('mget accepts ids with the index in the path', async () => {
    const res = await client.mget({ index: 'ctx', ids: ['d1', 'nope'] });
    expect(res.docs.map((d) => ('found' in d ? d.found : 'error'))).toEqual([true, false]);
  });
});
