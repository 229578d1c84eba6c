import { Client, errors } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEsFake, type EsFake } from './index.js';

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
