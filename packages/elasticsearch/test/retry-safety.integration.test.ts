import { afterEach, describe, expect, it } from 'vitest';
import { createEsFake, type EsFake } from '@connectors/es-fake';
import { UpstreamError } from '@connectors/framework';
import {
  CONNECTORS_INDEX,
  JOBS_INDEX,
  createConnectorApiControlPlane,
  createElasticsearchClient,
  preflight,
} from '../src/index.js';
import { startScriptedEs } from './scripted-es.js';

const FAST = { maxRetries: 3, initialDelayMs: 5, maxDelayMs: 20 };
const signal = new AbortController().signal;
let close: (() => Promise<void>) | undefined;
let fake: EsFake | undefined;

afterEach(async () => {
  await close?.();
  close = undefined;
  await fake?.close();
  fake = undefined;
});

describe('retries that never duplicate work', () => {
  it('does not repeat a job creation whose connection dropped (it may have been applied)', async () => {
    const server = await startScriptedEs(() => ({ status: 200, destroy: true }));
    close = server.close;
    const controlPlane = createConnectorApiControlPlane(createElasticsearchClient({ host: server.url }), {
      retry: FAST,
    });
    const error = await controlPlane
      .createJob({ connectorId: 'c1', jobType: 'full', triggerMethod: 'scheduled' }, signal)
      .catch((caught: unknown) => caught);
    expect(UpstreamError.isInstance(error)).toBe(true);
    expect(server.requests.filter((request) => request.path === '/_connector/_sync_job')).toHaveLength(1);
  });

  it('repeats a job creation the cluster answered with 503', async () => {
    let calls = 0;
    const server = await startScriptedEs(() =>
      ++calls === 1
        ? { status: 503, body: { error: { type: 'unavailable', reason: 'busy' }, status: 503 } }
        : { status: 201, body: { id: 'job-1' } },
    );
    close = server.close;
    const controlPlane = createConnectorApiControlPlane(createElasticsearchClient({ host: server.url }), {
      retry: FAST,
    });
    const id = await controlPlane.createJob(
      { connectorId: 'c1', jobType: 'full', triggerMethod: 'scheduled' },
      signal,
    );
    expect(id).toBe('job-1');
    expect(calls).toBe(2);
  });

  it('repeats an idempotent heartbeat after a dropped connection', async () => {
    let calls = 0;
    const server = await startScriptedEs(() =>
      ++calls === 1 ? { status: 200, destroy: true } : { status: 200, body: { result: 'updated' } },
    );
    close = server.close;
    const controlPlane = createConnectorApiControlPlane(createElasticsearchClient({ host: server.url }), {
      retry: FAST,
    });
    await controlPlane.checkIn('c1', signal);
    expect(calls).toBe(2);
  });
});

describe('preflight against the fake', () => {
  it('returns the cluster version and leaves the connector indices to the cluster', async () => {
    fake = await createEsFake({ version: '8.18.1' });
    const client = createElasticsearchClient({ host: fake.url });
    const info = await preflight(client, { signal, maxWaitMs: 1000 });
    expect(info).toMatchObject({ version: '8.18.1', serverless: false });
    expect(fake.state.hasIndex(CONNECTORS_INDEX)).toBe(false);

    const controlPlane = createConnectorApiControlPlane(client, { retry: FAST });
    await client.transport.request({
      method: 'PUT',
      path: '/_connector/my-connector',
      body: { index_name: 'search-mine', service_type: 'files' },
    });
    const jobId = await controlPlane.createJob(
      { connectorId: 'my-connector', jobType: 'full', triggerMethod: 'on_demand' },
      signal,
    );
    const listed: string[] = [];
    for await (const job of controlPlane.listJobs(
      { connectorIds: ['my-connector'], statuses: ['pending'] },
      signal,
    )) {
      listed.push(job.id);
    }
    expect(listed).toEqual([jobId]);
  });

  it('refuses a cluster older than 8.15', async () => {
    fake = await createEsFake({ version: '8.12.2' });
    const client = createElasticsearchClient({ host: fake.url });
    await expect(preflight(client, { signal, maxWaitMs: 1000 })).rejects.toThrow(
      'Elasticsearch 8.12.2 is too old: the connector service needs 8.15.0 or later',
    );
  });

  it('creates both connector indices with their aliases when asked to', async () => {
    fake = await createEsFake({ version: '8.18.1' });
    const client = createElasticsearchClient({ host: fake.url });
    await preflight(client, { signal, maxWaitMs: 1000, createSystemIndices: true });
    expect(fake.state.hasIndex('.elastic-connectors-v1')).toBe(true);
    expect(fake.state.hasIndex(CONNECTORS_INDEX)).toBe(true);
    expect(fake.state.hasIndex(JOBS_INDEX)).toBe(true);
  });
});
