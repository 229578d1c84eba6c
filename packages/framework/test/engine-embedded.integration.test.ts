import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toConfigurationSchema } from '../src/config/configuration-schema.js';
import { openEmbeddedStore, type EmbeddedStore } from '../src/embedded/embedded-store.js';
import { runJob } from '../src/engine/run-job.js';
import { SuspendSignalReason } from '../src/engine/suspend-signal-reason.js';
import type { SourceDefinition } from '../src/source/define-source.js';
import { defaultConnectorDoc } from '../src/testing/memory-control-plane.js';
import {
  createSyntheticSource,
  syntheticSourceFields,
  type SyntheticSource,
} from '../src/testing/synthetic-source.js';

const signal = () => new AbortController().signal;
let dir: string;
let store: EmbeddedStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'engine-embedded-'));
  store = await openEmbeddedStore(join(dir, 'store.sqlite'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function connect(
  source: SyntheticSource,
): Promise<(jobType: 'full' | 'incremental', abort?: AbortSignal) => ReturnType<typeof runJob>> {
  const configuration = toConfigurationSchema(syntheticSourceFields);
  configuration['token']!.value = 'embedded-secret-token';
  configuration['page_size']!.value = 10;
  await store.createConnector(
    'c1',
    defaultConnectorDoc({ configuration, index_name: 'search-files', service_type: 'synthetic' }),
    signal(),
  );
  return async (jobType, abort) => {
    const jobId = await store.createJob({ connectorId: 'c1', jobType, triggerMethod: 'on_demand' }, signal());
    return runJob({
      controlPlane: store,
      sink: store,
      jobId,
      sources: (type) =>
        type === 'synthetic' ? (source.definition as unknown as SourceDefinition) : undefined,
      workerHostname: 'test',
      signal: abort ?? signal(),
      scratchDir: dir,
      statsIntervalMs: 20,
      pollIntervalMs: 20,
    });
  };
}

async function storedIds(): Promise<string[]> {
  const ids: string[] = [];
  const writer = await store.openIndex({ indexName: 'search-files', kind: 'content', signal: signal() });
  for await (const doc of writer.existing(signal())) ids.push(doc.id);
  await writer.close();
  return ids.sort();
}

describe('engine on the embedded store', () => {
  it('runs full, unchanged, incremental and deleting syncs through runJob', async () => {
    const source = createSyntheticSource({ validToken: 'embedded-secret-token' });
    for (let i = 0; i < 35; i += 1)
      source.put({ doc: { _id: `f${String(i).padStart(2, '0')}`, _timestamp: 'v1', name: `file ${i}` } });
    const run = await connect(source);

    const first = await run('full');
    expect(first).toMatchObject({ ran: true, status: 'completed', result: { indexed: 35, total: 35 } });

    const second = await run('full');
    expect(second).toMatchObject({
      status: 'completed',
      result: { indexed: 0, unchanged: 35, deleted: 0, total: 35 },
    });

    source.put({ doc: { _id: 'f01', _timestamp: 'v2', name: 'renamed' } });
    source.delete('f02');
    const third = await run('incremental');
    expect(third).toMatchObject({ status: 'completed', result: { indexed: 1, deleted: 1, total: 34 } });
    expect((await store.getDocument('search-files', 'f01'))?.['name']).toBe('renamed');

    source.delete('f03');
    source.put({ doc: { _id: 'f04', _timestamp: 'v1' }, unreadable: 'locked file' });
    const fourth = await run('full');
    expect(fourth).toMatchObject({ status: 'completed', result: { deleted: 1, total: 33 } });
    const ids = await storedIds();
    expect(ids).not.toContain('f03');
    expect(ids).toContain('f04');
    const connector = await store.getConnector('c1', signal());
    expect(connector?.doc).toMatchObject({ last_sync_status: 'completed', sync_cursor: source.position });
  });

  it('resumes a suspended job from the checkpoint stored in the embedded store', async () => {
    const source = createSyntheticSource({ validToken: 'embedded-secret-token', pageDelayMs: 5 });
    for (let i = 0; i < 60; i += 1)
      source.put({ doc: { _id: `f${String(i).padStart(2, '0')}`, _timestamp: 'v1' } });
    const run = await connect(source);
    const shutdown = new AbortController();
    const checkForCheckpoint = async () => {
      for await (const job of store.listJobs({ statuses: ['in_progress'] }, signal())) {
        if ((await store.loadCheckpoint(job.id, signal())) !== undefined) {
          shutdown.abort(new SuspendSignalReason('shutdown'));
        }
      }
    };
    const watcher = setInterval(() => void checkForCheckpoint(), 2);
    const first = await run('full', shutdown.signal);
    clearInterval(watcher);
    expect(first).toMatchObject({ ran: true, status: 'suspended' });
    const pagesAtSuspend = source.pagesRead;

    const jobs: string[] = [];
    for await (const job of store.listJobs({ statuses: ['suspended'] }, signal())) jobs.push(job.id);
    expect(jobs).toHaveLength(1);
    const resumed = await runJob({
      controlPlane: store,
      sink: store,
      jobId: jobs[0]!,
      sources: () => source.definition as unknown as SourceDefinition,
      workerHostname: 'test',
      signal: signal(),
      scratchDir: dir,
    });
    expect(resumed).toMatchObject({ ran: true, status: 'completed', result: { total: 60 } });
    expect(source.pagesRead - pagesAtSuspend).toBeLessThan(6);
    expect(await storedIds()).toHaveLength(60);
  });

  it('skips a document without an id and keeps a name that is not valid UTF-8 stable across syncs', async () => {
    const source = createSyntheticSource({ validToken: 'embedded-secret-token' });
    for (let i = 0; i < 5; i += 1)
      source.put({ doc: { _id: `doc-${i}`, _timestamp: 'v1', title: `Doc ${i}` } });
    // A file name read from a disk with a broken encoding: a lone surrogate in the id and the title.
    source.put({ doc: { _id: 'bad-\uD800-name', _timestamp: 'v1', title: 'caf\uDC00 report' } });
    source.put({ doc: { _id: '', _timestamp: 'v1', title: 'no id at all' } });
    const run = await connect(source);

    const first = await run('full');
    expect(first.ran && first.error).toBeUndefined();
    expect(first).toMatchObject({ ran: true, status: 'completed' });
    expect(first.ran && first.result).toMatchObject({ indexed: 6, deleted: 0, skipped: { count: 1 } });
    expect(first.ran && first.result?.skipped.samples[0]?.reason).toMatch(/no _id/);
    expect(await storedIds()).toContain('bad-\uFFFD-name');
    expect((await store.search('search-files', 'report')).total).toBe(1);

    // The next full sync finds the same id again: nothing rewritten, nothing deleted.
    const second = await run('full');
    expect(second.ran && second.result).toMatchObject({ indexed: 0, deleted: 0, unchanged: 6 });
    expect(await storedIds()).toHaveLength(6);
  });
});
