import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import type { JobType } from '@connectors/framework';
import { createElasticsearchClient } from '@connectors/elasticsearch';
import { loadServiceConfig } from '../config/load-service-config.js';
import { createConnectorThroughApi } from '../elasticsearch/create-connector-through-api.js';
import { createSourceRegistry } from '../registry.js';
import { createServiceLogger } from '../logging/create-logger.js';
import { createRuntime } from '../runtime.js';
import { parseSize, simulators, type RunningSimulator } from '../simulators.js';
import { EXIT } from './exit-codes.js';
import { formatDuration } from './progress-line.js';
import { runOneJob, type JobSummary } from './run-one-job.js';

interface Row {
  readonly source: string;
  readonly step: string;
  readonly summary: JobSummary;
  readonly apiCalls: number;
}

function table(rows: readonly Row[]): string {
  const header = [
    'source',
    'step',
    'status',
    'indexed',
    'deleted',
    'skipped',
    'in index',
    'API calls',
    'time',
  ];
  const lines = rows.map((row) => [
    row.source,
    row.step,
    row.summary.status,
    String(row.summary.indexed),
    String(row.summary.deleted),
    String(row.summary.skipped),
    String(row.summary.total ?? '?'),
    String(row.apiCalls),
    formatDuration(row.summary.durationMs / 1000),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => (line[i] ?? '').length)));
  const format = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
  return [format(header), format(widths.map((w) => '-'.repeat(w))), ...lines.map(format)].join('\n');
}

const sumCalls = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/**
 * `connectors demo`: every source's simulator, the embedded store, then a full sync, changes in the tenant,
 * an incremental sync, an access-control sync and a search with DLS, with a summary table.
 */
export async function demoCommand(options: { es?: string; size: string; keep?: string }): Promise<number> {
  const dir = options.keep
    ? path.resolve(options.keep)
    : await mkdtemp(path.join(tmpdir(), 'connectors-demo-'));
  await mkdir(dir, { recursive: true });
  const size = parseSize(options.size);
  const running: { id: string; simulator: RunningSimulator }[] = [];
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  try {
    for (const [id, start] of Object.entries(simulators)) {
      running.push({ id, simulator: await start({ seed: 42, size }) });
    }
    const configFile = path.join(dir, 'config.yml');
    const config = {
      ...(options.es ? { elasticsearch: { host: options.es } } : {}),
      service: { data_dir: './data', log_level: 'warning' },
      connectors: running.map(({ id, simulator }) => ({
        connector_id: `demo-${id}`,
        service_type: id,
        name: `Demo ${id}`,
        index_name: `search-demo-${id}`,
        configuration: { ...simulator.configFor(), use_document_level_security: true },
      })),
    };
    await writeFile(configFile, `# Written by \`connectors demo\`.\n${stringify(config)}`, { mode: 0o600 });
    const loaded = await loadServiceConfig(configFile);
    if (loaded.config.elasticsearch) {
      // Elasticsearch mode: the connectors are created through the Connector API, as Kibana would.
      const client = createElasticsearchClient(loaded.config.elasticsearch, { role: 'cli' });
      const registry = await createSourceRegistry();
      try {
        for (const entry of config.connectors) {
          const source = registry.get(entry.service_type);
          if (!source) continue;
          await createConnectorThroughApi(client, {
            id: entry.connector_id,
            source,
            indexName: entry.index_name,
            name: entry.name,
            values: entry.configuration,
          });
        }
      } finally {
        await client.close();
      }
    }
    const runtime = await createRuntime(loaded, {
      logger: createServiceLogger({ level: 'warn' }),
      signal: controller.signal,
      statsIntervalMs: 2000,
      cancelPollIntervalMs: 1000,
    });
    const rows: Row[] = [];
    let failed = false;
    const searches: string[] = [];
    const users: string[] = [];
    try {
      for (const { id, simulator } of running) {
        const connectorId = `demo-${id}`;
        const step = async (label: string, jobType: JobType) => {
          const before = sumCalls(simulator.callCounts());
          process.stderr.write(`${id}: ${label}…\n`);
          const { summary } = await runOneJob({ runtime, connectorId, jobType, signal: controller.signal });
          rows.push({
            source: id,
            step: label,
            summary,
            apiCalls: sumCalls(simulator.callCounts()) - before,
          });
          if (summary.status !== 'completed') {
            failed = true;
            process.stderr.write(`${id}: ${label} ended ${summary.status}: ${summary.errors[0] ?? ''}\n`);
          }
        };
        await step('full sync', 'full');
        const changes = await simulator.mutate();
        process.stderr.write(`${id}: tenant changed (${changes})\n`);
        await step('incremental sync', 'incremental');
        await step('access-control sync', 'access_control');
        if (runtime.store) {
          const user = simulator.someUser();
          if (user) users.push(user);
          const everything = await runtime.store.search(`search-demo-${id}`, '', { limit: 1 });
          const visible = user
            ? await runtime.store.search(`search-demo-${id}`, '', { limit: 1, user })
            : undefined;
          const stranger = await runtime.store.search(`search-demo-${id}`, '', {
            limit: 1,
            user: 'nobody@example.invalid',
          });
          searches.push(
            `${id}: ${everything.total} documents; ${user ?? '(no user)'} may see ${visible?.total ?? 0}; an unknown user sees ${stranger.total}`,
          );
        }
      }
    } finally {
      await runtime.close();
    }
    process.stdout.write(`\n${table(rows)}\n\n`);
    for (const line of searches) process.stdout.write(`${line}\n`);
    const where = options.keep ? '' : ' (removed now; keep them with --keep DIR)';
    const search = (config: string) =>
      `connectors search -c ${config} --connector demo-dropbox --user ${users[0] ?? '<email>'} <words>`;
    process.stdout.write(
      options.es
        ? `\nIndices search-demo-* and their .search-acl-filter-* identities are in ${options.es}; config: ${dir}${where}\n`
        : `\nStore and config: ${dir}${where}\n` +
            (options.keep
              ? `Try: ${search(path.join(dir, 'config.yml'))}\n`
              : `To search it, run the demo with --keep DIR, then: ${search('DIR/config.yml')}\n`),
    );
    return failed ? EXIT.failed : EXIT.ok;
  } finally {
    await Promise.all(running.map(({ simulator }) => simulator.close()));
    if (!options.keep) await rm(dir, { recursive: true, force: true });
  }
}
