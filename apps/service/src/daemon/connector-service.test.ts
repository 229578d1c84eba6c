import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createMemoryControlPlane, createSyntheticSource } from '@connectors/framework/testing';
import {
  noopLogger,
  toConfigurationSchema,
  type SourceDefinition,
  type SyncJobDoc,
  type Versioned,
} from '@connectors/framework';
import { afterEach, describe, expect, it } from 'vitest';
import type { SourceRegistry } from '../registry.js';
import { createConnectorService, type LoopSettings } from './connector-service.js';

const settings: LoopSettings = {
  idling: 30,
  heartbeat: 300,
  job_cleanup_interval: 300,
  job_stale_after: 60,
  max_concurrent_content_syncs: 1,
  max_concurrent_access_control_syncs: 1,
  max_errors: 20,
  max_errors_span: 600,
};

const source = createSyntheticSource().definition as unknown as SourceDefinition;
const registry: SourceRegistry = {
  get: (type) => (type === source.id ? source : undefined),
  list: () => [source],
};
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

function setup(options: {
  now: () => Date;
  executeJob?: (job: Versioned<SyncJobDoc>) => Promise<void>;
  scratchDir?: string;
}) {
  const controlPlane = createMemoryControlPlane();
  controlPlane.addConnector('c1', {
    service_type: source.id,
    status: 'configured',
    configuration: (() => {
      const schema = toConfigurationSchema(source.configuration);
      if (schema.token) schema.token.value = 'good-token';
      return schema;
    })(),
    scheduling: {
      full: { enabled: true, interval: '0 0 * * * ?' },
      incremental: { enabled: false, interval: '0 0 0 * * ?' },
      access_control: { enabled: false, interval: '0 0 0 * * ?' },
    },
  });
  const executed: string[] = [];
  const service = createConnectorService({
    controlPlane,
    registry,
    connectorIds: ['c1'],
    serviceTypes: new Map([['c1', source.id]]),
    settings,
    logger: noopLogger,
    maxFileSize: 1024,
    now: options.now,
    ...(options.scratchDir ? { scratchDir: options.scratchDir } : {}),
    executeJob: async (job) => {
      executed.push(job.id);
      await options.executeJob?.(job);
    },
  });
  return { controlPlane, service, executed };
}

async function jobsOf(
  controlPlane: ReturnType<typeof createMemoryControlPlane>,
): Promise<Versioned<SyncJobDoc>[]> {
  const out: Versioned<SyncJobDoc>[] = [];
  for await (const job of controlPlane.listJobs({}, new AbortController().signal)) out.push(job);
  return out;
}

/** A service at 10:00 with one job of c1 running on another worker, last seen at `lastSeen`, c1 locked. */
async function withRunningJob(worker: string, lastSeen: string) {
  const now = new Date('2026-11-22T10:00:00Z');
  const parts = setup({ now: () => now, executeJob: () => new Promise(() => undefined) });
  const signal = new AbortController().signal;
  const jobId = await parts.controlPlane.createJob(
    { connectorId: 'c1', jobType: 'full', triggerMethod: 'on_demand' },
    signal,
  );
  await parts.controlPlane.claimJob(jobId, { workerHostname: worker }, signal);
  await parts.controlPlane.updateJob(jobId, { last_seen: lastSeen }, signal);
  await parts.controlPlane.updateConnector('c1', { last_sync_status: 'in_progress' }, { signal });
  /** One tick of the service, then the job's and the connector's sync status. */
  const statusesAfterTick = async () => {
    await parts.service.tick();
    return [parts.controlPlane.job(jobId).status, parts.controlPlane.connector('c1').last_sync_status];
  };
  return { ...parts, jobId, statusesAfterTick };
}

/** A service at 10:00 with c1 locked (`in_progress`) by no job: an orphaned lock. */
async function withOrphanedLock() {
  let now = new Date('2026-11-22T10:00:00Z');
  const { controlPlane, service } = setup({ now: () => now });
  const signal = new AbortController().signal;
  const setLock = (status: 'in_progress' | 'completed') =>
    controlPlane.updateConnector('c1', { last_sync_status: status }, { signal });
  await setLock('in_progress');
  /** Moves the clock on by `ms`, runs one tick, and returns the connector's sync status. */
  const lockAfterTick = async (ms: number) => {
    now = new Date(now.getTime() + ms);
    await service.tick();
    return controlPlane.connector('c1').last_sync_status;
  };
  return { setLock, lockAfterTick };
}

describe('the connector service loops', () => {
  it('checks a connector in, marks it connected, and schedules a job when its cron occurrence is due', async () => {
    let now = new Date('2026-11-22T10:59:30Z');
    const { controlPlane, service } = setup({
      now: () => now,
      executeJob: () => new Promise(() => undefined),
    });
    await service.tick();
    expect(controlPlane.connector('c1').status).toBe('connected');
    expect(controlPlane.connector('c1').last_seen).not.toBeNull();
    expect(await jobsOf(controlPlane)).toHaveLength(0); // 11:00 is not due yet

    now = new Date('2026-11-22T11:00:05Z');
    await service.tick();
    const jobs = await jobsOf(controlPlane);
    expect(jobs.map((job) => [job.doc.job_type, job.doc.trigger_method])).toEqual([['full', 'scheduled']]);
    expect(controlPlane.connector('c1').last_sync_scheduled_at).toBe('2026-11-22T11:00:00.000Z');
  });

  it('does not queue another scheduled job while one of the same type is still pending or running', async () => {
    let now = new Date('2026-11-22T10:59:30Z');
    // The job never finishes: it stays pending in the control plane (the executor does not claim it).
    const { controlPlane, service } = setup({
      now: () => now,
      executeJob: () => new Promise(() => undefined),
    });
    await service.tick();
    now = new Date('2026-11-22T11:00:05Z');
    await service.tick();
    now = new Date('2026-11-22T12:00:05Z');
    await service.tick();
    expect(await jobsOf(controlPlane)).toHaveLength(1);
  });

  it('suspends a running job whose worker stopped reporting, so that it is resumed', async () => {
    const { service, executed, jobId, statusesAfterTick } = await withRunningJob(
      'dead-host',
      '2026-11-22T09:58:00.000Z',
    );
    expect(await statusesAfterTick()).toEqual(['suspended', 'suspended']);
    await service.tick();
    expect(executed).toEqual([jobId]); // picked up again by the execution pass
  });

  it('leaves a running job alone while its heartbeat is fresh', async () => {
    const { statusesAfterTick } = await withRunningJob('other-host', '2026-11-22T09:59:30.000Z');
    expect(await statusesAfterTick()).toEqual(['in_progress', 'in_progress']);
  });

  it('does not suspend a job that only looked stale in the listing (searches lag behind heartbeats)', async () => {
    const { controlPlane, statusesAfterTick } = await withRunningJob(
      'other-host',
      '2026-11-22T09:59:30.000Z',
    );
    // The listing returns the job as a lagging search would: with a heartbeat from long ago.
    const listJobs = controlPlane.listJobs.bind(controlPlane);
    controlPlane.listJobs = async function* (query, listSignal) {
      for await (const job of listJobs(query, listSignal)) {
        yield { ...job, doc: { ...job.doc, last_seen: '2026-11-22T09:50:00.000Z' } };
      }
    };
    expect(await statusesAfterTick()).toEqual(['in_progress', 'in_progress']);
  });

  it('does not suspend a stale-looking job when its worker reports between the read and the write', async () => {
    const { controlPlane, statusesAfterTick } = await withRunningJob('slow-host', '2026-11-22T09:58:00.000Z');
    // The worker's heartbeat lands right after the cleanup read the job.
    const getJob = controlPlane.getJob.bind(controlPlane);
    controlPlane.getJob = async (id, getSignal) => {
      const job = await getJob(id, getSignal);
      await controlPlane.updateJobStats(
        id,
        { deleted_document_count: 0, indexed_document_count: 1, indexed_document_volume: 1 },
        getSignal,
      );
      return job;
    };
    expect(await statusesAfterTick()).toEqual(['in_progress', 'in_progress']);
  });

  it('releases a connector lock held by no job once the same lock was seen orphaned for job_stale_after', async () => {
    const { lockAfterTick } = await withOrphanedLock();
    expect(await lockAfterTick(0)).toBe('in_progress');
    expect(await lockAfterTick(61_000)).toBe('error');
  });

  it('gives a lock taken again (a new connector version) its own time: a worker between lock and claim keeps it', async () => {
    const { setLock, lockAfterTick } = await withOrphanedLock();
    expect(await lockAfterTick(0)).toBe('in_progress');
    // Another worker finished, released and locked again for its next job (not claimed yet).
    await setLock('completed');
    await setLock('in_progress');
    expect(await lockAfterTick(61_000)).toBe('in_progress');
    expect(await lockAfterTick(61_000)).toBe('error');
  });

  it('removes reconciliation tables of finished jobs and keeps those of live ones', async () => {
    const scratchDir = await mkdtemp(path.join(tmpdir(), 'scratch-'));
    dirs.push(scratchDir);
    const now = new Date('2026-11-22T10:00:00Z');
    const { controlPlane, service } = setup({
      now: () => now,
      scratchDir,
      executeJob: () => new Promise(() => undefined),
    });
    const signal = new AbortController().signal;
    const done = await controlPlane.createJob(
      { connectorId: 'c1', jobType: 'full', triggerMethod: 'on_demand' },
      signal,
    );
    await controlPlane.updateJob(done, { status: 'completed' }, signal);
    const suspended = await controlPlane.createJob(
      { connectorId: 'c1', jobType: 'full', triggerMethod: 'on_demand' },
      signal,
    );
    await controlPlane.updateJob(suspended, { status: 'suspended' }, signal);
    for (const id of [done, suspended, 'vanished-job']) {
      await writeFile(path.join(scratchDir, `sync-scratch-${id}.sqlite`), 'x');
      await writeFile(path.join(scratchDir, `sync-scratch-${id}.sqlite-wal`), 'x');
    }
    await service.tick();
    expect((await readdir(scratchDir)).sort()).toEqual([
      `sync-scratch-${suspended}.sqlite`,
      `sync-scratch-${suspended}.sqlite-wal`,
    ]);
  });

  it('marks a connector connected again once its check passes after a failed job set it in error', async () => {
    const now = new Date('2026-11-22T10:00:00Z');
    const { controlPlane, service } = setup({
      now: () => now,
      executeJob: () => new Promise(() => undefined),
    });
    await service.tick();
    expect(controlPlane.connector('c1').status).toBe('connected');
    // A job of this connector failed meanwhile (the runner writes the connector's status).
    await controlPlane.updateConnector(
      'c1',
      { status: 'error', error: 'boom' },
      { signal: new AbortController().signal },
    );
    await service.tick();
    expect(controlPlane.connector('c1')).toMatchObject({ status: 'connected', error: null });
  });

  it('puts a connector with an enabled schedule that does not parse in error, naming the expression', async () => {
    const now = new Date('2026-11-22T10:00:00Z');
    const { controlPlane, service } = setup({
      now: () => now,
      executeJob: () => new Promise(() => undefined),
    });
    await controlPlane.updateConnector(
      'c1',
      {
        scheduling: {
          ...controlPlane.connector('c1').scheduling,
          full: { enabled: true, interval: 'every hour' },
        },
      },
      { signal: new AbortController().signal },
    );
    await service.tick();
    expect(controlPlane.connector('c1').status).toBe('error');
    expect(controlPlane.connector('c1').error).toContain("Invalid cron expression 'every hour'");
    expect(await jobsOf(controlPlane)).toHaveLength(0);
  });
});
