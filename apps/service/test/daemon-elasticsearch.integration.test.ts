import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { createEsFake, type EsFake } from '@connectors/es-fake';
import { dropboxSource } from '@connectors/source-dropbox';
import { createDropboxSimulator, type DropboxSimulator } from '@connectors/source-dropbox/simulator';
import type { SourceDefinition } from '@connectors/framework';
import { afterEach, describe, expect, it } from 'vitest';
import { createConnectorThroughApi } from '../src/elasticsearch/create-connector-through-api.js';
import { runCli, startCli, tempConfig, waitFor, type CliResult } from './cli-harness.js';

const API_KEY_ID = 'test-key';
const API_KEY_SECRET = 'es-api-key-secret-9f8e7d';
const ENCODED_KEY = Buffer.from(`${API_KEY_ID}:${API_KEY_SECRET}`).toString('base64');

type Daemon = ReturnType<typeof startCli>;
const daemons: Daemon[] = [];
const logs: string[] = [];
/** Every secret a daemon was given in these tests. */
const secrets = new Set<string>([API_KEY_SECRET, ENCODED_KEY, 'revoked-refresh-token-value']);

function rememberSecrets(sim: DropboxSimulator): void {
  const config = sim.configFor();
  for (const key of ['app_key', 'app_secret', 'refresh_token']) secrets.add(String(config[key]));
}

afterEach(async () => {
  for (const daemon of daemons.splice(0)) {
    if (daemon.child.exitCode === null && daemon.child.signalCode === null) daemon.child.kill('SIGKILL');
    const result = await daemon.done;
    logs.push(result.stderr, result.stdout);
  }
});

function startDaemon(file: string): Daemon {
  const daemon = startCli(['run', '-c', file, '--log-level', 'debug']);
  daemons.push(daemon);
  return daemon;
}

async function stopDaemon(
  daemon: Daemon,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<CliResult & { ms: number }> {
  const started = Date.now();
  daemon.child.kill(signal);
  const result = await daemon.done;
  return { ...result, ms: Date.now() - started };
}

async function setup(options: { seed: number; size?: number; latencyMs?: number; connectors: string[] }) {
  const es = await createEsFake({
    auth: { apiKeys: { [API_KEY_ID]: { key: API_KEY_SECRET } } },
    refreshIntervalMs: 200,
  });
  const sim = await createDropboxSimulator({
    seed: options.seed,
    size: options.size ?? 'small',
    latencyMs: options.latencyMs ?? 0,
    pageSize: 10,
  });
  rememberSecrets(sim);
  const client = new Client({ node: es.url, auth: { apiKey: ENCODED_KEY } });
  for (const id of options.connectors) {
    await createConnectorThroughApi(client, {
      id,
      source: dropboxSource as unknown as SourceDefinition,
      indexName: `search-${id}`,
      values: sim.configFor(),
    });
  }
  return { es, sim, client };
}

function serviceConfig(es: EsFake, connectors: readonly string[], extra: Record<string, unknown> = {}) {
  return {
    elasticsearch: { host: es.url, api_key: ENCODED_KEY },
    service: {
      idling: 1,
      heartbeat: 5,
      job_stats_interval: 0.5,
      job_cancel_poll_interval: 0.5,
      job_stale_after: 2,
      job_cleanup_interval: 1,
      data_dir: './data',
      ...extra,
    },
    connectors: connectors.map((id) => ({ connector_id: id, service_type: 'dropbox' })),
  };
}

async function jobOf(client: Client, id: string) {
  return (await client.connector.syncJobGet({ connector_sync_job_id: id })) as unknown as Record<
    string,
    unknown
  >;
}

async function indexCount(client: Client, index: string): Promise<number> {
  await client.indices.refresh({ index });
  return (await client.count({ index })).count;
}

async function cleanup(parts: { es: EsFake; sim: DropboxSimulator; client: Client }) {
  await parts.client.close();
  await parts.sim.close();
  await parts.es.close();
}

describe('the daemon in Elasticsearch mode', () => {
  it('claims, runs and completes a job created through the Connector API, with exact counts', async () => {
    const parts = await setup({ seed: 21, connectors: ['box'] });
    try {
      await using cfg = await tempConfig(serviceConfig(parts.es, ['box']));
      const daemon = startDaemon(cfg.file);
      const { id } = await parts.client.connector.syncJobPost({ id: 'box', job_type: 'full' });
      const job = await waitFor(async () => {
        const current = await jobOf(parts.client, id);
        return ['completed', 'error'].includes(String(current.status)) ? current : undefined;
      }, 60_000);
      const truth = parts.sim.groundTruth();
      expect(job).toMatchObject({
        status: 'completed',
        indexed_document_count: truth.documents.length,
        deleted_document_count: 0,
        total_document_count: truth.documents.length,
        error: null,
      });
      expect(await indexCount(parts.client, 'search-box')).toBe(truth.documents.length);
      const connector = (await parts.client.connector.get({ connector_id: 'box' })) as unknown as Record<
        string,
        unknown
      >;
      expect(connector).toMatchObject({
        last_sync_status: 'completed',
        last_indexed_document_count: truth.documents.length,
        status: 'connected',
      });
      const stopped = await stopDaemon(daemon);
      expect(stopped.code).toBe(0);
      expect(stopped.ms).toBeLessThan(10_000);
    } finally {
      await cleanup(parts);
    }
  });

  it('runs each of 20 queued jobs exactly once with two daemons on one cluster', async () => {
    const connectors = ['c1', 'c2', 'c3', 'c4'];
    const parts = await setup({ seed: 22, size: 10, connectors });
    try {
      const jobIds: string[] = [];
      for (let round = 0; round < 5; round += 1) {
        for (const id of connectors)
          jobIds.push((await parts.client.connector.syncJobPost({ id, job_type: 'full' })).id);
      }
      await using cfgA = await tempConfig(
        serviceConfig(parts.es, connectors, { max_concurrent_content_syncs: 2 }),
      );
      await using cfgB = await tempConfig(
        serviceConfig(parts.es, connectors, { max_concurrent_content_syncs: 2 }),
      );
      startDaemon(cfgA.file);
      startDaemon(cfgB.file);
      await waitFor(
        async () => {
          const statuses = await Promise.all(
            jobIds.map(async (id) => String((await jobOf(parts.client, id)).status)),
          );
          return statuses.every((status) => status === 'completed' || status === 'error')
            ? statuses
            : undefined;
        },
        110_000,
        500,
      );
      const jobs = await Promise.all(jobIds.map((id) => jobOf(parts.client, id)));
      expect(jobs.map((job) => job.status)).toEqual(jobIds.map(() => 'completed'));
      // Exactly one claim per job, whichever daemon made it.
      const claims = parts.es.state.requests.filter(
        (request) => request.api === 'connector.sync_job_claim' && request.status < 300,
      );
      const claimedIds = claims.map((request) => request.path.split('/')[3]);
      expect(claimedIds.sort()).toEqual([...jobIds].sort());
    } finally {
      await cleanup(parts);
    }
  });

  it('resumes from its checkpoint after kill -9, reading fewer pages, and ends with the fault-free index', async () => {
    const parts = await setup({ seed: 23, size: 200, latencyMs: 15, connectors: ['box'] });
    try {
      await using cfg = await tempConfig(serviceConfig(parts.es, ['box']));
      const first = startDaemon(cfg.file);
      const { id } = await parts.client.connector.syncJobPost({ id: 'box', job_type: 'full' });
      await waitFor(
        async () => {
          const job = await jobOf(parts.client, id);
          const metadata = job.metadata as Record<string, unknown> | undefined;
          return (
            job.status === 'in_progress' &&
            typeof metadata?.checkpoint === 'string' &&
            Number(job.indexed_document_count) > 0
          );
        },
        60_000,
        50,
      );
      await stopDaemon(first, 'SIGKILL');
      const pagesBefore = parts.sim.callCounts()['files/list_folder/continue'] ?? 0;
      parts.sim.resetCallCounts();

      startDaemon(cfg.file);
      const job = await waitFor(async () => {
        const current = await jobOf(parts.client, id);
        return current.status === 'completed' || current.status === 'error' ? current : undefined;
      }, 90_000);
      expect(job.status).toBe('completed');
      const pagesAfter = parts.sim.callCounts()['files/list_folder/continue'] ?? 0;
      const truth = parts.sim.groundTruth();
      expect(await indexCount(parts.client, 'search-box')).toBe(truth.documents.length);
      // The resumed run did not start over: together the two runs read about one listing, not two.
      const fullListingPages = Math.ceil(truth.documents.length / 10);
      expect(pagesAfter).toBeLessThan(fullListingPages);
      expect(pagesBefore + pagesAfter).toBeLessThan(fullListingPages * 1.5);
      const stored = parts.es.state
        .documents('search-box')
        .map((doc) => doc._id)
        .sort();
      expect(stored).toEqual(truth.documents.map((doc) => doc._id).sort());
    } finally {
      await cleanup(parts);
    }
  });

  it('suspends running jobs on SIGTERM within 10 seconds and resumes them on the next start', async () => {
    // About a second of listing (22 pages at 40 ms), so that the job is still running at the SIGTERM.
    const parts = await setup({ seed: 24, size: 200, latencyMs: 40, connectors: ['box'] });
    try {
      await using cfg = await tempConfig(serviceConfig(parts.es, ['box']));
      const first = startDaemon(cfg.file);
      const { id } = await parts.client.connector.syncJobPost({ id: 'box', job_type: 'full' });
      await waitFor(
        async () => Number((await jobOf(parts.client, id)).indexed_document_count) > 0,
        60_000,
        50,
      );
      const stopped = await stopDaemon(first, 'SIGTERM');
      expect(stopped.code).toBe(0);
      expect(stopped.ms).toBeLessThan(10_000);
      expect((await jobOf(parts.client, id)).status).toBe('suspended');

      startDaemon(cfg.file);
      const job = await waitFor(async () => {
        const current = await jobOf(parts.client, id);
        return current.status === 'completed' ? current : undefined;
      }, 90_000);
      expect(job.status).toBe('completed');
      expect(await indexCount(parts.client, 'search-box')).toBe(parts.sim.groundTruth().documents.length);
    } finally {
      await cleanup(parts);
    }
  });

  it('marks a connector with a broken configuration in error and keeps syncing the others', async () => {
    const parts = await setup({ seed: 25, connectors: ['good', 'broken'] });
    try {
      await parts.client.connector.updateConfiguration({
        connector_id: 'broken',
        values: { refresh_token: 'revoked-refresh-token-value' },
      });
      parts.sim.admin.revokeRefreshTokens();
      // The good connector gets its own simulator token (revocation above only hit the shared one).
      const sim2 = await createDropboxSimulator({ seed: 26, size: 'small' });
      rememberSecrets(sim2);
      try {
        await parts.client.connector.updateConfiguration({
          connector_id: 'good',
          values: sim2.configFor() as never,
        });
        await using cfg = await tempConfig(serviceConfig(parts.es, ['good', 'broken']));
        startDaemon(cfg.file);
        const good = await parts.client.connector.syncJobPost({ id: 'good', job_type: 'full' });
        const broken = await parts.client.connector.syncJobPost({ id: 'broken', job_type: 'full' });
        const [goodJob, brokenJob] = await waitFor(async () => {
          const jobs = await Promise.all([jobOf(parts.client, good.id), jobOf(parts.client, broken.id)]);
          return jobs.every((job) => job.status === 'completed' || job.status === 'error') ? jobs : undefined;
        }, 60_000);
        expect(goodJob?.status).toBe('completed');
        expect(goodJob?.indexed_document_count).toBe(sim2.groundTruth().documents.length);
        expect(brokenJob?.status).toBe('error');
        expect(String(brokenJob?.error)).toMatch(/dropbox/i);
        const brokenConnector = (await parts.client.connector.get({
          connector_id: 'broken',
        })) as unknown as Record<string, unknown>;
        expect(brokenConnector.status).toBe('error');
        expect(String(brokenConnector.error)).not.toContain('revoked-refresh-token-value');
      } finally {
        await sim2.close();
      }
    } finally {
      await cleanup(parts);
    }
  });

  it('creates, lists and shows connectors through the Connector API from the CLI, masking secrets', async () => {
    const parts = await setup({ seed: 27, connectors: [] });
    try {
      await using cfg = await tempConfig(serviceConfig(parts.es, ['made-by-cli']));
      const values = parts.sim.configFor();
      const valuesFile = path.join(cfg.dir, 'values.json');
      await writeFile(valuesFile, JSON.stringify(values), { mode: 0o600 });
      const created = await runCli([
        'connector',
        'create',
        '-c',
        cfg.file,
        '--id',
        'made-by-cli',
        '--service-type',
        'dropbox',
        '--config-file',
        valuesFile,
      ]);
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      const record = (await parts.client.connector.get({ connector_id: 'made-by-cli' })) as unknown as Record<
        string,
        unknown
      >;
      expect(record).toMatchObject({
        index_name: 'search-made-by-cli',
        service_type: 'dropbox',
        status: 'configured',
      });
      const configuration = record.configuration as Record<string, { value: unknown; display: string }>;
      expect(configuration.app_key?.value).toBe(values.app_key);
      expect(configuration.path?.display).toBe('textbox');

      const list = await runCli(['connector', 'list', '-c', cfg.file, '--json']);
      expect(JSON.parse(list.stdout)).toEqual([
        expect.objectContaining({
          id: 'made-by-cli',
          service_type: 'dropbox',
          index_name: 'search-made-by-cli',
        }),
      ]);
      const show = await runCli(['connector', 'show', '-c', cfg.file, 'made-by-cli', '--json']);
      const shown = JSON.parse(show.stdout) as { configuration: Record<string, unknown> };
      expect(shown.configuration.app_secret).toBe('********');
      expect(shown.configuration.refresh_token).toBe('********');
      expect(show.stdout).not.toContain(String(values.app_secret));
      logs.push(created.stderr, list.stderr, show.stderr, show.stdout);
    } finally {
      await cleanup(parts);
    }
  });

  it('never writes a secret into the logs of the runs above, at debug level', () => {
    const all = logs.join('\n');
    expect(all.length).toBeGreaterThan(1000);
    expect(secrets.size).toBeGreaterThan(5);
    for (const secret of secrets) {
      expect(all.includes(secret), `a log line contains ${secret.slice(0, 4)}…`).toBe(false);
    }
  });
});
