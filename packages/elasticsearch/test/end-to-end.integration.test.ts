import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEsFake, type EsFake } from '@connectors/es-fake';
import { SuspendSignalReason, runJob } from '@connectors/framework';
import { createSyntheticSource, type SyntheticSource } from '@connectors/framework/testing';
import {
  createConnectorApiControlPlane,
  createElasticsearchClient,
  createElasticsearchSink,
} from '../src/index.js';
import { connectorDocSchema, syncJobDocSchema } from './kibana-schema.js';

const FAST = { maxRetries: 3, initialDelayMs: 5, maxDelayMs: 20 };
const signal = new AbortController().signal;
const INDEX = 'search-e2e';
let fake: EsFake | undefined;
let scratchDir: string | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
  if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
});

function corpus(source: SyntheticSource, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const id = `item-${String(i).padStart(3, '0')}`;
    source.put({
      doc: {
        _id: id,
        _timestamp: `2026-02-01T00:00:${String(i % 60).padStart(2, '0')}Z`,
        title: `Item ${i}`,
        size: i,
      },
    });
  }
}

async function setup(options: { accessControl?: boolean; seed?: number; version?: string } = {}) {
  fake = await createEsFake({
    refreshIntervalMs: false,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.version === undefined ? {} : { version: options.version }),
  });
  scratchDir = mkdtempSync(join(tmpdir(), 'es-e2e-'));
  const client = createElasticsearchClient({ host: fake.url, headers: {} });
  const sink = createElasticsearchSink(client, { retry: FAST, limits: { maxOperations: 7 } });
  const controlPlane = createConnectorApiControlPlane(client, { retry: FAST });
  const source = createSyntheticSource({ capabilities: { accessControl: options.accessControl ?? false } });
  await client.transport.request({
    method: 'PUT',
    path: '/_connector/c1',
    body: { index_name: INDEX, name: 'E2E', service_type: source.definition.id },
  });
  await controlPlane.prepareConnector('c1', source.definition, { serviceType: source.definition.id, signal });
  await client.transport.request({
    method: 'PUT',
    path: '/_connector/c1/_configuration',
    body: { values: { token: 'good-token', page_size: 10 } },
  });
  const runExisting = (jobId: string, runSignal: AbortSignal = signal) =>
    runJob({
      controlPlane,
      jobId,
      sources: (type) => (type === source.definition.id ? source.definition : undefined),
      sink,
      workerHostname: 'worker-e2e',
      signal: runSignal,
      scratchDir,
      statsIntervalMs: 20,
      pollIntervalMs: 20,
    });
  const createJob = (jobType: 'full' | 'incremental' | 'access_control' = 'full') =>
    controlPlane.createJob({ connectorId: 'c1', jobType, triggerMethod: 'on_demand' }, signal);
  const run = async (jobType: 'full' | 'incremental' | 'access_control' = 'full') => {
    const jobId = await createJob(jobType);
    return { jobId, outcome: await runExisting(jobId) };
  };
  return { fake, source, run, createJob, runExisting, controlPlane };
}

function indexed(fake: EsFake): Record<string, unknown> {
  return Object.fromEntries(
    fake.state
      .documents(INDEX)
      .map((doc) => [
        doc._id,
        { title: doc._source.title, size: doc._source.size, _timestamp: doc._source._timestamp },
      ]),
  );
}

function expected(source: SyntheticSource, ids: string[]): Record<string, unknown> {
  void source;
  return Object.fromEntries(
    ids.map((id) => {
      const i = Number(id.slice(5));
      return [
        id,
        { title: `Item ${i}`, size: i, _timestamp: `2026-02-01T00:00:${String(i % 60).padStart(2, '0')}Z` },
      ];
    }),
  );
}

describe('a full sync through the engine into Elasticsearch', () => {
  it('makes the index equal the source and leaves Kibana-readable connector and job documents', async () => {
    const { fake, source, run } = await setup();
    corpus(source, 0, 25);
    const { jobId, outcome } = await run();
    expect(outcome).toMatchObject({ ran: true, status: 'completed' });

    const ids = Array.from({ length: 25 }, (_, i) => `item-${String(i).padStart(3, '0')}`);
    expect(indexed(fake)).toEqual(expected(source, ids));

    const connector = fake.state.document('.elastic-connectors', 'c1')?._source;
    const parsedConnector = connectorDocSchema.safeParse(connector);
    expect(parsedConnector.error?.issues ?? []).toEqual([]);
    expect(connector).toMatchObject({
      status: 'connected',
      error: null,
      last_sync_status: 'completed',
      last_sync_error: null,
      last_indexed_document_count: 25,
      last_deleted_document_count: 0,
      service_type: 'synthetic',
      features: {
        sync_rules: { basic: { enabled: true }, advanced: { enabled: false } },
        document_level_security: { enabled: false },
        incremental_sync: { enabled: true },
        native_connector_api_keys: { enabled: false },
      },
    });
    expect((connector?.configuration as Record<string, { value: unknown }>).token?.value).toBe('good-token');

    const job = fake.state.document('.elastic-connectors-sync-jobs', jobId)?._source;
    const parsedJob = syncJobDocSchema.safeParse(job);
    expect(parsedJob.error?.issues ?? []).toEqual([]);
    expect(job).toMatchObject({
      status: 'completed',
      job_type: 'full',
      trigger_method: 'on_demand',
      worker_hostname: 'worker-e2e',
      indexed_document_count: 25,
      deleted_document_count: 0,
      total_document_count: 25,
      error: null,
    });
  });

  it('deletes what vanished from the source on the next full sync', async () => {
    const { fake, source, run } = await setup();
    corpus(source, 0, 25);
    await run();
    for (let i = 20; i < 25; i++) source.delete(`item-${String(i).padStart(3, '0')}`);
    corpus(source, 25, 27);
    const { jobId, outcome } = await run();
    expect(outcome).toMatchObject({ ran: true, status: 'completed' });
    const ids = [...Array.from({ length: 20 }, (_, i) => i), 25, 26].map(
      (i) => `item-${String(i).padStart(3, '0')}`,
    );
    expect(indexed(fake)).toEqual(expected(source, ids));
    expect(fake.state.document('.elastic-connectors', 'c1')?._source).toMatchObject({
      last_sync_status: 'completed',
      last_deleted_document_count: 5,
    });
    expect(fake.state.document('.elastic-connectors-sync-jobs', jobId)?._source).toMatchObject({
      deleted_document_count: 5,
      total_document_count: 22,
    });
  });

  it('writes identities to the ACL index and deletes the ones that vanished', async () => {
    const { fake, source, run } = await setup({ accessControl: true });
    const identity = (email: string, groups: string[]) => ({
      _id: email,
      identity: { email: `email:${email}` },
      access_control: [`email:${email}`, ...groups.map((group) => `group:${group}`)],
    });
    source.identities = [
      identity('ann@x.io', ['eng']),
      identity('bob@x.io', []),
      identity('cid@x.io', ['ops']),
    ];
    const first = await run('access_control');
    expect(first.outcome).toMatchObject({ ran: true, status: 'completed' });
    const acl = `.search-acl-filter-${INDEX}`;
    expect(
      fake.state
        .documents(acl)
        .map((doc) => doc._id)
        .sort(),
    ).toEqual(['ann@x.io', 'bob@x.io', 'cid@x.io']);
    const ann = fake.state.document(acl, 'ann@x.io')?._source as {
      query?: { template?: { params?: unknown } };
    };
    expect(ann.query?.template?.params).toEqual({ access_control: ['email:ann@x.io', 'group:eng'] });

    source.identities = [identity('ann@x.io', ['eng', 'ops']), identity('cid@x.io', ['ops'])];
    const second = await run('access_control');
    expect(second.outcome).toMatchObject({ ran: true, status: 'completed' });
    expect(
      fake.state
        .documents(acl)
        .map((doc) => doc._id)
        .sort(),
    ).toEqual(['ann@x.io', 'cid@x.io']);
    const annAfter = fake.state.document(acl, 'ann@x.io')?._source as {
      query?: { template?: { params?: unknown } };
    };
    expect(annAfter.query?.template?.params).toEqual({
      access_control: ['email:ann@x.io', 'group:eng', 'group:ops'],
    });
    expect(fake.state.document('.elastic-connectors', 'c1')?._source).toMatchObject({
      last_access_control_sync_status: 'completed',
      last_access_control_sync_error: null,
    });
  });

  it('resumes a suspended job from the checkpoint stored on the job and ends equal to the source', async () => {
    const { fake, source, createJob, runExisting } = await setup();
    corpus(source, 0, 60);
    source.hangOnPage = 3;
    const jobId = await createJob();
    const shutdown = new AbortController();
    const first = runExisting(jobId, shutdown.signal);
    const jobDoc = () => fake.state.document('.elastic-connectors-sync-jobs', jobId)?._source;
    const storedPage = () => {
      const stored = (jobDoc()?.metadata as { checkpoint?: unknown } | undefined)?.checkpoint;
      return typeof stored === 'string'
        ? (JSON.parse(stored) as { checkpoint?: { page?: number } })
        : undefined;
    };
    for (let i = 0; i < 300 && storedPage()?.checkpoint?.page !== 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(storedPage()).toEqual({ engine: 1, phase: 'full', checkpoint: { page: 2 } });
    shutdown.abort(new SuspendSignalReason('SIGTERM'));
    expect(await first).toMatchObject({ ran: true, status: 'suspended' });
    expect(jobDoc()).toMatchObject({ status: 'suspended' });

    source.hangOnPage = undefined;
    const pagesBefore = source.pagesRead;
    expect(await runExisting(jobId)).toMatchObject({ ran: true, status: 'completed' });
    expect(source.pagesRead - pagesBefore).toBe(3);
    const ids = Array.from({ length: 60 }, (_, i) => `item-${String(i).padStart(3, '0')}`);
    expect(indexed(fake)).toEqual(expected(source, ids));
    expect(jobDoc()).toMatchObject({ status: 'completed', total_document_count: 60, error: null });
  });

  it('runs an incremental sync from the cursor the full sync stored on the connector', async () => {
    const { fake, source, run } = await setup();
    corpus(source, 0, 12);
    await run();
    const connectorDoc = () => fake.state.document('.elastic-connectors', 'c1')?._source;
    expect(connectorDoc()?.sync_cursor).toBe(source.position);

    source.delete('item-003');
    corpus(source, 12, 14);
    const pagesBefore = source.pagesRead;
    const { jobId, outcome } = await run('incremental');
    expect(outcome).toMatchObject({ ran: true, status: 'completed' });
    expect(source.pagesRead - pagesBefore).toBe(1);
    const ids = [...Array.from({ length: 14 }, (_, i) => i)]
      .filter((i) => i !== 3)
      .map((i) => `item-${String(i).padStart(3, '0')}`);
    expect(indexed(fake)).toEqual(expected(source, ids));
    expect(connectorDoc()?.sync_cursor).toBe(source.position);
    expect(fake.state.document('.elastic-connectors-sync-jobs', jobId)?._source).toMatchObject({
      job_type: 'incremental',
      status: 'completed',
      indexed_document_count: 2,
      deleted_document_count: 1,
      total_document_count: 13,
    });
  });

  it('honours a cancelation requested through the Connector API while the job runs', async () => {
    const { fake, source, createJob, runExisting, controlPlane } = await setup();
    corpus(source, 0, 40);
    source.hangOnPage = 2;
    const jobId = await createJob();
    const running = runExisting(jobId);
    const jobDoc = () => fake.state.document('.elastic-connectors-sync-jobs', jobId)?._source;
    for (let i = 0; i < 300 && jobDoc()?.status !== 'in_progress'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await controlPlane.cancelJob(jobId, signal);
    expect(await running).toMatchObject({ ran: true, status: 'canceled' });
    const job = jobDoc();
    expect(job).toMatchObject({ status: 'canceled' });
    expect(job?.canceled_at).toEqual(expect.any(String));
    expect(job?.completed_at).toEqual(expect.any(String));
    expect(job?.cancelation_requested_at).toEqual(expect.any(String));
    expect(fake.state.document('.elastic-connectors', 'c1')?._source).toMatchObject({
      last_sync_status: 'canceled',
      status: 'connected',
    });
  });

  it('ends equal to the source while the cluster throttles items and drops and rejects requests', async () => {
    const { fake, source, run } = await setup({ seed: 20261122 });
    corpus(source, 0, 80);
    const items = fake.faults.rejectBulkItems({ rate: 0.2 });
    const unavailable = fake.faults.inject({
      match: { api: 'bulk' },
      action: { kind: 'status', status: 503 },
      rate: 0.3,
    });
    const dropped = fake.faults.inject({ match: { api: 'bulk' }, action: { kind: 'drop' }, rate: 0.1 });
    const { outcome } = await run();
    expect(outcome).toMatchObject({ ran: true, status: 'completed' });
    expect(items.hits + unavailable.hits + dropped.hits).toBeGreaterThan(0);
    const ids = Array.from({ length: 80 }, (_, i) => `item-${String(i).padStart(3, '0')}`);
    expect(indexed(fake)).toEqual(expected(source, ids));
  });

  it('syncs the same way against a 9.x cluster', async () => {
    const { fake, source, run } = await setup({ version: '9.1.0' });
    corpus(source, 0, 15);
    const { jobId, outcome } = await run();
    expect(outcome).toMatchObject({ ran: true, status: 'completed' });
    const ids = Array.from({ length: 15 }, (_, i) => `item-${String(i).padStart(3, '0')}`);
    expect(indexed(fake)).toEqual(expected(source, ids));
    expect(JSON.stringify(fake.state.mappings(INDEX) ?? {})).not.toContain('iq_text_base');
    const job = fake.state.document('.elastic-connectors-sync-jobs', jobId)?._source;
    expect(syncJobDocSchema.safeParse(job).error?.issues ?? []).toEqual([]);
    expect(
      connectorDocSchema.safeParse(fake.state.document('.elastic-connectors', 'c1')?._source).error?.issues ??
        [],
    ).toEqual([]);
  });
});
