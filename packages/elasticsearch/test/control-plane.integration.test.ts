import { afterEach, describe, expect, it } from 'vitest';
import { createEsFake, type EsFake } from '@connectors/es-fake';
import { defineConfigFields, field, type ConfigFields, type SourceCapabilities } from '@connectors/framework';
import { createConnectorApiControlPlane, createElasticsearchClient } from '../src/index.js';

const FAST = { maxRetries: 2, initialDelayMs: 5, maxDelayMs: 20 };
const signal = new AbortController().signal;
let fake: EsFake | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const capabilities: SourceCapabilities = {
  incrementalSync: true,
  accessControl: false,
  advancedRules: false,
  binaryContent: false,
};

async function setup(options: { licenseType?: string; version?: string } = {}) {
  fake = await createEsFake({ refreshIntervalMs: false, ...options });
  const client = createElasticsearchClient({ host: fake.url });
  const controlPlane = createConnectorApiControlPlane(client, { retry: FAST, pageSize: 2 });
  const request = <T = unknown>(
    method: 'GET' | 'PUT' | 'POST',
    path: string,
    body?: Record<string, unknown>,
  ) => client.transport.request<T>({ method, path, ...(body ? { body } : {}) });
  await request('PUT', '/_connector/c1', { index_name: 'search-c1', name: 'C1', service_type: 'files' });
  return { fake, client, controlPlane, request };
}

describe('Connector API control plane against the fake', () => {
  it('reads a connector with its seq_no:primary_term version and leaves out unknown ids', async () => {
    const { controlPlane } = await setup();
    const [connector, ...rest] = await controlPlane.listConnectors(['c1', 'missing'], signal);
    expect(rest).toEqual([]);
    expect(connector?.id).toBe('c1');
    expect(connector?.version).toMatch(/^\d+:\d+$/);
    expect(connector?.doc).toMatchObject({
      index_name: 'search-c1',
      service_type: 'files',
      status: 'created',
    });
    expect(await controlPlane.getConnector('missing', signal)).toBeUndefined();
  });

  it('applies an update guarded by the current version and returns conflict for a stale one', async () => {
    const { controlPlane } = await setup();
    const before = await controlPlane.getConnector('c1', signal);
    const version = before?.version ?? '';
    expect(
      await controlPlane.updateConnector(
        'c1',
        { last_sync_status: 'in_progress' },
        { ifVersion: version, signal },
      ),
    ).toBe('ok');
    expect(
      await controlPlane.updateConnector('c1', { last_sync_status: 'error' }, { ifVersion: version, signal }),
    ).toBe('conflict');
    const after = await controlPlane.getConnector('c1', signal);
    expect(after?.doc.last_sync_status).toBe('in_progress');
    expect(after?.version).not.toBe(version);
  });

  it('gives a lock to one of two workers taking it at once with the same write (the same document)', async () => {
    const { controlPlane } = await setup();
    const version = (await controlPlane.getConnector('c1', signal))?.version ?? '';
    const lock = {
      status: 'connected',
      error: null,
      last_sync_status: 'in_progress',
      last_sync_error: null,
    } as const;
    const outcomes = await Promise.all(
      Array.from({ length: 4 }, () =>
        controlPlane.updateConnector('c1', lock, { ifVersion: version, signal }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome === 'ok')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'conflict')).toHaveLength(3);
  });

  it('merges nested objects of a patch like a partial update', async () => {
    const { controlPlane } = await setup();
    await controlPlane.updateConnector(
      'c1',
      { scheduling: { full: { enabled: true, interval: '0 0 * * * ?' } } } as never,
      { signal },
    );
    const scheduling = (await controlPlane.getConnector('c1', signal))?.doc.scheduling;
    expect(scheduling?.full).toEqual({ enabled: true, interval: '0 0 * * * ?' });
    expect(scheduling?.incremental).toEqual({ enabled: false, interval: '0 0 0 * * ?' });
  });

  it('replaces the sync cursor instead of merging it with the previous one', async () => {
    const { controlPlane } = await setup();
    await controlPlane.updateConnector('c1', { sync_cursor: { a: 1, b: 2 } }, { signal });
    await controlPlane.updateConnector('c1', { sync_cursor: { c: 3 } }, { signal });
    expect((await controlPlane.getConnector('c1', signal))?.doc.sync_cursor).toEqual({ c: 3 });
  });

  it('registers the source schema once and keeps the values a user entered', async () => {
    const { controlPlane, request } = await setup();
    const v1: ConfigFields = defineConfigFields({ root: field.str({ label: 'Root folder', order: 1 }) });
    const prepared = await controlPlane.prepareConnector(
      'c1',
      { configuration: v1, capabilities },
      { serviceType: 'files', signal },
    );
    expect(prepared?.doc.status).toBe('needs_configuration');
    expect(prepared?.doc.configuration.root).toMatchObject({ label: 'Root folder', value: '', options: [] });
    expect(prepared?.doc.features.incremental_sync).toEqual({ enabled: true });

    await request('PUT', '/_connector/c1/_configuration', { values: { root: '/data' } });
    const v2: ConfigFields = defineConfigFields({
      root: field.str({ label: 'Root directory', order: 1 }),
      depth: field.int({ label: 'Depth', order: 2, required: false, default: 3 }),
    });
    const upgraded = await controlPlane.prepareConnector(
      'c1',
      { configuration: v2, capabilities },
      { serviceType: 'files', signal },
    );
    expect(upgraded?.doc.status).toBe('configured');
    expect(upgraded?.doc.configuration.root).toMatchObject({ label: 'Root directory', value: '/data' });
    expect(upgraded?.doc.configuration.depth).toMatchObject({ value: 3, default_value: 3 });

    const again = await controlPlane.prepareConnector(
      'c1',
      { configuration: v2, capabilities },
      { serviceType: 'files', signal },
    );
    expect(again?.version).toBe(upgraded?.version);
  });

  it('runs a job through create, claim, stats and completion', async () => {
    const { controlPlane } = await setup();
    const jobId = await controlPlane.createJob(
      { connectorId: 'c1', jobType: 'full', triggerMethod: 'on_demand' },
      signal,
    );
    const pending = await controlPlane.getJob(jobId, signal);
    expect(pending?.doc).toMatchObject({ status: 'pending', job_type: 'full', trigger_method: 'on_demand' });
    expect(pending?.doc.connector).toMatchObject({
      id: 'c1',
      index_name: 'search-c1',
      service_type: 'files',
    });

    const listed: string[] = [];
    for await (const job of controlPlane.listJobs(
      { statuses: ['pending', 'suspended'], connectorIds: ['c1'] },
      signal,
    ))
      listed.push(job.id);
    expect(listed).toEqual([jobId]);

    await controlPlane.claimJob(jobId, { workerHostname: 'worker-1', syncCursor: { page: 2 } }, signal);
    const claimed = await controlPlane.getJob(jobId, signal);
    expect(claimed?.doc).toMatchObject({ status: 'in_progress', worker_hostname: 'worker-1' });
    expect(claimed?.doc.started_at).toEqual(expect.any(String));
    expect(claimed?.doc.connector.sync_cursor).toEqual({ page: 2 });

    await controlPlane.updateJobStats(
      jobId,
      { indexed_document_count: 7, indexed_document_volume: 1, deleted_document_count: 2 },
      signal,
    );
    expect((await controlPlane.getJob(jobId, signal))?.doc).toMatchObject({
      indexed_document_count: 7,
      deleted_document_count: 2,
    });

    // A conditional write loses to any change since its read (a heartbeat here), and wins otherwise.
    const read = await controlPlane.getJob(jobId, signal);
    await controlPlane.updateJobStats(
      jobId,
      { indexed_document_count: 7, indexed_document_volume: 1, deleted_document_count: 2 },
      signal,
    );
    expect(
      await controlPlane.updateJob(jobId, { status: 'suspended' }, signal, { ifVersion: read!.version }),
    ).toBe('conflict');
    expect((await controlPlane.getJob(jobId, signal))?.doc.status).toBe('in_progress');
    const current = await controlPlane.getJob(jobId, signal);
    expect(
      await controlPlane.updateJob(jobId, { metadata: { checked: true } }, signal, {
        ifVersion: current!.version,
      }),
    ).toBe('ok');
    // A version that is not one is refused, never turned into an unconditional write.
    await expect(
      controlPlane.updateJob(jobId, { status: 'suspended' }, signal, { ifVersion: 'not-a-version' }),
    ).rejects.toThrow('Not a document version (seq_no:primary_term): "not-a-version"');
    expect((await controlPlane.getJob(jobId, signal))?.doc.status).toBe('in_progress');

    const completedAt = new Date().toISOString();
    await controlPlane.updateJob(
      jobId,
      { status: 'completed', completed_at: completedAt, total_document_count: 9, error: null },
      signal,
    );
    const done = await controlPlane.getJob(jobId, signal);
    expect(done?.doc).toMatchObject({
      status: 'completed',
      completed_at: completedAt,
      total_document_count: 9,
      indexed_document_count: 7,
    });
    const stillPending: string[] = [];
    for await (const job of controlPlane.listJobs({ statuses: ['pending'] }, signal))
      stillPending.push(job.id);
    expect(stillPending).toEqual([]);
  });

  it('lists jobs oldest first across pages', async () => {
    const { controlPlane } = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        await controlPlane.createJob(
          { connectorId: 'c1', jobType: 'full', triggerMethod: 'scheduled' },
          signal,
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    const listed: string[] = [];
    for await (const job of controlPlane.listJobs({ jobTypes: ['full'] }, signal)) listed.push(job.id);
    expect(listed).toEqual(ids);
  });

  it('cancels a pending job and stores checkpoints on the job, replaced whole', async () => {
    const { controlPlane } = await setup();
    const jobId = await controlPlane.createJob(
      { connectorId: 'c1', jobType: 'full', triggerMethod: 'on_demand' },
      signal,
    );
    expect(await controlPlane.loadCheckpoint(jobId, signal)).toBeUndefined();
    await controlPlane.saveCheckpoint(jobId, { drives: { a: 'x', b: 'y' } }, signal);
    await controlPlane.saveCheckpoint(jobId, { drives: { c: 'z' } }, signal);
    expect(await controlPlane.loadCheckpoint(jobId, signal)).toEqual({ drives: { c: 'z' } });
    await controlPlane.saveCheckpoint(jobId, null, signal);
    expect(await controlPlane.loadCheckpoint(jobId, signal)).toBeUndefined();
    await controlPlane.cancelJob(jobId, signal);
    const canceled = await controlPlane.getJob(jobId, signal);
    expect(canceled?.doc.status).toBe('canceled');
    expect(canceled?.doc.canceled_at).toEqual(expect.any(String));
  });

  it('updates last_seen on check-in', async () => {
    const { controlPlane } = await setup();
    expect((await controlPlane.getConnector('c1', signal))?.doc.last_seen).toBeNull();
    await controlPlane.checkIn('c1', signal);
    expect((await controlPlane.getConnector('c1', signal))?.doc.last_seen).toEqual(expect.any(String));
  });

  it('validates and activates a filtering draft', async () => {
    const { controlPlane, request } = await setup();
    const rule = { id: 'r1', policy: 'exclude', field: 'path', rule: 'starts_with', value: '/tmp', order: 0 };
    await request('PUT', '/_connector/c1/_filtering', { rules: [rule] });
    expect((await controlPlane.getConnector('c1', signal))?.doc.filtering[0]?.draft.validation.state).toBe(
      'edited',
    );
    await controlPlane.writeFilteringValidation('c1', { state: 'valid', errors: [] }, signal);
    await controlPlane.activateFiltering('c1', signal);
    const active = (await controlPlane.getConnector('c1', signal))?.doc.filtering[0]?.active;
    expect(active?.rules.map((r) => r.id)).toContain('r1');
  });

  it('reads the license and compares levels', async () => {
    const { controlPlane } = await setup({ licenseType: 'gold' });
    expect(await controlPlane.license(signal)).toEqual({ type: 'gold', status: 'active' });
    expect(await controlPlane.hasLicense('gold', signal)).toBe(true);
    expect(await controlPlane.hasLicense('platinum', signal)).toBe(false);
  });

  it('lists self-managed connectors by service type (worker mode)', async () => {
    const { controlPlane, request } = await setup();
    await request('PUT', '/_connector/c2', { index_name: 'search-c2', service_type: 'dropbox' });
    await request('PUT', '/_connector/c3', { index_name: 'search-c3', service_type: 'files' });
    const listed = await controlPlane.listConnectorsByServiceType(['files'], signal);
    expect(listed.map((connector) => connector.id).sort()).toEqual(['c1', 'c3']);
    expect(listed.every((connector) => /^\d+:\d+$/.test(connector.version))).toBe(true);
    expect(await controlPlane.listConnectorsByServiceType([], signal)).toEqual([]);
  });

  it('leaves out soft-deleted connectors (9.x)', async () => {
    const { controlPlane, request, client, fake } = await setup({ version: '9.1.0' });
    await client.transport.request({ method: 'DELETE', path: '/_connector/c1' });
    expect(fake.state.document('.elastic-connectors', 'c1')?._source.deleted).toBe(true);
    expect(await controlPlane.getConnector('c1', signal)).toBeUndefined();
    expect(await controlPlane.listConnectors(['c1'], signal)).toEqual([]);
    expect(await controlPlane.listConnectorsByServiceType(['files'], signal)).toEqual([]);
    await request('PUT', '/_connector/c9', { index_name: 'search-c9', service_type: 'files' });
    expect(
      (await controlPlane.listConnectors(['c1', 'c9'], signal)).map((connector) => connector.id),
    ).toEqual(['c9']);
  });
});
