import { Client, errors } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEsFake, type EsFake } from '../src/index.js';

type Json = Record<string, unknown>;

describe('Connector API of the fake', () => {
  let es: EsFake;
  let client: Client;
  let now = Date.parse('2025-01-01T00:00:00.000Z');
  const req = <T = Json>(
    method: string,
    path: string,
    body?: Json,
    querystring?: Record<string, unknown>,
  ): Promise<T> =>
    client.transport.request<T>({
      method,
      path,
      ...(body !== undefined ? { body } : {}),
      ...(querystring !== undefined ? { querystring } : {}),
    });
  const status = async (p: Promise<unknown>): Promise<[number, string | undefined]> => {
    const err = await p.then(() => undefined).catch((e: unknown) => e);
    if (!(err instanceof errors.ResponseError)) return [200, undefined];
    return [err.statusCode ?? 0, (err.body as { error?: { type?: string } }).error?.type];
  };

  beforeAll(async () => {
    es = await createEsFake({ seed: 5, now: () => now, refreshIntervalMs: false });
    client = new Client({ node: es.url });
  });
  afterAll(async () => {
    await client.close();
    await es.close();
  });

  it('stores connectors as documents of .elastic-connectors-v1 behind the alias, readable by the Python-style search', async () => {
    await req('PUT', '/_connector/py-1', { index_name: 'search-py-1', service_type: 'dropbox', name: 'Py' });
    await req('PUT', '/_connector/py-2', { index_name: 'search-py-2', service_type: 'onedrive' });
    const doc = await client.get({ index: '.elastic-connectors', id: 'py-1' });
    expect(doc._index).toBe('.elastic-connectors-v1');
    expect(doc._source).toMatchObject({
      index_name: 'search-py-1',
      service_type: 'dropbox',
      status: 'created',
      is_native: false,
    });
    const res = await client.search({
      index: '.elastic-connectors',
      expand_wildcards: 'hidden',
      seq_no_primary_term: true,
      query: {
        bool: {
          must_not: [{ term: { deleted: true } }],
          filter: [{ terms: { _id: ['py-1', 'py-2', 'nope'] } }],
        },
      },
    });
    expect(res.hits.hits.map((h) => h._id).sort()).toEqual(['py-1', 'py-2']);
    expect(typeof res.hits.hits[0]?._seq_no).toBe('number');
    const worker = await client.search({
      index: '.elastic-connectors',
      query: { bool: { filter: [{ terms: { service_type: ['dropbox'] } }, { term: { is_native: false } }] } },
    });
    expect(worker.hits.hits.map((h) => h._id)).toEqual(['py-1']);
  });

  it('lets a direct seq_no-guarded _update prepare a connector, visible through GET /_connector', async () => {
    await req('PUT', '/_connector/prep', { index_name: 'search-prep' });
    const doc = await client.get({ index: '.elastic-connectors', id: 'prep' });
    await client.update({
      index: '.elastic-connectors',
      id: 'prep',
      if_seq_no: doc._seq_no,
      if_primary_term: doc._primary_term,
      doc: {
        status: 'needs_configuration',
        service_type: 'dropbox',
        configuration: { token: { label: 'Token', value: '' } },
      },
    });
    expect(await req('GET', '/_connector/prep')).toMatchObject({
      id: 'prep',
      status: 'needs_configuration',
      service_type: 'dropbox',
    });
    const stale = await status(
      client.update({
        index: '.elastic-connectors',
        id: 'prep',
        if_seq_no: doc._seq_no,
        if_primary_term: doc._primary_term,
        doc: { status: 'error' },
      }),
    );
    expect(stale).toEqual([409, 'version_conflict_engine_exception']);
  });

  it('snapshots the connector into sync jobs and prefixes the ACL index', async () => {
    await req('PUT', '/_connector/snap', {
      index_name: 'search-snap',
      service_type: 'dropbox',
      language: 'en',
    });
    const { id } = await req<{ id: string }>('POST', '/_connector/_sync_job', {
      id: 'snap',
      job_type: 'access_control',
      trigger_method: 'scheduled',
    });
    const job = await req('GET', `/_connector/_sync_job/${id}`);
    expect(job).toMatchObject({
      job_type: 'access_control',
      trigger_method: 'scheduled',
      status: 'pending',
      created_at: '2025-01-01T00:00:00.000Z',
      last_seen: '2025-01-01T00:00:00.000Z',
      connector: {
        id: 'snap',
        index_name: '.search-acl-filter-search-snap',
        service_type: 'dropbox',
        language: 'en',
        sync_cursor: null,
      },
    });
    expect((job.connector as Json).filtering).toMatchObject({
      rules: [{ id: 'DEFAULT' }],
      validation: { state: 'valid' },
    });
    expect(await status(req('POST', '/_connector/_sync_job', { id: 'snap', job_type: 'weekly' }))).toEqual([
      400,
      'x_content_parse_exception',
    ]);
  });

  it('replaces the job cursor on claim and stamps started_at and last_seen', async () => {
    await req('PUT', '/_connector/claim', { index_name: 'search-claim', service_type: 'dropbox' });
    const { id } = await req<{ id: string }>('POST', '/_connector/_sync_job', { id: 'claim' });
    now += 60_000;
    expect(
      await req('PUT', `/_connector/_sync_job/${id}/_claim`, {
        worker_hostname: 'w1',
        sync_cursor: { a: 1, b: 2 },
      }),
    ).toEqual({ result: 'updated' });
    await req('PUT', `/_connector/_sync_job/${id}/_claim`, { worker_hostname: 'w2', sync_cursor: { c: 3 } });
    const job = await req('GET', `/_connector/_sync_job/${id}`);
    expect(job).toMatchObject({
      status: 'in_progress',
      worker_hostname: 'w2',
      started_at: '2025-01-01T00:01:00.000Z',
      last_seen: '2025-01-01T00:01:00.000Z',
    });
    expect((job.connector as Json).sync_cursor).toEqual({ c: 3 });
    expect(await status(req('PUT', `/_connector/_sync_job/${id}/_claim`, {}))).toEqual([
      400,
      'x_content_parse_exception',
    ]);
  });

  it('validates update bodies: unknown fields, cron, pipeline, features, last_sync enums', async () => {
    await req('PUT', '/_connector/val', { index_name: 'search-val' });
    expect(await status(req('PUT', '/_connector/val', { index_name: 'search-val', bogus: 1 }))).toEqual([
      400,
      'x_content_parse_exception',
    ]);
    expect(
      await status(
        req('PUT', '/_connector/val/_scheduling', {
          scheduling: { full: { enabled: true, interval: 'every day' } },
        }),
      ),
    ).toEqual([400, 'illegal_argument_exception']);
    await req('PUT', '/_connector/val/_scheduling', {
      scheduling: { full: { enabled: true, interval: '0 30 1 * * ?' } },
    });
    expect((await req('GET', '/_connector/val')).scheduling).toMatchObject({
      full: { enabled: true, interval: '0 30 1 * * ?' },
      incremental: { enabled: false },
    });
    expect(await status(req('PUT', '/_connector/val/_pipeline', { pipeline: { name: 'p' } }))).toEqual([
      400,
      'x_content_parse_exception',
    ]);
    await req('PUT', '/_connector/val/_pipeline', {
      pipeline: {
        name: 'p',
        extract_binary_content: false,
        reduce_whitespace: true,
        run_ml_inference: false,
      },
    });
    expect(
      await status(req('PUT', '/_connector/val/_features', { features: { bogus: { enabled: true } } })),
    ).toEqual([400, 'x_content_parse_exception']);
    await req('PUT', '/_connector/val/_features', {
      features: { document_level_security: { enabled: true } },
    });
    await req('PUT', '/_connector/val/_features', { features: { incremental_sync: { enabled: true } } });
    expect((await req('GET', '/_connector/val')).features).toEqual({
      document_level_security: { enabled: true },
      incremental_sync: { enabled: true },
    });
    expect(await status(req('PUT', '/_connector/val/_last_sync', { last_sync_status: 'weird' }))).toEqual([
      400,
      'x_content_parse_exception',
    ]);
    await req('PUT', '/_connector/val/_last_sync', {
      last_sync_status: 'completed',
      last_synced: '2025-01-01T00:00:00Z',
      last_indexed_document_count: 3,
      sync_cursor: { page: 2 },
    });
    expect(await req('GET', '/_connector/val')).toMatchObject({
      last_sync_status: 'completed',
      last_indexed_document_count: 3,
      sync_cursor: { page: 2 },
    });
    await req('PUT', '/_connector/val/_service_type', { service_type: 'dropbox' });
    expect((await req('GET', '/_connector/val')).status).toBe('created');
    await req('PUT', '/_connector/val/_api_key_id', { api_key_id: 'k1' });
    expect((await req('GET', '/_connector/val')).api_key_id).toBe('k1');
    expect(await status(req('PUT', '/_connector/missing/_check_in'))).toEqual([
      404,
      'resource_not_found_exception',
    ]);
    expect(await status(req('PUT', '/_connector/val/_configuration', {}))).toEqual([
      400,
      'action_request_validation_exception',
    ]);
  });

  it('stores connector secrets privately', async () => {
    const { id } = await req<{ id: string }>('POST', '/_connector/_secret', { value: 'encoded-key' });
    expect(await req('GET', `/_connector/_secret/${id}`)).toEqual({ id, value: 'encoded-key' });
    expect(await req('PUT', `/_connector/_secret/${id}`, { value: 'v2' })).toEqual({ result: 'updated' });
    expect(await req('DELETE', `/_connector/_secret/${id}`)).toEqual({ deleted: true });
    expect(await status(req('GET', `/_connector/_secret/${id}`))).toEqual([
      404,
      'resource_not_found_exception',
    ]);
    expect(es.state.indices()).not.toContain('.connector-secrets');
  });

  it('lists sync jobs from refreshed data only (direct writes show after a refresh)', async () => {
    await req('PUT', '/_connector/listing', { index_name: 'search-listing', service_type: 'dropbox' });
    const { id } = await req<{ id: string }>('POST', '/_connector/_sync_job', { id: 'listing' });
    await client.update({ index: '.elastic-connectors-sync-jobs', id, doc: { status: 'suspended' } });
    const list = (): Promise<{ count: number }> =>
      req('GET', '/_connector/_sync_job', undefined, { connector_id: 'listing', status: 'suspended' });
    expect((await list()).count).toBe(0);
    await client.indices.refresh({ index: '.elastic-connectors-sync-jobs' });
    expect((await list()).count).toBe(1);
    expect(await status(req('GET', '/_connector/_sync_job', undefined, { status: 'nope' }))).toEqual([
      400,
      'illegal_argument_exception',
    ]);
  });

  it('rejects the 9.x-only hard/include_deleted params on an 8.x cluster', async () => {
    expect(await status(req('DELETE', '/_connector/py-2', undefined, { hard: true }))).toEqual([
      400,
      'illegal_argument_exception',
    ]);
  });
});

describe('Connector API soft deletes (9.x)', () => {
  it('soft-deletes by default, hides the connector unless include_deleted, and hard-deletes on request', async () => {
    await using es = await createEsFake({ version: '9.1.0' });
    const client = new Client({ node: es.url });
    const req = <T = Json>(
      method: string,
      path: string,
      body?: Json,
      querystring?: Record<string, unknown>,
    ): Promise<T> =>
      client.transport.request<T>({
        method,
        path,
        ...(body !== undefined ? { body } : {}),
        ...(querystring !== undefined ? { querystring } : {}),
      });
    await req('PUT', '/_connector/soft', { index_name: 'search-soft' });
    expect((await req('GET', '/_connector/soft')).deleted).toBe(false);
    await req('DELETE', '/_connector/soft');
    await expect(req('GET', '/_connector/soft')).rejects.toMatchObject({ statusCode: 404 });
    expect(await req('GET', '/_connector/soft', undefined, { include_deleted: true })).toMatchObject({
      id: 'soft',
      deleted: true,
    });
    expect((await req<{ count: number }>('GET', '/_connector')).count).toBe(0);
    await req('PUT', '/_connector/soft2', { index_name: 'search-soft' });
    await req('DELETE', '/_connector/soft', undefined, { hard: true });
    expect(es.state.document('.elastic-connectors', 'soft')).toBeUndefined();
    await client.close();
  });
});
