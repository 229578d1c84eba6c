import { Client, errors, type ClientOptions } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Faults } from '../faults.js';

/** A cluster the contract suite runs against (the fake or a real Elasticsearch). */
export interface EsContractTarget {
  /** Base URL, e.g. `http://127.0.0.1:9200`. */
  readonly url: string;
  /** Credentials of a user allowed to do everything the suite does (omit when security is off). */
  readonly auth?: ClientOptions['auth'];
  /** Fault injection switches; fault tests run only when present (the fake). */
  readonly faults?: Faults;
  /** Releases the target (stops the fake; no-op for a real cluster). */
  close(): Promise<void>;
}

/** Options of {@link describeEsContract}. */
export interface EsContractOptions {
  /** Suite name suffix, e.g. `fake` or `real cluster`. */
  readonly name: string;
  /** Starts or connects to the target once for the whole suite. */
  setup(): Promise<EsContractTarget>;
}

interface Ctx {
  target: EsContractTarget;
  client: Client;
  major: number;
  minor: number;
  security: boolean;
  run: string;
  counter: number;
  indices: Set<string>;
  connectors: Set<string>;
}

async function esError(
  promise: Promise<unknown>,
  status: number,
  type?: string,
): Promise<Record<string, unknown>> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected HTTP ${status}${type !== undefined ? ` ${type}` : ''}`).toBeInstanceOf(
    errors.ResponseError,
  );
  const re = caught as errors.ResponseError;
  expect(re.statusCode).toBe(status);
  const body = (typeof re.body === 'object' && re.body !== null ? re.body : {}) as Record<string, unknown>;
  if (type !== undefined) expect((body.error as { type?: string } | undefined)?.type).toBe(type);
  return body;
}

function errorOf(body: Record<string, unknown>): { type: string; reason: string; [k: string]: unknown } {
  return body.error as { type: string; reason: string };
}

/**
 * Registers the Elasticsearch wire contract (elasticsearch-wire.md §8) as vitest suites. The same
 * assertions run against the fake and, when configured, a real cluster.
 * @example
 * describeEsContract({ name: 'fake', setup: async () => { const es = await createEsFake(); return { url: es.url, close: () => es.close() }; } });
 */
export function describeEsContract(options: EsContractOptions): void {
  describe(`Elasticsearch wire contract (${options.name})`, () => {
    const ctx = {} as Ctx;
    const name = (): string => `ct-${ctx.run}-${++ctx.counter}`;
    const createIndex = async (mappings?: Record<string, unknown>): Promise<string> => {
      const index = name();
      await ctx.client.indices.create({
        index,
        settings: { number_of_replicas: 0, refresh_interval: '-1' },
        ...(mappings !== undefined ? { mappings } : {}),
      });
      ctx.indices.add(index);
      return index;
    };

    beforeAll(async () => {
      ctx.target = await options.setup();
      ctx.client = new Client({
        node: ctx.target.url,
        ...(ctx.target.auth !== undefined ? { auth: ctx.target.auth } : {}),
      });
      const info = await ctx.client.info();
      const [major, minor] = info.version.number.split('.').map(Number);
      ctx.major = major ?? 8;
      ctx.minor = minor ?? 0;
      const anonymous = new Client({ node: ctx.target.url });
      ctx.security = !(await anonymous.ping().catch(() => false));
      await anonymous.close();
      ctx.run = Math.random().toString(36).slice(2, 8);
      ctx.counter = 0;
      ctx.indices = new Set();
      ctx.connectors = new Set();
    });

    afterAll(async () => {
      for (const id of ctx.connectors) {
        await ctx.client.transport
          .request({
            method: 'DELETE',
            path: `/_connector/${encodeURIComponent(id)}`,
            querystring: { delete_sync_jobs: true, ...(ctx.major >= 9 ? { hard: true } : {}) },
          })
          .catch(() => undefined);
      }
      for (const index of ctx.indices)
        await ctx.client.indices.delete({ index }, { ignore: [404] }).catch(() => undefined);
      await ctx.client.close();
      await ctx.target.close();
    });

    describe('transport and product', () => {
      it('sends x-elastic-product on 2xx and describes the cluster in info()', async () => {
        const res = await ctx.client.info({}, { meta: true });
        expect(res.headers['x-elastic-product']).toBe('Elasticsearch');
        expect(res.body.version.number).toMatch(/^\d+\.\d+\.\d+/);
        expect(typeof res.body.tagline).toBe('string');
        expect(typeof res.body.cluster_name).toBe('string');
      });

      it('answers ping() with true and indices.exists on a missing index with false', async () => {
        expect(await ctx.client.ping()).toBe(true);
        expect(await ctx.client.indices.exists({ index: `${name()}-missing` })).toBe(false);
      });

      it('rejects an unknown query parameter with illegal_argument_exception', async () => {
        const body = await esError(
          ctx.client.transport.request({
            method: 'GET',
            path: '/_search',
            querystring: { no_such_param: 'x' },
          }),
          400,
          'illegal_argument_exception',
        );
        expect(errorOf(body).reason).toContain('unrecognized parameter');
      });

      it('rejects a compatible-with version above the server major with media_type_header_exception', async () => {
        const v = ctx.major + 1;
        await esError(
          ctx.client.transport.request(
            { method: 'GET', path: '/' },
            {
              headers: {
                accept: `application/vnd.elasticsearch+json; compatible-with=${v}`,
                'content-type': `application/vnd.elasticsearch+json; compatible-with=${v}`,
              },
            },
          ),
          400,
          'media_type_header_exception',
        );
      });

      it('answers an unknown path with the string-error 400 and a wrong method with 405', async () => {
        const body = await esError(
          ctx.client.transport.request({ method: 'GET', path: '/_connector/x/_filtering/activate' }),
          400,
        );
        expect(body.error).toBe(
          'no handler found for uri [/_connector/x/_filtering/activate] and method [GET]',
        );
        const wrong = await esError(ctx.client.transport.request({ method: 'GET', path: '/_bulk' }), 405);
        expect(String(wrong.error)).toContain('Incorrect HTTP method for uri [/_bulk] and method [GET]');
      });
    });

    describe('security', () => {
      it('answers missing credentials with 401 security_exception and WWW-Authenticate', async (t) => {
        if (!ctx.security) t.skip();
        const anonymous = new Client({ node: ctx.target.url });
        try {
          const err = await anonymous.search({ index: 'x' }).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(errors.ResponseError);
          const re = err as errors.ResponseError;
          expect(re.statusCode).toBe(401);
          expect((re.body as { error: { type: string } }).error.type).toBe('security_exception');
          expect(re.headers?.['www-authenticate']).toBeDefined();
        } finally {
          await anonymous.close();
        }
      });

      it('rejects a wrong API key with 401 and a key lacking index privileges with 403 (item-level in bulk)', async (t) => {
        if (!ctx.security) t.skip();
        const wrong = new Client({
          node: ctx.target.url,
          auth: { apiKey: { id: 'nope', api_key: 'wrong' } },
        });
        try {
          await esError(wrong.search({ index: 'x' }), 401, 'security_exception');
        } finally {
          await wrong.close();
        }
        const allowed = await createIndex();
        const forbidden = await createIndex();
        const key = await ctx.client.security.createApiKey({
          name: `ct-${ctx.run}-restricted`,
          role_descriptors: {
            restricted: { cluster: [], indices: [{ names: [allowed], privileges: ['all'] }] },
          },
        });
        const restricted = new Client({ node: ctx.target.url, auth: { apiKey: key.encoded } });
        try {
          await restricted.search({ index: allowed });
          await esError(restricted.search({ index: forbidden }), 403, 'security_exception');
          const bulk = await restricted.bulk({
            operations: [
              { index: { _index: allowed, _id: '1' } },
              { a: 1 },
              { index: { _index: forbidden, _id: '1' } },
              { a: 1 },
            ],
          });
          expect(bulk.errors).toBe(true);
          expect(bulk.items[0]?.index?.status).toBe(201);
          expect(bulk.items[1]?.index?.status).toBe(403);
          expect(bulk.items[1]?.index?.error?.type).toBe('security_exception');
        } finally {
          await restricted.close();
          await ctx.client.security.invalidateApiKey({ ids: [key.id] });
        }
        const revoked = new Client({ node: ctx.target.url, auth: { apiKey: key.encoded } });
        try {
          await esError(revoked.search({ index: allowed }), 401, 'security_exception');
        } finally {
          await revoked.close();
        }
      });
    });

    describe('index management', () => {
      it('creates an index with settings and mappings and acknowledges it', async () => {
        const index = name();
        const res = await ctx.client.indices.create({
          index,
          settings: { number_of_replicas: 0, refresh_interval: '-1' },
          mappings: { properties: { title: { type: 'keyword' } } },
        });
        ctx.indices.add(index);
        expect(res).toMatchObject({ acknowledged: true, shards_acknowledged: true, index });
      });

      it('rejects creating an existing index with resource_already_exists_exception naming the index', async () => {
        const index = await createIndex();
        const body = await esError(
          ctx.client.indices.create({ index }),
          400,
          'resource_already_exists_exception',
        );
        expect(errorOf(body).index).toBe(index);
      });

      it.each([['Upper'], ['_x'], ['a#b'], ['a:b'], ['a*b'], ['..'], ['x'.repeat(256)]])(
        'rejects the invalid index name %#',
        async (bad) => {
          const body = await esError(
            ctx.client.indices.create({ index: bad }),
            400,
            'invalid_index_name_exception',
          );
          expect(errorOf(body).reason.startsWith('Invalid index name [')).toBe(true);
        },
      );

      it('returns declared mappings, accepts new fields and rejects a type change', async () => {
        const index = await createIndex({ properties: { title: { type: 'keyword' } } });
        const got = await ctx.client.indices.getMapping({ index });
        expect(got[index]?.mappings.properties?.title).toEqual({ type: 'keyword' });
        expect(await ctx.client.indices.putMapping({ index, properties: { n: { type: 'long' } } })).toEqual({
          acknowledged: true,
        });
        await esError(
          ctx.client.indices.putMapping({ index, properties: { title: { type: 'long' } } }),
          400,
          'illegal_argument_exception',
        );
      });

      it('deletes an index, then answers index_not_found_exception on a second delete', async () => {
        const index = await createIndex();
        expect(await ctx.client.indices.delete({ index })).toEqual({ acknowledged: true });
        await esError(ctx.client.indices.delete({ index }), 404, 'index_not_found_exception');
      });
    });

    describe('documents', () => {
      it('creates with 201 version 1 then updates with 200 version 2', async () => {
        const index = await createIndex();
        const a = await ctx.client.index({ index, id: '1', document: { a: 1 } }, { meta: true });
        expect(a.statusCode).toBe(201);
        expect(a.body).toMatchObject({ result: 'created', _version: 1, _primary_term: 1 });
        expect(typeof a.body._seq_no).toBe('number');
        const b = await ctx.client.index({ index, id: '1', document: { a: 2 } }, { meta: true });
        expect(b.statusCode).toBe(200);
        expect(b.body).toMatchObject({ result: 'updated', _version: 2 });
      });

      it('answers _create on an existing id with version_conflict_engine_exception', async () => {
        const index = await createIndex();
        await ctx.client.create({ index, id: '1', document: { a: 1 } });
        await esError(
          ctx.client.create({ index, id: '1', document: { a: 1 } }),
          409,
          'version_conflict_engine_exception',
        );
      });

      it('answers GET of a missing doc with found:false and of a missing index with index_not_found_exception', async () => {
        const index = await createIndex();
        const missing = await esError(ctx.client.get({ index, id: 'nope' }), 404);
        expect(missing).toMatchObject({ _index: index, _id: 'nope', found: false });
        const ignored = await ctx.client.get({ index, id: 'nope' }, { ignore: [404] });
        expect(ignored.found).toBe(false);
        await esError(
          ctx.client.get({ index: `${index}-missing`, id: '1' }),
          404,
          'index_not_found_exception',
        );
      });

      it('answers delete of a missing doc with 404 result not_found', async () => {
        const index = await createIndex();
        const body = await esError(ctx.client.delete({ index, id: 'nope' }), 404);
        expect(body.result).toBe('not_found');
      });

      it('upserts, detects noops, updates, and rejects updating a missing doc without upsert', async () => {
        const index = await createIndex();
        const created = await ctx.client.update(
          { index, id: '1', doc: { a: 1 }, doc_as_upsert: true },
          { meta: true },
        );
        expect(created.statusCode).toBe(201);
        expect(created.body.result).toBe('created');
        expect((await ctx.client.update({ index, id: '1', doc: { a: 1 }, doc_as_upsert: true })).result).toBe(
          'noop',
        );
        expect((await ctx.client.update({ index, id: '1', doc: { a: 2 }, doc_as_upsert: true })).result).toBe(
          'updated',
        );
        await esError(
          ctx.client.update({ index, id: '2', doc: { a: 1 } }),
          404,
          'document_missing_exception',
        );
      });

      it('rejects a stale if_seq_no/if_primary_term with 409', async () => {
        const index = await createIndex();
        const first = await ctx.client.index({ index, id: '1', document: { a: 1 } });
        await ctx.client.index({ index, id: '1', document: { a: 2 } });
        await esError(
          ctx.client.index({
            index,
            id: '1',
            document: { a: 3 },
            if_seq_no: first._seq_no,
            if_primary_term: first._primary_term,
          }),
          409,
          'version_conflict_engine_exception',
        );
        await esError(
          ctx.client.update({
            index,
            id: '1',
            doc: { a: 3 },
            if_seq_no: first._seq_no,
            if_primary_term: first._primary_term,
          }),
          409,
          'version_conflict_engine_exception',
        );
      });

      it('mget returns found, found:false and missing-index error items in request order', async () => {
        const index = await createIndex();
        await ctx.client.index({ index, id: '1', document: { a: 1 } });
        const res = await ctx.client.mget({
          docs: [
            { _index: index, _id: '1' },
            { _index: index, _id: '2' },
            { _index: `${index}-missing`, _id: '1' },
          ],
        });
        expect(res.docs).toHaveLength(3);
        expect(res.docs[0]).toMatchObject({ _id: '1', found: true, _source: { a: 1 } });
        expect(res.docs[1]).toMatchObject({ _id: '2', found: false });
        expect((res.docs[2] as { error?: { type: string } }).error?.type).toBe('index_not_found_exception');
      });
    });

    describe('bulk', () => {
      it('reports one item per action with the documented statuses and errors:true', async () => {
        const index = await createIndex();
        await ctx.client.index({ index, id: 'exists', document: { a: 1 } });
        const res = await ctx.client.bulk({
          operations: [
            { index: { _index: index, _id: 'new' } },
            { a: 1 },
            { create: { _index: index, _id: 'exists' } },
            { a: 1 },
            { update: { _index: index, _id: 'missing' } },
            { doc: { a: 1 } },
            { delete: { _index: index, _id: 'missing' } },
            { delete: { _index: index, _id: 'exists' } },
          ],
        });
        expect(res.errors).toBe(true);
        expect(res.items.map((i) => Object.keys(i)[0])).toEqual([
          'index',
          'create',
          'update',
          'delete',
          'delete',
        ]);
        expect(res.items.map((i) => Object.values(i)[0]?.status)).toEqual([201, 409, 404, 404, 200]);
        const conflict = res.items[1]?.create;
        expect(conflict?.error?.type).toBe('version_conflict_engine_exception');
        expect(conflict?.error).not.toHaveProperty('root_cause');
        expect(conflict).not.toHaveProperty('_version');
        expect(res.items[2]?.update?.error?.type).toBe('document_missing_exception');
        expect(res.items[3]?.delete?.result).toBe('not_found');
        expect(res.items[3]?.delete?.error).toBeUndefined();
        expect(res.items[4]?.delete?.result).toBe('deleted');
      });

      it('keeps errors:false when the only failure is a not_found delete', async () => {
        const index = await createIndex();
        const res = await ctx.client.bulk({
          operations: [
            { index: { _index: index, _id: '1' } },
            { a: 1 },
            { delete: { _index: index, _id: 'nope' } },
          ],
        });
        expect(res.errors).toBe(false);
        expect(res.items[1]?.delete?.status).toBe(404);
      });

      it('rejects a bulk body without the trailing newline', async () => {
        const index = await createIndex();
        await esError(
          ctx.client.transport.request(
            { method: 'POST', path: '/_bulk', body: `{"index":{"_index":"${index}","_id":"1"}}\n{"a":1}` },
            { headers: { 'content-type': 'application/x-ndjson' } },
          ),
          400,
          'illegal_argument_exception',
        );
      });

      it('reports a field type conflict as an item-level parsing error', async () => {
        const index = await createIndex({ properties: { n: { type: 'long' } } });
        const res = await ctx.client.bulk({
          operations: [{ index: { _index: index, _id: '1' } }, { n: 'not a number' }],
        });
        expect(res.errors).toBe(true);
        expect(res.items[0]?.index?.status).toBe(400);
        expect(['document_parsing_exception', 'mapper_parsing_exception']).toContain(
          res.items[0]?.index?.error?.type,
        );
      });

      it('indexes 10k small documents with helpers.bulk', async () => {
        const index = await createIndex();
        const stats = await ctx.client.helpers.bulk({
          datasource: Array.from({ length: 10_000 }, (_, i) => ({ id: `d${i}`, n: i })),
          onDocument: (doc) => ({ index: { _index: index, _id: doc.id } }),
          flushBytes: 64 * 1024,
          concurrency: 3,
        });
        expect(stats.successful).toBe(10_000);
        expect(stats.failed).toBe(0);
        await ctx.client.indices.refresh({ index });
        expect((await ctx.client.count({ index })).count).toBe(10_000);
      });

      it('retries item-level 429s, drops persistent ones, and rejects on a request-level 429', async (t) => {
        const faults = ctx.target.faults;
        if (faults === undefined) return t.skip();
        const index = await createIndex();
        const once = faults.rejectBulkItems({ times: 2, index });
        const stats = await ctx.client.helpers.bulk({
          datasource: [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
          onDocument: (d) => ({ index: { _index: index, _id: d.id } }),
          wait: 10,
        });
        once.remove();
        expect(stats.successful).toBe(3);
        // the helper counts NDJSON lines (action + source) per retried item
        expect(stats.retry).toBe(4);
        const always = faults.rejectBulkItems({ rate: 1, index });
        const dropped: number[] = [];
        const stats2 = await ctx.client.helpers.bulk({
          datasource: [{ id: 'x' }],
          onDocument: (d) => ({ index: { _index: index, _id: d.id } }),
          retries: 2,
          wait: 10,
          onDrop: (d) => dropped.push(d.status),
        });
        always.remove();
        expect(stats2.failed).toBe(1);
        expect(dropped).toEqual([429]);
        faults.failNext(1, 429, { api: 'bulk' });
        const err = await ctx.client.helpers
          .bulk({ datasource: [{ id: 'y' }], onDocument: (d) => ({ index: { _index: index, _id: d.id } }) })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(errors.ResponseError);
        expect((err as errors.ResponseError).statusCode).toBe(429);
      });
    });

    describe('search', () => {
      let fixture: string;
      const ids = async (query: Record<string, unknown>): Promise<string[]> => {
        const res = await ctx.client.search({ index: fixture, query, size: 100 });
        return res.hits.hits.map((h) => h._id ?? '').sort();
      };

      beforeAll(async () => {
        fixture = await createIndex({
          properties: {
            tag: { type: 'keyword' },
            title: { type: 'text' },
            n: { type: 'long' },
            at: { type: 'date' },
            opt: { type: 'keyword' },
          },
        });
        await ctx.client.bulk({
          operations: [
            ['1', { tag: 'a', title: 'Quick Brown Fox', n: 1, at: '2024-01-01T00:00:00Z', opt: 'x' }],
            ['2', { tag: 'b', title: 'Lazy Dog', n: 2, at: '2024-02-01T00:00:00Z' }],
            ['3', { tag: 'a', title: 'Brown Dog', n: 3, at: '2024-03-01T00:00:00Z', opt: 'y' }],
            ['4', { tag: 'c', title: 'Fox Trot', n: 4, at: '2024-04-01T00:00:00Z' }],
          ].flatMap(([id, doc]) => [
            { index: { _index: fixture, _id: id as string } },
            doc as Record<string, unknown>,
          ]),
        });
      });

      it('hides unrefreshed writes from count but not from GET, and shows them after refresh', async () => {
        expect((await ctx.client.count({ index: fixture })).count).toBe(0);
        expect((await ctx.client.get({ index: fixture, id: '1' })).found).toBe(true);
        await ctx.client.indices.refresh({ index: fixture });
        expect((await ctx.client.count({ index: fixture })).count).toBe(4);
      });

      it('matches term, terms, range, bool, match_all, exists and ids like the fixture table', async () => {
        await ctx.client.indices.refresh({ index: fixture });
        expect(await ids({ term: { tag: 'a' } })).toEqual(['1', '3']);
        expect(await ids({ term: { title: 'Brown Dog' } })).toEqual([]);
        expect(await ids({ term: { title: 'brown' } })).toEqual(['1', '3']);
        expect(await ids({ terms: { tag: ['b', 'c'] } })).toEqual(['2', '4']);
        expect(await ids({ terms: { _id: ['1', '4'] } })).toEqual(['1', '4']);
        expect(await ids({ range: { n: { gte: 2, lt: 4 } } })).toEqual(['2', '3']);
        expect(await ids({ range: { at: { gt: '2024-02-15T00:00:00Z' } } })).toEqual(['3', '4']);
        expect(
          await ids({ bool: { must: [{ term: { tag: 'a' } }], must_not: [{ term: { n: 1 } }] } }),
        ).toEqual(['3']);
        expect(
          await ids({ bool: { filter: [{ range: { n: { gte: 2 } } }], should: [{ term: { tag: 'c' } }] } }),
        ).toEqual(['2', '3', '4']);
        expect(await ids({ bool: { should: [{ term: { tag: 'b' } }, { term: { tag: 'c' } }] } })).toEqual([
          '2',
          '4',
        ]);
        expect(await ids({ match_all: {} })).toEqual(['1', '2', '3', '4']);
        expect(await ids({ exists: { field: 'opt' } })).toEqual(['1', '3']);
        expect(await ids({ ids: { values: ['2', '9'] } })).toEqual(['2']);
        expect(await ids({ match: { title: 'fox dog' } })).toEqual(['1', '2', '3', '4']);
      });

      it('shapes _source with includes/excludes and omits it with _source:false', async () => {
        await ctx.client.indices.refresh({ index: fixture });
        const inc = await ctx.client.search({
          index: fixture,
          query: { ids: { values: ['1'] } },
          _source: { includes: ['tag', 'n'] },
        });
        expect(inc.hits.hits[0]?._source).toEqual({ tag: 'a', n: 1 });
        const exc = await ctx.client.search({
          index: fixture,
          query: { ids: { values: ['1'] } },
          _source: { excludes: ['title', 'at', 'opt'] },
        });
        expect(exc.hits.hits[0]?._source).toEqual({ tag: 'a', n: 1 });
        const none = await ctx.client.search({
          index: fixture,
          query: { ids: { values: ['1'] } },
          _source: false,
        });
        expect(none.hits.hits[0]).not.toHaveProperty('_source');
      });

      it('rejects sorting on text and on unmapped fields unless unmapped_type is given', async () => {
        await esError(ctx.client.search({ index: fixture, sort: [{ title: 'asc' }] }), 400);
        await esError(ctx.client.search({ index: fixture, sort: [{ nope: 'asc' }] }), 400);
        const ok = await ctx.client.search({
          index: fixture,
          sort: [{ nope: { order: 'asc', unmapped_type: 'keyword' } }],
        });
        expect(ok.hits.hits.length).toBeGreaterThan(0);
      });

      it('pages a point in time with search_after over 1234 docs exactly once each', async () => {
        const index = await createIndex({ properties: { n: { type: 'long' } } });
        await ctx.client.helpers.bulk({
          datasource: Array.from({ length: 1234 }, (_, i) => ({ n: i % 7, id: `p${i}` })),
          onDocument: (d) => ({ index: { _index: index, _id: d.id } }),
          refreshOnCompletion: index,
        });
        const pit = await ctx.client.openPointInTime({ index, keep_alive: '1m' });
        await ctx.client.index({ index, id: 'late', document: { n: 1 }, refresh: true });
        await esError(ctx.client.search({ index, pit: { id: pit.id, keep_alive: '1m' }, size: 10 }), 400);
        const seen = new Map<string, number>();
        let after: unknown[] | undefined;
        let pitId = pit.id;
        for (let page = 0; page < 20; page++) {
          const res = await ctx.client.search({
            pit: { id: pitId, keep_alive: '1m' },
            size: 100,
            sort: [{ n: 'asc' }],
            ...(after !== undefined ? { search_after: after as never } : {}),
          });
          pitId = res.pit_id ?? pitId;
          if (res.hits.hits.length === 0) break;
          for (const hit of res.hits.hits) {
            seen.set(hit._id ?? '', (seen.get(hit._id ?? '') ?? 0) + 1);
            expect(hit.sort).toHaveLength(2);
          }
          after = res.hits.hits[res.hits.hits.length - 1]?.sort;
        }
        expect(seen.size).toBe(1234);
        expect([...seen.values()].every((n) => n === 1)).toBe(true);
        expect(seen.has('late')).toBe(false);
        const closed = await ctx.client.closePointInTime({ id: pitId });
        expect(closed.succeeded).toBe(true);
      });

      it('scrolls over all docs and clears the scroll (404 on the second clear)', async () => {
        await ctx.client.indices.refresh({ index: fixture });
        const first = await ctx.client.search({
          index: fixture,
          scroll: '1m',
          size: 3,
          sort: [{ n: 'asc' }],
        });
        const seen = first.hits.hits.map((h) => h._id);
        const scrollId = first._scroll_id ?? '';
        const next = await ctx.client.scroll({ scroll_id: scrollId, scroll: '1m' });
        seen.push(...next.hits.hits.map((h) => h._id));
        expect(seen.sort()).toEqual(['1', '2', '3', '4']);
        const cleared = await ctx.client.clearScroll({ scroll_id: scrollId });
        expect(cleared.succeeded).toBe(true);
        expect(cleared.num_freed).toBeGreaterThanOrEqual(1);
        await esError(ctx.client.clearScroll({ scroll_id: scrollId }), 404);
      });

      it('deletes by query and reflects it in count; missing index is 404 unless ignore_unavailable', async () => {
        const index = await createIndex({ properties: { tag: { type: 'keyword' } } });
        await ctx.client.bulk({
          refresh: true,
          operations: ['a', 'b', 'a'].flatMap((tag, i) => [
            { index: { _index: index, _id: String(i) } },
            { tag },
          ]),
        });
        const res = await ctx.client.deleteByQuery({ index, query: { term: { tag: 'a' } }, refresh: true });
        expect(res.deleted).toBe(2);
        expect((await ctx.client.count({ index })).count).toBe(1);
        await esError(
          ctx.client.deleteByQuery({ index: `${index}-missing`, query: { match_all: {} } }),
          404,
          'index_not_found_exception',
        );
        const ignored = await ctx.client.deleteByQuery({
          index: `${index}-missing`,
          query: { match_all: {} },
          ignore_unavailable: true,
        });
        expect(ignored.deleted).toBe(0);
      });
    });

    describe('connector APIs', () => {
      const connectorsAvailable = (): boolean => ctx.major > 8 || ctx.minor >= 15;
      const newConnector = async (body: Record<string, unknown> = {}): Promise<string> => {
        const id = `ct-${ctx.run}-c${++ctx.counter}`;
        ctx.connectors.add(id);
        await ctx.client.transport.request({ method: 'PUT', path: `/_connector/${id}`, body });
        return id;
      };
      const get = (id: string): Promise<Record<string, unknown>> =>
        ctx.client.transport.request({ method: 'GET', path: `/_connector/${id}` });
      const put = (path: string, body?: Record<string, unknown>): Promise<Record<string, unknown>> =>
        ctx.client.transport.request({ method: 'PUT', path, ...(body !== undefined ? { body } : {}) });

      it('creates a connector with the documented defaults, then PUT again updates it', async (t) => {
        if (!connectorsAvailable()) return t.skip();
        const id = `ct-${ctx.run}-c${++ctx.counter}`;
        ctx.connectors.add(id);
        const res = await ctx.client.transport.request(
          {
            method: 'PUT',
            path: `/_connector/${id}`,
            body: { index_name: `search-${id}`, service_type: 'test' },
          },
          { meta: true },
        );
        expect(res.statusCode).toBe(201);
        expect(res.body).toMatchObject({ result: 'created', id });
        const doc = await get(id);
        expect(doc.status).toBe('created');
        expect((doc.filtering as { domain: string }[])[0]?.domain).toBe('DEFAULT');
        expect(doc.scheduling).toMatchObject({ full: { enabled: false, interval: '0 0 0 * * ?' } });
        const again = await ctx.client.transport.request(
          { method: 'PUT', path: `/_connector/${id}`, body: { index_name: `search-${id}` } },
          { meta: true },
        );
        expect(again.statusCode).toBe(200);
        expect(again.body).toMatchObject({ result: 'updated' });
        await esError(put(`/_connector/${id}-other`, { index_name: `search-${id}` }), 400);
        ctx.connectors.add(`${id}-other`);
      });

      it('lists connectors with filters and a total count', async (t) => {
        if (!connectorsAvailable()) return t.skip();
        const a = await newConnector({
          index_name: `search-${ctx.run}-list-a`,
          service_type: `st-${ctx.run}`,
        });
        await newConnector({ index_name: `search-${ctx.run}-list-b`, service_type: `st-${ctx.run}` });
        const byType = await ctx.client.transport.request<{ count: number; results: { id: string }[] }>({
          method: 'GET',
          path: '/_connector',
          querystring: { service_type: `st-${ctx.run}`, size: 1 },
        });
        expect(byType.count).toBe(2);
        expect(byType.results).toHaveLength(1);
        const byIndex = await ctx.client.transport.request<{ count: number; results: { id: string }[] }>({
          method: 'GET',
          path: '/_connector',
          querystring: { index_name: `search-${ctx.run}-list-a` },
        });
        expect(byIndex.results.map((r) => r.id)).toEqual([a]);
        const byQuery = await ctx.client.transport.request<{ count: number }>({
          method: 'GET',
          path: '/_connector',
          querystring: { query: `${ctx.run}-list` },
        });
        expect(byQuery.count).toBe(2);
      });

      it('check_in moves last_seen forward', async (t) => {
        if (!connectorsAvailable()) return t.skip();
        const id = await newConnector();
        await put(`/_connector/${id}/_check_in`);
        const first = Date.parse(String((await get(id)).last_seen));
        await new Promise((r) => setTimeout(r, 5));
        await put(`/_connector/${id}/_check_in`);
        expect(Date.parse(String((await get(id)).last_seen))).toBeGreaterThan(first);
      });

      it('configuration sets configured, rejects unknown values keys and stores known ones', async (t) => {
        if (!connectorsAvailable()) return t.skip();
        const id = await newConnector();
        const field = {
          label: 'Host',
          display: 'textbox',
          type: 'str',
          required: true,
          sensitive: false,
          order: 1,
          value: '',
          default_value: null,
          depends_on: [],
          options: [],
          tooltip: null,
          ui_restrictions: [],
          validations: [],
        };
        await put(`/_connector/${id}/_configuration`, { configuration: { host: field } });
        expect((await get(id)).status).toBe('configured');
        await esError(put(`/_connector/${id}/_configuration`, { values: { nope: 'x' } }), 400);
        await put(`/_connector/${id}/_configuration`, { values: { host: 'example.com' } });
        expect((await get(id)).configuration).toMatchObject({ host: { value: 'example.com' } });
      });

      it('enforces the status state machine and maps _error to error/connected', async (t) => {
        if (!connectorsAvailable()) return t.skip();
        const id = await newConnector();
        await esError(put(`/_connector/${id}/_status`, { status: 'connected' }), 400, 'status_exception');
        expect(await put(`/_connector/${id}/_status`, { status: 'needs_configuration' })).toMatchObject({
          result: 'updated',
        });
        await put(`/_connector/${id}/_error`, { error: 'x' });
        expect(await get(id)).toMatchObject({ status: 'error', error: 'x' });
        await put(`/_connector/${id}/_error`, { error: null });
        expect(await get(id)).toMatchObject({ status: 'connected', error: null });
      });

      it('filtering drafts are edited, need validation before activation, then become active', async (t) => {
        if (!connectorsAvailable()) return t.skip();
        const id = await newConnector();
        const rule = {
          id: 'r1',
          field: 'title',
          order: 0,
          policy: 'exclude',
          rule: 'equals',
          value: 'secret',
        };
        const catchAll = {
          id: 'DEFAULT',
          field: '_',
          order: 1,
          policy: 'include',
          rule: 'regex',
          value: '.*',
        };
        await put(`/_connector/${id}/_filtering`, { rules: [catchAll, rule] });
        const draft = (await get(id)).filtering as {
          draft: { validation: { state: string }; rules: { id: string }[] };
        }[];
        expect(draft[0]?.draft.validation.state).toBe('edited');
        await esError(put(`/_connector/${id}/_filtering/_activate`), 400);
        await put(`/_connector/${id}/_filtering/_validation`, { validation: { state: 'valid', errors: [] } });
        await put(`/_connector/${id}/_filtering/_activate`);
        const after = (await get(id)).filtering as {
          active: { rules: { id: string }[] };
          draft: { rules: { id: string }[] };
        }[];
        expect(after[0]?.active.rules.map((r) => r.id)).toEqual(after[0]?.draft.rules.map((r) => r.id));
        expect(after[0]?.active.rules.map((r) => r.id)).toEqual(['r1', 'DEFAULT']);
      });

      it('answers noop when _index_name sets the same value', async (t) => {
        if (!connectorsAvailable()) return t.skip();
        const indexName = `search-${ctx.run}-noop`;
        const id = await newConnector({ index_name: indexName });
        expect(await put(`/_connector/${id}/_index_name`, { index_name: indexName })).toEqual({
          result: 'noop',
        });
      });

      it('creates sync jobs with defaults and validates the connector', async (t) => {
        if (!connectorsAvailable()) return t.skip();
        const id = await newConnector({ index_name: `search-${ctx.run}-jobs`, service_type: 'test' });
        const res = await ctx.client.transport.request<{ id: string }>(
          { method: 'POST', path: '/_connector/_sync_job', body: { id } },
          { meta: true },
        );
        expect(res.statusCode).toBe(201);
        const job = await ctx.client.transport.request<Record<string, unknown>>({
          method: 'GET',
          path: `/_connector/_sync_job/${res.body.id}`,
        });
        expect(job).toMatchObject({
          job_type: 'full',
          trigger_method: 'on_demand',
          status: 'pending',
          indexed_document_count: 0,
          deleted_document_count: 0,
        });
        expect((job.connector as { id: string }).id).toBe(id);
        const bare = await newConnector();
        await esError(
          ctx.client.transport.request({ method: 'POST', path: '/_connector/_sync_job', body: { id: bare } }),
          400,
        );
        await esError(
          ctx.client.transport.request({
            method: 'POST',
            path: '/_connector/_sync_job',
            body: { id: `${bare}-nope` },
          }),
          404,
        );
      });

      it('claims, reports stats, errors and cancels sync jobs by the state machine', async (t) => {
        if (!connectorsAvailable()) return t.skip();
        const id = await newConnector({ index_name: `search-${ctx.run}-life`, service_type: 'test' });
        const post = (): Promise<{ id: string }> =>
          ctx.client.transport.request({ method: 'POST', path: '/_connector/_sync_job', body: { id } });
        const job = (jobId: string): Promise<Record<string, unknown>> =>
          ctx.client.transport.request({ method: 'GET', path: `/_connector/_sync_job/${jobId}` });
        const a = await post();
        await put(`/_connector/_sync_job/${a.id}/_claim`, { worker_hostname: 'host-1' });
        expect(await job(a.id)).toMatchObject({ status: 'in_progress', worker_hostname: 'host-1' });
        await put(`/_connector/_sync_job/${a.id}/_stats`, {
          deleted_document_count: 1,
          indexed_document_count: 5,
          indexed_document_volume: 2,
        });
        expect(await job(a.id)).toMatchObject({
          deleted_document_count: 1,
          indexed_document_count: 5,
          indexed_document_volume: 2,
        });
        await esError(
          put(`/_connector/_sync_job/${a.id}/_stats`, {
            deleted_document_count: -1,
            indexed_document_count: 0,
            indexed_document_volume: 0,
          }),
          400,
        );
        await put(`/_connector/_sync_job/${a.id}/_cancel`);
        expect((await job(a.id)).status).toBe('canceling');
        await put(`/_connector/_sync_job/${a.id}/_error`, { error: 'boom' });
        expect(await job(a.id)).toMatchObject({ status: 'error', error: 'boom' });
        const b = await post();
        await put(`/_connector/_sync_job/${b.id}/_cancel`);
        const canceled = await job(b.id);
        expect(canceled.status).toBe('canceled');
        expect(typeof canceled.canceled_at).toBe('string');
        await esError(put(`/_connector/_sync_job/${b.id}/_cancel`), 400);
      });

      it('lists sync jobs by connector, status and job types', async (t) => {
        if (!connectorsAvailable()) return t.skip();
        const id = await newConnector({ index_name: `search-${ctx.run}-listjobs`, service_type: 'test' });
        const post = (job_type: string): Promise<{ id: string }> =>
          ctx.client.transport.request({
            method: 'POST',
            path: '/_connector/_sync_job',
            body: { id, job_type },
          });
        await post('full');
        await post('incremental');
        const acl = await post('access_control');
        await put(`/_connector/_sync_job/${acl.id}/_cancel`);
        const list = (qs: Record<string, string>): Promise<{ count: number }> =>
          ctx.client.transport.request({
            method: 'GET',
            path: '/_connector/_sync_job',
            querystring: { connector_id: id, ...qs },
          });
        expect((await list({})).count).toBe(3);
        expect((await list({ job_type: 'full,incremental' })).count).toBe(2);
        expect((await list({ status: 'canceled' })).count).toBe(1);
      });

      it('sees a direct _update on the sync-jobs alias through the sync job API', async (t) => {
        if (!connectorsAvailable()) return t.skip();
        const id = await newConnector({ index_name: `search-${ctx.run}-direct`, service_type: 'test' });
        const { id: jobId } = await ctx.client.transport.request<{ id: string }>({
          method: 'POST',
          path: '/_connector/_sync_job',
          body: { id },
        });
        const doc = await ctx.client.get({ index: '.elastic-connectors-sync-jobs', id: jobId });
        await ctx.client.update({
          index: '.elastic-connectors-sync-jobs',
          id: jobId,
          doc: { status: 'completed' },
          if_seq_no: doc._seq_no,
          if_primary_term: doc._primary_term,
        });
        const job = await ctx.client.transport.request<Record<string, unknown>>({
          method: 'GET',
          path: `/_connector/_sync_job/${jobId}`,
        });
        expect(job.status).toBe('completed');
      });

      it('deletes a connector with its sync jobs', async (t) => {
        if (!connectorsAvailable()) return t.skip();
        const id = await newConnector({ index_name: `search-${ctx.run}-del`, service_type: 'test' });
        await ctx.client.transport.request({ method: 'POST', path: '/_connector/_sync_job', body: { id } });
        await ctx.client.transport.request({
          method: 'DELETE',
          path: `/_connector/${id}`,
          querystring: { delete_sync_jobs: true, ...(ctx.major >= 9 ? { hard: true } : {}) },
        });
        ctx.connectors.delete(id);
        await esError(get(id), 404);
        const jobs = await ctx.client.transport.request<{ count: number }>({
          method: 'GET',
          path: '/_connector/_sync_job',
          querystring: { connector_id: id },
        });
        expect(jobs.count).toBe(0);
      });
    });
  });
}
