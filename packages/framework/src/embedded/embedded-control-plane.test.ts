import { describe, expect, it } from 'vitest';
import type { SyncJobDoc, Versioned } from '../control-plane/records.js';
import type { EmbeddedStore } from './embedded-store.js';
import { activeFilter, connectorDoc } from './fixtures/connector-doc.js';
import { createTempStore } from './fixtures/temp-store.js';

const signal = new AbortController().signal;

/** A clock the test moves by hand. */
function manualClock(start = Date.parse('2026-01-01T00:00:00.000Z')): {
  now: () => Date;
  advance(ms: number): void;
} {
  let time = start;
  return { now: () => new Date(time), advance: (ms) => (time += ms) };
}

async function collect(iterable: AsyncIterable<Versioned<SyncJobDoc>>): Promise<Versioned<SyncJobDoc>[]> {
  const out: Versioned<SyncJobDoc>[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function createJob(store: EmbeddedStore, jobType: SyncJobDoc['job_type'] = 'full'): Promise<string> {
  return store.createJob({ connectorId: 'dbx', jobType, triggerMethod: 'on_demand' }, signal);
}

describe('EmbeddedStore connectors', () => {
  it('creates, reads, lists and hides soft-deleted connectors', async () => {
    await using temp = await createTempStore();
    await temp.store.createConnector('dbx', connectorDoc(), signal);
    await temp.store.createConnector('gone', connectorDoc({ deleted: true }), signal);

    const found = await temp.store.getConnector('dbx', signal);
    expect(found).toEqual({ id: 'dbx', doc: connectorDoc(), version: '1' });
    expect(await temp.store.getConnector('gone', signal)).toBeUndefined();
    expect((await temp.store.listConnectors(['missing', 'gone', 'dbx'], signal)).map((c) => c.id)).toEqual([
      'dbx',
    ]);
    await expect(temp.store.createConnector('dbx', connectorDoc(), signal)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('returns conflict for an update with a stale version and applies the current one', async () => {
    await using temp = await createTempStore();
    const created = await temp.store.createConnector('dbx', connectorDoc(), signal);

    expect(
      await temp.store.updateConnector(
        'dbx',
        { last_sync_status: 'in_progress' },
        { ifVersion: created.version, signal },
      ),
    ).toBe('ok');
    expect(
      await temp.store.updateConnector(
        'dbx',
        { last_sync_status: 'in_progress' },
        { ifVersion: created.version, signal },
      ),
    ).toBe('conflict');

    const current = await temp.store.getConnector('dbx', signal);
    expect(current?.version).toBe('2');
    expect(current?.doc.last_sync_status).toBe('in_progress');
  });

  it('merges nested objects of a patch like an Elasticsearch partial update', async () => {
    await using temp = await createTempStore();
    await temp.store.createConnector('dbx', connectorDoc(), signal);

    await temp.store.updateConnector(
      'dbx',
      { scheduling: { full: { enabled: false, interval: '0 0 1 * * ?' } } } as never,
      { signal },
    );

    const doc = (await temp.store.getConnector('dbx', signal))?.doc;
    expect(doc?.scheduling).toEqual({
      full: { enabled: false, interval: '0 0 1 * * ?' },
      incremental: { enabled: false, interval: '0 0 * * * ?' },
      access_control: { enabled: false, interval: '0 0 0 * * ?' },
    });
  });

  it('checks in by setting last_seen and fails for an unknown connector', async () => {
    const clock = manualClock();
    await using temp = await createTempStore({ now: clock.now });
    await temp.store.createConnector('dbx', connectorDoc(), signal);

    await temp.store.checkIn('dbx', signal);

    expect((await temp.store.getConnector('dbx', signal))?.doc.last_seen).toBe('2026-01-01T00:00:00.000Z');
    await expect(temp.store.checkIn('nope', signal)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('upserts by replacing the whole record and deletes with or without jobs', async () => {
    await using temp = await createTempStore();
    const first = await temp.store.upsertConnector('dbx', connectorDoc(), signal);
    const second = await temp.store.upsertConnector(
      'dbx',
      connectorDoc({ name: 'Renamed', sync_cursor: null }),
      signal,
    );
    expect([first.version, second.version]).toEqual(['1', '2']);
    expect((await temp.store.getConnector('dbx', signal))?.doc).toEqual(
      connectorDoc({ name: 'Renamed', sync_cursor: null }),
    );

    const job = await createJob(temp.store);
    await temp.store.saveCheckpoint(job, { page: 3 }, signal);
    expect(await temp.store.deleteConnector('dbx', { deleteJobs: true, signal })).toBe(true);
    expect(await temp.store.deleteConnector('dbx', { signal })).toBe(false);
    expect(await temp.store.getJob(job, signal)).toBeUndefined();
    expect(await temp.store.loadCheckpoint(job, signal)).toBeUndefined();
  });
});

describe('EmbeddedStore jobs', () => {
  it('snapshots the connector into a pending job (spec 3.1), without sensitive values', async () => {
    const clock = manualClock();
    await using temp = await createTempStore({ now: clock.now });
    await temp.store.createConnector('dbx', connectorDoc(), signal);

    const id = await createJob(temp.store, 'incremental');
    const job = await temp.store.getJob(id, signal);

    expect(id).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(job).toEqual({
      id,
      version: '1',
      doc: {
        job_type: 'incremental',
        trigger_method: 'on_demand',
        status: 'pending',
        connector: {
          id: 'dbx',
          index_name: 'search-dropbox',
          language: 'en',
          pipeline: connectorDoc().pipeline,
          service_type: 'dropbox',
          // Sensitive values stay on the connector record.
          configuration: Object.fromEntries(
            Object.entries(connectorDoc().configuration).map(([key, entry]) => [
              key,
              entry.sensitive ? { ...entry, value: null } : entry,
            ]),
          ),
          filtering: activeFilter('/private'),
        },
        created_at: '2026-01-01T00:00:00.000Z',
        started_at: null,
        last_seen: '2026-01-01T00:00:00.000Z',
        completed_at: null,
        cancelation_requested_at: null,
        canceled_at: null,
        worker_hostname: null,
        indexed_document_count: 0,
        indexed_document_volume: 0,
        deleted_document_count: 0,
        total_document_count: 0,
        error: null,
        metadata: {},
      },
    });
  });

  it('points access-control jobs at the .search-acl-filter- index', async () => {
    await using temp = await createTempStore();
    await temp.store.createConnector('dbx', connectorDoc(), signal);

    const job = await temp.store.getJob(await createJob(temp.store, 'access_control'), signal);

    expect(job?.doc.connector.index_name).toBe('.search-acl-filter-search-dropbox');
  });

  it('refuses a job for a connector without index_name or service_type, naming both', async () => {
    await using temp = await createTempStore();
    await temp.store.createConnector('dbx', connectorDoc({ index_name: null, service_type: null }), signal);

    await expect(createJob(temp.store)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      issues: ['connector dbx: index_name is not set', 'connector dbx: service_type is not set'],
    });
    await expect(
      temp.store.createJob({ connectorId: 'nope', jobType: 'full', triggerMethod: 'scheduled' }, signal),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('claims a pending job once and refuses a second claim', async () => {
    const clock = manualClock();
    await using temp = await createTempStore({ now: clock.now });
    await temp.store.createConnector('dbx', connectorDoc(), signal);
    const id = await createJob(temp.store, 'incremental');
    clock.advance(1000);

    await temp.store.claimJob(id, { workerHostname: 'host-a', syncCursor: { cursor: 'c-1' } }, signal);

    const job = (await temp.store.getJob(id, signal))?.doc;
    expect(job).toMatchObject({
      status: 'in_progress',
      started_at: '2026-01-01T00:00:01.000Z',
      last_seen: '2026-01-01T00:00:01.000Z',
      worker_hostname: 'host-a',
      connector: { sync_cursor: { cursor: 'c-1' } },
    });
    await expect(temp.store.claimJob(id, { workerHostname: 'host-b' }, signal)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('is in_progress, not pending or suspended'),
    });
  });

  it('writes stats with a fresh last_seen and merges job patches', async () => {
    const clock = manualClock();
    await using temp = await createTempStore({ now: clock.now });
    await temp.store.createConnector('dbx', connectorDoc(), signal);
    const id = await createJob(temp.store);
    clock.advance(5000);

    await temp.store.updateJobStats(
      id,
      { indexed_document_count: 7, indexed_document_volume: 2, deleted_document_count: 1 },
      signal,
    );
    await temp.store.updateJob(id, { status: 'error', error: 'boom', metadata: { page: 2 } }, signal);

    const job = await temp.store.getJob(id, signal);
    expect(job?.version).toBe('3');
    expect(job?.doc).toMatchObject({
      indexed_document_count: 7,
      indexed_document_volume: 2,
      deleted_document_count: 1,
      total_document_count: 0,
      last_seen: '2026-01-01T00:00:05.000Z',
      status: 'error',
      error: 'boom',
      metadata: { page: 2 },
    });
    await expect(temp.store.updateJob('missing', { status: 'error' }, signal)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    // Conditional: applies only to the version read.
    expect(await temp.store.updateJob(id, { status: 'suspended' }, signal, { ifVersion: '2' })).toBe(
      'conflict',
    );
    expect((await temp.store.getJob(id, signal))?.doc.status).toBe('error');
    expect(await temp.store.updateJob(id, { status: 'suspended' }, signal, { ifVersion: '3' })).toBe('ok');
    expect(await temp.store.getJob(id, signal)).toMatchObject({ version: '4', doc: { status: 'suspended' } });
  });

  it('cancels with Elasticsearch semantics', async () => {
    const clock = manualClock();
    await using temp = await createTempStore({ now: clock.now });
    await temp.store.createConnector('dbx', connectorDoc(), signal);
    const pending = await createJob(temp.store);
    const suspended = await createJob(temp.store);
    const running = await createJob(temp.store);
    const done = await createJob(temp.store);
    await temp.store.updateJob(suspended, { status: 'suspended' }, signal);
    await temp.store.claimJob(running, { workerHostname: 'h' }, signal);
    await temp.store.updateJob(done, { status: 'completed' }, signal);
    clock.advance(60_000);
    const at = '2026-01-01T00:01:00.000Z';

    await temp.store.cancelJob(pending, signal);
    await temp.store.cancelJob(suspended, signal);
    await temp.store.cancelJob(running, signal);

    for (const id of [pending, suspended]) {
      expect((await temp.store.getJob(id, signal))?.doc).toMatchObject({
        status: 'canceled',
        cancelation_requested_at: at,
        canceled_at: at,
        completed_at: at,
      });
    }
    expect((await temp.store.getJob(running, signal))?.doc).toMatchObject({
      status: 'canceling',
      cancelation_requested_at: at,
      canceled_at: null,
      completed_at: null,
    });
    await expect(temp.store.cancelJob(done, signal)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('it is completed'),
    });
    await expect(temp.store.cancelJob(running, signal)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('lists jobs oldest first with status, connector, type and idle filters across pages', async () => {
    const clock = manualClock();
    await using temp = await createTempStore({ now: clock.now });
    await temp.store.createConnector('dbx', connectorDoc(), signal);
    await temp.store.createConnector('other', connectorDoc(), signal);
    const ids: string[] = [];
    for (let i = 0; i < 230; i += 1) {
      if (i % 10 === 0) clock.advance(1000); // ten jobs share each created_at: order falls back to creation
      ids.push(await createJob(temp.store, i % 2 === 0 ? 'full' : 'incremental'));
    }
    const otherJob = await temp.store.createJob(
      { connectorId: 'other', jobType: 'access_control', triggerMethod: 'scheduled' },
      signal,
    );
    await temp.store.claimJob(ids[3] as string, { workerHostname: 'h' }, signal);

    const all = await collect(temp.store.listJobs({}, signal));
    expect(all.map((job) => job.id)).toEqual([...ids, otherJob]);

    const pendingFull = await collect(
      temp.store.listJobs({ statuses: ['pending'], connectorIds: ['dbx'], jobTypes: ['full'] }, signal),
    );
    expect(pendingFull.map((job) => job.id)).toEqual(ids.filter((_, i) => i % 2 === 0));

    const idle = await collect(
      temp.store.listJobs({ statuses: ['in_progress'], lastSeenBefore: '2026-01-01T00:00:30+00:00' }, signal),
    );
    expect(idle.map((job) => job.id)).toEqual([ids[3]]);
    const notIdle = await collect(
      temp.store.listJobs({ statuses: ['in_progress'], lastSeenBefore: '2026-01-01T00:00:01Z' }, signal),
    );
    expect(notIdle).toEqual([]);
  });
});

describe('EmbeddedStore checkpoints', () => {
  it('saves, overwrites, loads and clears a checkpoint', async () => {
    await using temp = await createTempStore();

    expect(await temp.store.loadCheckpoint('job-1', signal)).toBeUndefined();
    await temp.store.saveCheckpoint('job-1', { page: 1 }, signal);
    await temp.store.saveCheckpoint('job-1', { page: 2, cursor: 'abc' }, signal);
    expect(await temp.store.loadCheckpoint('job-1', signal)).toEqual({ page: 2, cursor: 'abc' });
    await temp.store.saveCheckpoint('job-1', null, signal);
    expect(await temp.store.loadCheckpoint('job-1', signal)).toBeUndefined();
  });
});
