import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toConfigurationSchema } from '../config/configuration-schema.js';
import type { ConnectorDoc, SyncRule } from '../control-plane/records.js';
import type { SourceDefinition } from '../source/define-source.js';
import { createCapturingLogger } from '../testing/create-test-context.js';
import { createMemoryControlPlane, type MemoryControlPlane } from '../testing/memory-control-plane.js';
import { createMemorySink } from '../testing/memory-sink.js';
import {
  createSyntheticSource,
  syntheticSourceFields,
  type SyntheticSource,
} from '../testing/synthetic-source.js';
import { runJob, type RunJobOptions } from './run-job.js';
import { SuspendSignalReason } from './suspend-signal-reason.js';

const SECRET = 'tok-very-secret-1234';
let scratchDir: string;

beforeEach(() => {
  scratchDir = mkdtempSync(join(tmpdir(), 'run-job-test-'));
});
afterEach(() => {
  rmSync(scratchDir, { recursive: true, force: true });
});

function configuration(values: Record<string, unknown>): ConnectorDoc['configuration'] {
  const schema = toConfigurationSchema(syntheticSourceFields);
  for (const [key, value] of Object.entries(values)) {
    const entry = schema[key];
    if (entry) entry.value = value as never;
  }
  return schema;
}

interface Setup {
  plane: MemoryControlPlane;
  source: SyntheticSource;
  sink: ReturnType<typeof createMemorySink>;
  closed: { count: number };
  options(jobId: string, extra?: Partial<RunJobOptions>): RunJobOptions;
}

function setup(
  connector: Partial<ConnectorDoc> = {},
  sourceOptions: Parameters<typeof createSyntheticSource>[0] = {},
): Setup {
  const plane = createMemoryControlPlane();
  const source = createSyntheticSource({ validToken: SECRET, ...sourceOptions });
  for (let i = 0; i < 30; i += 1)
    source.put({ doc: { _id: `d${String(i).padStart(2, '0')}`, _timestamp: 'v1' } });
  plane.addConnector('c1', {
    configuration: configuration({ token: SECRET, page_size: 5 }),
    ...connector,
  });
  const sink = createMemorySink();
  const closed = { count: 0 };
  const tracked: SourceDefinition = {
    ...(source.definition as unknown as SourceDefinition),
    create: async (config, context) => {
      const instance = await source.definition.create(config as never, context);
      return {
        ...instance,
        close: () => {
          closed.count += 1;
          return instance.close();
        },
      };
    },
  };
  return {
    plane,
    source,
    sink,
    closed,
    options: (jobId, extra = {}) => ({
      controlPlane: plane,
      jobId,
      sources: (type) => (type === 'synthetic' ? tracked : undefined),
      sink,
      workerHostname: 'worker-1',
      signal: new AbortController().signal,
      scratchDir,
      statsIntervalMs: 10,
      pollIntervalMs: 10,
      ...extra,
    }),
  };
}

describe('runJob', () => {
  it('runs a full job and writes the terminal job and connector fields', async () => {
    const { plane, sink, closed, options } = setup();
    const jobId = await plane.createJob(
      { connectorId: 'c1', jobType: 'full', triggerMethod: 'on_demand' },
      new AbortController().signal,
    );
    const outcome = await runJob(options(jobId));
    expect(outcome).toMatchObject({ ran: true, status: 'completed' });
    const job = plane.job(jobId);
    expect(job).toMatchObject({
      status: 'completed',
      error: null,
      indexed_document_count: 30,
      deleted_document_count: 0,
      indexed_document_volume: 0,
      total_document_count: 30,
      worker_hostname: 'worker-1',
    });
    expect(job.completed_at).not.toBeNull();
    const connector = plane.connector('c1');
    expect(connector).toMatchObject({
      status: 'connected',
      error: null,
      last_sync_status: 'completed',
      last_sync_error: null,
      last_indexed_document_count: 30,
      last_deleted_document_count: 0,
      sync_cursor: 30,
    });
    expect(connector.last_synced).not.toBeNull();
    expect(sink.documents('search-test').size).toBe(30);
    expect(plane.checkpoints.size).toBe(0);
    expect(closed.count).toBe(1);
  });

  it('refuses to run when the connector already runs a content sync, leaving the job pending', async () => {
    const { plane, options } = setup({ last_sync_status: 'in_progress' });
    const jobId = await plane.createJob(
      { connectorId: 'c1', jobType: 'full', triggerMethod: 'scheduled' },
      new AbortController().signal,
    );
    const outcome = await runJob(options(jobId));
    expect(outcome).toEqual({ ran: false, reason: 'connector c1 already runs a content sync' });
    expect(plane.job(jobId).status).toBe('pending');
  });

  it('gives the lock back without claiming when another worker finished the job before the lock was taken', async () => {
    const { plane, options } = setup();
    const signal = new AbortController().signal;
    const jobId = await plane.createJob(
      { connectorId: 'c1', jobType: 'full', triggerMethod: 'on_demand' },
      signal,
    );
    // Another worker runs the job to its end between this runner's first read and its lock.
    const racing = Object.create(plane) as typeof plane;
    let raced = false;
    racing.updateConnector = async (id, patch, opts) => {
      if (!raced && opts.ifVersion !== undefined) {
        raced = true;
        await plane.updateJob(jobId, { status: 'completed', worker_hostname: 'worker-2' }, signal);
      }
      return plane.updateConnector(id, patch, opts);
    };
    const outcome = await runJob({ ...options(jobId), controlPlane: racing });
    expect(outcome).toEqual({ ran: false, reason: `job ${jobId} is completed` });
    expect(plane.job(jobId)).toMatchObject({ status: 'completed', worker_hostname: 'worker-2' });
    expect(plane.connector('c1').last_sync_status).toBeNull();
  });

  it('retries the connector lock on conflicts up to three times', async () => {
    const { plane, options } = setup();
    const signal = new AbortController().signal;
    const first = await plane.createJob(
      { connectorId: 'c1', jobType: 'full', triggerMethod: 'on_demand' },
      signal,
    );
    plane.conflictNext(2);
    expect(await runJob(options(first))).toMatchObject({ ran: true, status: 'completed' });
    const second = await plane.createJob(
      { connectorId: 'c1', jobType: 'full', triggerMethod: 'on_demand' },
      signal,
    );
    plane.conflictNext(3);
    expect(await runJob(options(second))).toEqual({
      ran: false,
      reason: 'connector c1 lock lost to another worker',
    });
    expect(plane.job(second).status).toBe('pending');
  });

  it('fails the job with a message naming the field when the configuration is invalid', async () => {
    const { plane, closed, options } = setup({ configuration: configuration({ token: '' }) });
    const jobId = await plane.createJob(
      { connectorId: 'c1', jobType: 'full', triggerMethod: 'on_demand' },
      new AbortController().signal,
    );
    const outcome = await runJob(options(jobId));
    expect(outcome).toMatchObject({ ran: true, status: 'error' });
    expect(plane.job(jobId).error).toContain("token ('API token'): cannot be empty");
    expect(plane.connector('c1')).toMatchObject({ status: 'error', last_sync_status: 'error' });
    expect(plane.connector('c1').last_sync_error).toContain('token');
    expect(closed.count).toBe(0);
  });

  it('fails the job on rejected credentials without printing the secret', async () => {
    const wrong = 'wrong-secret-token-999';
    const { plane, closed, options } = setup({ configuration: configuration({ token: wrong }) });
    const logger = createCapturingLogger();
    const jobId = await plane.createJob(
      { connectorId: 'c1', jobType: 'full', triggerMethod: 'on_demand' },
      new AbortController().signal,
    );
    await runJob(options(jobId, { logger }));
    const job = plane.job(jobId);
    expect(job.status).toBe('error');
    expect(job.error).toBe('[synthetic] The API token was rejected; create a new one');
    expect(job.error).not.toContain(wrong);
    expect(plane.connector('c1').last_sync_error).not.toContain(wrong);
    expect(logger.text()).not.toContain(wrong);
    expect(closed.count).toBe(1);
  });

  it('fails the job when the snapshot sync rules are invalid', async () => {
    const rules: SyncRule[] = [
      { id: 'r', policy: 'exclude', field: 'x', rule: 'regex', value: '.*', order: 1 },
    ];
    const { plane, options } = setup({
      filtering: [
        {
          domain: 'DEFAULT',
          draft: { rules, advanced_snippet: { value: {} }, validation: { state: 'valid', errors: [] } },
          active: { rules, advanced_snippet: { value: {} }, validation: { state: 'valid', errors: [] } },
        },
      ],
    });
    const jobId = await plane.createJob(
      { connectorId: 'c1', jobType: 'full', triggerMethod: 'on_demand' },
      new AbortController().signal,
    );
    await runJob(options(jobId));
    expect(plane.job(jobId).error).toBe(
      "Filtering in state invalid, errors: Basic rule 2 (id: 'r') uses an all-matching regex '.*', which is not allowed",
    );
  });

  it('notices a cancelation request and ends canceled', async () => {
    const { plane, sink, options } = setup({}, { pageDelayMs: 20 });
    sink.documents('search-test').set('stale', { id: 'stale' });
    const jobId = await plane.createJob(
      { connectorId: 'c1', jobType: 'full', triggerMethod: 'on_demand' },
      new AbortController().signal,
    );
    const running = runJob(options(jobId));
    setTimeout(() => void plane.cancelJob(jobId, new AbortController().signal), 40);
    const outcome = await running;
    expect(outcome).toMatchObject({ ran: true, status: 'canceled' });
    const job = plane.job(jobId);
    expect(job.status).toBe('canceled');
    expect(job.canceled_at).not.toBeNull();
    expect(plane.connector('c1')).toMatchObject({ status: 'connected', last_sync_status: 'canceled' });
    expect(sink.documents('search-test').has('stale')).toBe(true);
  });

  it('suspends on shutdown, keeps the checkpoint, and resumes the same job to completion', async () => {
    const { plane, source, sink, options } = setup({}, { pageDelayMs: 5 });
    sink.documents('search-test').set('stale', { id: 'stale' });
    const jobId = await plane.createJob(
      { connectorId: 'c1', jobType: 'full', triggerMethod: 'on_demand' },
      new AbortController().signal,
    );
    const shutdown = new AbortController();
    const stopWhenCheckpointed = setInterval(() => {
      if (plane.checkpoints.has(jobId)) shutdown.abort(new SuspendSignalReason('SIGTERM'));
    }, 1);
    const first = await runJob(options(jobId, { signal: shutdown.signal }));
    clearInterval(stopWhenCheckpointed);
    expect(first).toMatchObject({ ran: true, status: 'suspended' });
    expect(plane.job(jobId).status).toBe('suspended');
    expect(plane.job(jobId).completed_at).toBeNull();
    expect(plane.connector('c1').last_sync_status).toBe('suspended');
    expect(plane.checkpoints.has(jobId)).toBe(true);
    const pages = source.pagesRead;

    const second = await runJob(options(jobId));
    expect(second).toMatchObject({ ran: true, status: 'completed' });
    expect(source.pagesRead - pages).toBeLessThan(6);
    expect([...sink.documents('search-test').keys()].sort()).toEqual(
      Array.from({ length: 30 }, (_, i) => `d${String(i).padStart(2, '0')}`),
    );
  });

  it('reports running counters while the sync runs', async () => {
    const { plane, options } = setup({}, { pageDelayMs: 15 });
    const jobId = await plane.createJob(
      { connectorId: 'c1', jobType: 'full', triggerMethod: 'on_demand' },
      new AbortController().signal,
    );
    await runJob(options(jobId));
    expect(plane.statsUpdates.length).toBeGreaterThan(1);
    const last = plane.statsUpdates.at(-1)?.stats.indexed_document_count ?? 0;
    expect(last).toBeGreaterThan(0);
  });

  it('passes the connector cursor to incremental jobs and stores the new one', async () => {
    const { plane, source, sink, options } = setup();
    const signal = new AbortController().signal;
    await runJob(
      options(
        await plane.createJob({ connectorId: 'c1', jobType: 'full', triggerMethod: 'on_demand' }, signal),
      ),
    );
    source.delete('d03');
    const jobId = await plane.createJob(
      { connectorId: 'c1', jobType: 'incremental', triggerMethod: 'scheduled' },
      signal,
    );
    const outcome = await runJob(options(jobId));
    expect(outcome).toMatchObject({ ran: true, status: 'completed' });
    expect(plane.job(jobId).connector.sync_cursor).toBe(30);
    expect(plane.job(jobId).deleted_document_count).toBe(1);
    expect(plane.connector('c1').sync_cursor).toBe(31);
    expect(sink.documents('search-test').has('d03')).toBe(false);
  });

  it('keeps the stored cursor when a content job fails', async () => {
    const { plane, source, options } = setup();
    plane.addConnector('c1', { ...plane.connector('c1'), sync_cursor: 7 });
    source.failOnPage = 1;
    const jobId = await plane.createJob(
      { connectorId: 'c1', jobType: 'full', triggerMethod: 'on_demand' },
      new AbortController().signal,
    );
    await runJob(options(jobId));
    expect(plane.job(jobId).status).toBe('error');
    expect(plane.connector('c1').sync_cursor).toBe(7);
    expect(plane.connector('c1').last_sync_error).toContain('Listing page 1 failed');
  });

  it('runs access control jobs into the ACL index and updates only the ACL status', async () => {
    const { plane, source, sink, options } = setup({
      features: { document_level_security: { enabled: true } },
      sync_cursor: 3,
    });
    source.identities = [
      { _id: 'alice', identity: { email: 'email:alice' }, access_control: ['user:alice'] },
    ];
    const jobId = await plane.createJob(
      { connectorId: 'c1', jobType: 'access_control', triggerMethod: 'on_demand' },
      new AbortController().signal,
    );
    const outcome = await runJob(options(jobId));
    expect(outcome).toMatchObject({ ran: true, status: 'completed' });
    expect(sink.documents('.search-acl-filter-search-test').has('alice')).toBe(true);
    expect(plane.job(jobId).total_document_count).toBe(1);
    expect(plane.connector('c1')).toMatchObject({
      last_access_control_sync_status: 'completed',
      last_sync_status: null,
      sync_cursor: 3,
    });
  });
});
