// Elasticsearch benchmarks, run by `pnpm bench` (scripts/bench.mjs): each `bench*` export runs in its own
// process, and es-fake runs in a child process of that one, so `peakRssMb` is the engine side only.
import { collectGarbage, median, round, rssSampler } from '@connectors/config/bench';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@elastic/elasticsearch';
import { runSync, type SyncResult } from '@connectors/framework';
import { createElasticsearchClient } from '../src/create-elasticsearch-client.js';
import { ensureContentIndex } from '../src/content-index.js';
import { createElasticsearchSink } from '../src/elasticsearch-sink.js';
import type { BulkLimits } from '../src/elasticsearch-settings.js';
import { DEFAULT_RETRY_POLICY } from '../src/retry-policy.js';
import { startEsFakeProcess, type EsFakeProcess } from './es-fake-process.js';
import {
  VERSION_1,
  VERSION_2,
  corpusSource,
  docId,
  fingerprintOf,
  indexedDocument,
  type CorpusOptions,
} from './generated-corpus.js';

const INDEX = 'search-bench';
const PIPELINE = 'search-default-ingestion';

function clientFor(fake: EsFakeProcess): Client {
  return createElasticsearchClient({ host: fake.url, request_timeout: 600 });
}

/** A full sync of the generated corpus through the engine and the Elasticsearch sink (default limits). */
async function engineSync(
  fake: EsFakeProcess,
  scratchDir: string,
  corpus: CorpusOptions,
  limits?: Partial<BulkLimits>,
): Promise<{ seconds: number; result: SyncResult }> {
  const client = clientFor(fake);
  try {
    const sink = createElasticsearchSink(client, { serverless: false, ...(limits ? { limits } : {}) });
    const { definition, instance } = corpusSource(corpus);
    const started = performance.now();
    const result = await runSync({
      source: definition,
      instance,
      sink,
      indexName: INDEX,
      jobType: 'full',
      signal: AbortSignal.timeout(600_000),
      scratchDir,
      jobKey: `bench-${Date.now()}`,
    });
    const seconds = (performance.now() - started) / 1000;
    if (result.status !== 'completed')
      throw new Error(`sync ended ${result.status}: ${result.error?.message}`);
    return { seconds, result };
  } finally {
    await client.close();
  }
}

/** Throws unless document `i` as stored by the engine equals the row the bare bulk sends for it (after the pipeline). */
async function assertSameRows(fake: EsFakeProcess, i: number): Promise<void> {
  const client = clientFor(fake);
  try {
    const stored = await client.get<Record<string, unknown>>({ index: INDEX, id: docId(i) });
    // The ingest pipeline (search-default-ingestion) drops the pipeline flags from what it stores.
    const {
      _extract_binary_content: _e,
      _reduce_whitespace: _r,
      _run_ml_inference: _m,
      ...expected
    } = indexedDocument(i, VERSION_1);
    if (JSON.stringify(stored._source) !== JSON.stringify(expected)) {
      throw new Error(
        `the engine's row for ${docId(i)} differs from generated-corpus.ts's indexedDocument (update it):\n  engine: ${JSON.stringify(stored._source)}\n  bench:  ${JSON.stringify(expected)}`,
      );
    }
  } finally {
    await client.close();
  }
}

/**
 * The same rows the engine writes, sent by the official client's `helpers.bulk` (its defaults: 5 MB
 * flushes, 5 concurrent requests) into a content index created the same way. Returns seconds.
 */
async function helpersBulk(
  fake: EsFakeProcess,
  count: number,
  version: (i: number) => string,
  fingerprints?: readonly string[],
) {
  const client = clientFor(fake);
  try {
    return await helpersBulkWith(client, count, version, fingerprints);
  } finally {
    await client.close();
  }
}

async function helpersBulkWith(
  client: Client,
  count: number,
  version: (i: number) => string,
  fingerprints?: readonly string[],
) {
  const signal = AbortSignal.timeout(600_000);
  const started = performance.now();
  await ensureContentIndex(client, INDEX, { signal, policy: DEFAULT_RETRY_POLICY });
  async function* rows() {
    for (let i = 0; i < count; i += 1) {
      if (i % 1000 === 0) await Promise.resolve();
      yield indexedDocument(i, version(i), fingerprints?.[i]);
    }
  }
  const stats = await client.helpers.bulk({
    datasource: rows(),
    onDocument: (doc) => ({ index: { _index: INDEX, _id: doc.id as string } }),
    pipeline: PIPELINE,
    refreshOnCompletion: false,
  });
  const seconds = (performance.now() - started) / 1000;
  if (stats.successful !== count || stats.failed !== 0) {
    throw new Error(`helpers.bulk: ${stats.successful} of ${count} written, ${stats.failed} failed`);
  }
  return { seconds, bytes: stats.bytes };
}

/**
 * Bulk-loads `count` unchanged documents into es-fake at `url` with `helpers.bulk` and refreshes; run in a
 * child process by {@link benchEsReconcile1m} so the load's memory is not in the measured process.
 */
export async function loadCorpus(url: string, count: number): Promise<{ seconds: number }> {
  const started = performance.now();
  const client = createElasticsearchClient({ host: url, request_timeout: 600 });
  try {
    await helpersBulkWith(client, count, () => VERSION_1);
    await client.indices.refresh({ index: INDEX });
  } finally {
    await client.close();
  }
  return { seconds: (performance.now() - started) / 1000 };
}

function loadInChild(url: string, count: number): Promise<{ seconds: number }> {
  const self = fileURLToPath(import.meta.url);
  const code =
    `const m = await import(${JSON.stringify(`file://${self}`)});` +
    `const r = await m.loadCorpus(${JSON.stringify(url)}, ${count});` +
    `process.stdout.write(JSON.stringify(r));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', code], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      if (exitCode !== 0) reject(new Error(`loading ${count} documents exited with ${exitCode}`));
      else resolve(JSON.parse(out) as { seconds: number });
    });
  });
}

async function withFake<T>(run: (fake: EsFakeProcess) => Promise<T>): Promise<T> {
  const fake = await startEsFakeProcess();
  try {
    return await run(fake);
  } finally {
    await fake.close();
  }
}

/**
 * Issue 3: the engine (`runSync` + `createElasticsearchSink`, a first full sync of a generated source)
 * against a bare `client.helpers.bulk` of the same rows, each into a fresh index of a fresh es-fake.
 * Runs engine, bare, bare, engine, engine, bare and compares medians. Target: engine rate >= 80% of the bare rate.
 */
export async function benchEsEngineVsHelpersBulk() {
  const count = Number(process.env.ES_BENCH_DOCS ?? 100_000);
  const dir = mkdtempSync(join(tmpdir(), 'bench-es-engine-'));
  try {
    interface Run {
      seconds: number;
      cpu: number;
      fakeCpu: number;
    }
    const runs: Record<'engine' | 'bare' | 'engineLargeBatches', Run[]> = {
      engine: [],
      bare: [],
      engineLargeBatches: [],
    };
    let syncPeakRssMb = 0;
    let bareBytes = 0;
    // Computed up front: the bare side only builds and sends rows; fingerprinting is the engine's own work.
    const fingerprints = Array.from({ length: count }, (_, i) => fingerprintOf(i));
    const order = ['engine', 'bare', 'bare', 'engine', 'engine', 'bare', 'engineLargeBatches'] as const;
    for (const kind of order) {
      collectGarbage();
      await withFake(async (fake) => {
        const fakeCpuBefore = fake.cpuSeconds() ?? 0;
        const cpuBefore = process.cpuUsage();
        let seconds: number;
        if (kind === 'bare') {
          const run = await helpersBulk(fake, count, () => VERSION_1, fingerprints);
          seconds = run.seconds;
          bareBytes = run.bytes;
        } else {
          const sampler = rssSampler();
          // The large-batch variant sends batches as big as helpers.bulk's (5 MB), to show what batch size costs.
          const limits =
            kind === 'engineLargeBatches' ? { maxOperations: 1_000_000, maxBytes: 5_000_000 } : undefined;
          const sync = await engineSync(fake, dir, { count, version: () => VERSION_1 }, limits);
          if (kind === 'engine') syncPeakRssMb = Math.max(syncPeakRssMb, sampler.stop());
          else sampler.stop();
          if (sync.result.indexed !== count || sync.result.total !== count) {
            throw new Error(
              `engine indexed ${sync.result.indexed}, index holds ${sync.result.total}, expected ${count}`,
            );
          }
          await assertSameRows(fake, Math.floor(count / 2) + 1);
          seconds = sync.seconds;
        }
        const used = process.cpuUsage(cpuBefore);
        runs[kind].push({
          seconds,
          cpu: (used.user + used.system) / 1e6,
          fakeCpu: (fake.cpuSeconds() ?? 0) - fakeCpuBefore,
        });
      });
    }
    const medianOf = (values: Run[], key: keyof Run) => median(values.map((run) => run[key]));
    const seconds = medianOf(runs.engine, 'seconds');
    const bareSeconds = medianOf(runs.bare, 'seconds');
    const largeSeconds = medianOf(runs.engineLargeBatches, 'seconds');
    const docsPerSec = count / seconds;
    const bareDocsPerSec = count / bareSeconds;
    const ratio = docsPerSec / bareDocsPerSec;
    return {
      name: 'es-engine-vs-helpers-bulk',
      docs: count,
      seconds: round(seconds),
      docsPerSec: Math.round(docsPerSec),
      engineRunsSeconds: runs.engine.map((run) => round(run.seconds)),
      bareSeconds: round(bareSeconds),
      bareDocsPerSec: Math.round(bareDocsPerSec),
      bareRunsSeconds: runs.bare.map((run) => round(run.seconds)),
      bareBulkBytes: bareBytes,
      ratio: round(ratio, 3),
      target: 0.8,
      met: ratio >= 0.8,
      engineCpuSeconds: round(medianOf(runs.engine, 'cpu')),
      bareCpuSeconds: round(medianOf(runs.bare, 'cpu')),
      engineFakeCpuSeconds: round(medianOf(runs.engine, 'fakeCpu')),
      bareFakeCpuSeconds: round(medianOf(runs.bare, 'fakeCpu')),
      largeBatchSeconds: round(largeSeconds),
      largeBatchRatio: round(bareSeconds / largeSeconds, 3),
      largeBatchCpuSeconds: round(medianOf(runs.engineLargeBatches, 'cpu')),
      largeBatchFakeCpuSeconds: round(medianOf(runs.engineLargeBatches, 'fakeCpu')),
      syncPeakRssMb,
      notes:
        'es-fake in a child process, fresh per run; runs engine, bare, bare, engine, engine, bare (medians of 3 each), then one large-batch engine run; engine = whole runSync with default sink limits (index creation, empty-index scan, 500-op/3 MB bulks x5 in flight, refresh + count); bare = index creation + helpers.bulk with its defaults (5 MB flushes x5); largeBatch* = the engine with 5 MB batches (informational, not the target); *CpuSeconds = this process, *FakeCpuSeconds = the es-fake process',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Issue 3: an index already holding `count` documents (bulk-loaded outside the measurement), then a
 * second full sync of the same corpus with 1% changed and 0.1% gone: the engine lists the existing ids
 * (PIT + search_after) into its on-disk table, skips unchanged documents, writes the changed ones and
 * deletes the gone ones. Target: peak RSS of the engine process < 300 MB.
 */
export async function benchEsReconcile1m() {
  const count = Number(process.env.ES_RECONCILE_DOCS ?? 1_000_000);
  const changed = (i: number) => i % 100 === 0;
  const gone = (i: number) => i % 1000 === 1;
  const dir = mkdtempSync(join(tmpdir(), 'bench-es-reconcile-'));
  try {
    return await withFake(async (fake) => {
      const load = await loadInChild(fake.url, count);
      collectGarbage();
      const sampler = rssSampler();
      const { seconds, result } = await engineSync(fake, dir, {
        count,
        version: (i) => (changed(i) ? VERSION_2 : VERSION_1),
        exists: (i) => !gone(i),
      });
      const syncPeakRssMb = sampler.stop();
      let expectedChanged = 0;
      let expectedGone = 0;
      for (let i = 0; i < count; i += 1) {
        if (gone(i)) expectedGone += 1;
        else if (changed(i)) expectedChanged += 1;
      }
      if (
        result.indexed !== expectedChanged ||
        result.deleted !== expectedGone ||
        result.total !== count - expectedGone
      ) {
        throw new Error(
          `expected ${expectedChanged} indexed, ${expectedGone} deleted, ${count - expectedGone} left; got ${result.indexed}, ${result.deleted}, ${result.total} (${result.unchanged} unchanged: if 0, the bulk-loaded rows no longer match what the engine writes, see generated-corpus.ts)`,
        );
      }
      const processPeakRssMb = round(process.resourceUsage().maxRSS / 1024, 1);
      return {
        name: 'es-reconcile-1m',
        docs: count,
        seconds: round(seconds),
        docsPerSec: Math.round(count / seconds),
        indexed: result.indexed,
        deleted: result.deleted,
        unchanged: result.unchanged,
        total: result.total,
        loadSeconds: round(load.seconds),
        syncPeakRssMb,
        processPeakRssMb,
        fakePeakRssMb: fake.peakRssMb(),
        target: 'syncPeakRssMb < 300',
        met: syncPeakRssMb < 300,
        notes: `load (helpers.bulk of ${docId(0)}..${docId(count - 1)}, in another process) is outside the measurement; sync = whole runSync: existing-id scan into the on-disk table, listing, writes, deletes, refresh + count`,
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
