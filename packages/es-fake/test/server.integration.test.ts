import { Client, errors } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEsFake, type EsFake } from '../src/index.js';

describe('createEsFake basics through the v8 client', () => {
  let es: EsFake;
  let client: Client;
  beforeAll(async () => {
    es = await createEsFake({ seed: 1 });
    client = new Client({ node: es.url });
  });
  afterAll(async () => {
    await client.close();
    await es.close();
  });

  it('answers info with the configured version and the product header', async () => {
    const res = await client.info({}, { meta: true });
    expect(res.headers['x-elastic-product']).toBe('Elasticsearch');
    expect(res.body.version.number).toBe('8.17.0');
    expect(res.body.tagline).toBe('You Know, for Search');
  });

  it('indexes, refreshes and searches documents', async () => {
    await client.indices.create({ index: 'basic', settings: { refresh_interval: '-1' } });
    const created = await client.index({ index: 'basic', id: '1', document: { title: 'Hello World', n: 1 } });
    expect(created.result).toBe('created');
    expect(created._version).toBe(1);
    expect((await client.count({ index: 'basic' })).count).toBe(0);
    const got = await client.get({ index: 'basic', id: '1' });
    expect(got._source).toEqual({ title: 'Hello World', n: 1 });
    await client.indices.refresh({ index: 'basic' });
    const res = await client.search({ index: 'basic', query: { match: { title: 'hello' } } });
    expect(res.hits.hits.map((h) => h._id)).toEqual(['1']);
    const kw = await client.search({ index: 'basic', query: { term: { 'title.keyword': 'Hello World' } } });
    expect(kw.hits.total).toEqual({ value: 1, relation: 'eq' });
  });

  it('rejects unknown query parameters with illegal_argument_exception', async () => {
    const err = await client.transport
      .request({ method: 'GET', path: '/basic/_search', querystring: { bogus: 'x' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(errors.ResponseError);
    const re = err as errors.ResponseError;
    expect(re.statusCode).toBe(400);
    expect(re.body.error.type).toBe('illegal_argument_exception');
    expect(re.body.error.reason).toContain('unrecognized parameter: [bogus]');
  });
});

describe('createEsFake options and transport details', () => {
  it('answers as a 9.x cluster to the v8 client (compatible-with=8) and reports 9.x in info', async () => {
    await using es = await createEsFake({ version: '9.1.0' });
    const client = new Client({ node: es.url });
    const info = await client.info();
    expect(info.version.number).toBe('9.1.0');
    expect((await client.index({ index: 'v9', id: '1', document: { a: 1 } })).result).toBe('created');
    await client.close();
  });

  it('rejects the v9 client media type on an 8.x server', async () => {
    await using es = await createEsFake();
    const res = await fetch(`${es.url}/`, {
      headers: { accept: 'application/vnd.elasticsearch+json; compatible-with=9' },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-elastic-product')).toBe('Elasticsearch');
    const body = (await res.json()) as { error: { type: string; caused_by: { reason: string } } };
    expect(body.error.type).toBe('media_type_header_exception');
    expect(body.error.caused_by.reason).toContain(
      'Accept version must be either version 8 or 7, but found 9',
    );
  });

  it('answers 406 with a string error for a body without or with an unsupported Content-Type', async () => {
    await using es = await createEsFake();
    const missing = await fetch(`${es.url}/x/_doc/1`, {
      method: 'PUT',
      body: new Uint8Array(Buffer.from('{"a":1}')),
    });
    expect(missing.status).toBe(406);
    expect(await missing.json()).toEqual({ error: 'Content-Type header is missing', status: 406 });
    const text = await fetch(`${es.url}/x/_doc/1`, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain' },
      body: '{"a":1}',
    });
    expect(await text.json()).toEqual({
      error: 'Content-Type header [text/plain] is not supported',
      status: 406,
    });
  });

  it('requires credentials once any are configured and answers the documented 401', async () => {
    await using es = await createEsFake({
      auth: { users: { elastic: 'changeme' }, apiKeys: { k1: { key: 's1' } } },
    });
    const anonymous = await fetch(`${es.url}/idx/_search`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('ApiKey');
    const body = (await anonymous.json()) as { error: { type: string; reason: string; header: unknown } };
    expect(body.error.type).toBe('security_exception');
    expect(body.error.reason).toBe('missing authentication credentials for REST request [/idx/_search]');
    const basic = new Client({ node: es.url, auth: { username: 'elastic', password: 'changeme' } });
    expect((await basic.security.authenticate()).username).toBe('elastic');
    const wrong = new Client({ node: es.url, auth: { username: 'elastic', password: 'nope' } });
    await expect(wrong.info()).rejects.toMatchObject({ statusCode: 401 });
    const key = new Client({ node: es.url, auth: { apiKey: { id: 'k1', api_key: 's1' } } });
    const me = await key.security.authenticate();
    expect(me.authentication_type).toBe('api_key');
    expect(me.api_key?.id).toBe('k1');
    await Promise.all([basic.close(), wrong.close(), key.close()]);
  });

  it('keeps secrets out of error bodies for bad API keys', async () => {
    await using es = await createEsFake({ auth: { apiKeys: { k1: { key: 'top-secret' } } } });
    const res = await fetch(`${es.url}/`, {
      headers: { authorization: `ApiKey ${Buffer.from('k1:top-secretX').toString('base64')}` },
    });
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('top-secret');
  });

  it('emulates the default search pipeline on bulk (attachment to body, meta fields removed)', async () => {
    await using es = await createEsFake();
    const client = new Client({ node: es.url });
    const res = await client.bulk({
      pipeline: 'search-default-ingestion',
      operations: [
        { index: { _index: 'content', _id: '1' } },
        {
          title: 'a',
          _attachment: Buffer.from('  hello \n\n world ').toString('base64'),
          _extract_binary_content: true,
          _reduce_whitespace: true,
          _run_ml_inference: false,
        },
        { index: { _index: 'content', _id: '2', pipeline: 'missing-pipeline' } },
        { title: 'b' },
      ],
    });
    expect(res.errors).toBe(true);
    expect(res.items[1]?.index?.error?.reason).toBe('pipeline with id [missing-pipeline] does not exist');
    expect(es.state.document('content', '1')?._source).toEqual({ title: 'a', body: 'hello world' });
    await client.close();
  });

  it('accepts gzip request bodies, applies filter_path and records requests per API', async () => {
    await using es = await createEsFake();
    const client = new Client({ node: es.url, compression: true });
    await client.index({ index: 'gz', id: '1', document: { a: 'x'.repeat(2000) }, refresh: true });
    const filtered = await client.search({ index: 'gz', filter_path: 'hits.hits._id' });
    expect(filtered).toEqual({ hits: { hits: [{ _id: '1' }] } });
    expect(es.state.counters()).toMatchObject({ index: 1, search: 1 });
    expect(es.state.requests.map((r) => `${r.method} ${r.api ?? '-'} ${r.status}`)).toEqual([
      'PUT index 201',
      'GET search 200',
    ]);
    await client.close();
  });

  it('makes unrefreshed writes visible to search after the periodic refresh interval', async () => {
    let now = 1_000_000;
    await using es = await createEsFake({ now: () => now, refreshIntervalMs: 1000 });
    const client = new Client({ node: es.url });
    await client.index({ index: 'periodic', id: '1', document: { a: 1 } });
    expect((await client.count({ index: 'periodic' })).count).toBe(0);
    now += 1000;
    expect((await client.count({ index: 'periodic' })).count).toBe(1);
    await client.close();
  });

  it('answers unsupported real features with a loud fake: unsupported error', async () => {
    await using es = await createEsFake();
    const client = new Client({ node: es.url });
    await client.indices.create({ index: 'agg' });
    const err = await client
      .search({ index: 'agg', aggs: { x: { terms: { field: 'a' } } } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(errors.ResponseError);
    expect((err as errors.ResponseError).body.error.reason).toMatch(/^fake: unsupported/);
    const api = await client.indices.getIndexTemplate({ name: 'x' }).catch((e: unknown) => e);
    expect((api as errors.ResponseError).body.error.reason).toMatch(
      /^fake: unsupported API \[indices.get_index_template\]/,
    );
    await client.close();
  });
});

describe('stats and health', () => {
  it('reports refreshed document counts per index and a single-node health', async () => {
    await using es = await createEsFake({ refreshIntervalMs: false });
    const client = new Client({ node: es.url });
    await client.indices.create({ index: 'st', settings: { number_of_replicas: 0 } });
    await client.bulk({
      refresh: true,
      operations: [
        { index: { _index: 'st', _id: '1' } },
        { a: 1 },
        { index: { _index: 'st', _id: '2' } },
        { a: 2 },
      ],
    });
    await client.index({ index: 'st', id: '3', document: { a: 3 } });
    const stats = await client.indices.stats({ index: 'st' });
    expect(stats._all.primaries?.docs?.count).toBe(2);
    expect(stats.indices?.st?.primaries?.docs?.count).toBe(2);
    expect((await client.cluster.health()).status).toBe('green');
    await client.indices.create({ index: 'with-replica' });
    expect((await client.cluster.health()).status).toBe('yellow');
    await client.close();
  });
});

describe('lifecycle', () => {
  it('stops listening when its AbortSignal aborts', async () => {
    const controller = new AbortController();
    const es = await createEsFake({ signal: controller.signal });
    expect((await fetch(`${es.url}/`)).status).toBe(200);
    controller.abort();
    await es.close();
    await expect(fetch(`${es.url}/`)).rejects.toThrow();
  });
});

describe('bulk edge rules', () => {
  it('does not auto-create an index for a delete and rejects updates without doc', async () => {
    await using es = await createEsFake();
    const client = new Client({ node: es.url });
    const res = await client.bulk({ operations: [{ delete: { _index: 'never-created', _id: '1' } }] });
    expect(res.errors).toBe(true);
    expect(res.items[0]?.delete?.status).toBe(404);
    expect(res.items[0]?.delete?.error?.type).toBe('index_not_found_exception');
    expect(es.state.hasIndex('never-created')).toBe(false);
    const err = await client
      .bulk({ operations: [{ update: { _index: 'u', _id: '1' } }, { upsert: { a: 1 } }] })
      .catch((e: unknown) => e);
    expect((err as errors.ResponseError).statusCode).toBe(400);
    expect((err as errors.ResponseError).body.error.type).toBe('action_request_validation_exception');
    await client.close();
  });
});

describe('response headers', () => {
  it('warns about direct system-index access unless the product-origin header is sent, and echoes x-opaque-id', async () => {
    await using es = await createEsFake();
    const client = new Client({ node: es.url, opaqueIdPrefix: 'svc::' });
    await client.transport.request({
      method: 'PUT',
      path: '/_connector/c1',
      body: { index_name: 'search-c1' },
    });
    const direct = await client.get(
      { index: '.elastic-connectors', id: 'c1' },
      { meta: true, opaqueId: 'abc' },
    );
    expect(direct.warnings?.[0]).toContain('this request accesses system indices: [.elastic-connectors]');
    expect(direct.headers['x-opaque-id']).toBe('svc::abc');
    const quiet = await client.get(
      { index: '.elastic-connectors', id: 'c1' },
      { meta: true, headers: { 'x-elastic-product-origin': 'connectors' } },
    );
    expect(quiet.warnings ?? null).toBeNull();
    await client.close();
  });
});
