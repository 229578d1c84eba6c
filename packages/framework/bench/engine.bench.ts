// Engine benchmarks, run by `pnpm bench` (scripts/bench.mjs): each `bench*` export runs in its own process.
import { round, rssSampler } from '@connectors/config/bench';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// The built package (self-reference), as a service runs it: with the store's writer thread beside it.
import { openEmbeddedStore, runSync, type SinkOperation } from '@connectors/framework';
import { generatedDocument, generatedSource } from './generated-source.js';

const INDEX = 'search-bench';

function docId(i: number): string {
  return `doc-${String(i).padStart(8, '0')}`;
}

/** Writes `count` generated documents straight through the store's writer, batch after batch. */
async function bareLoad(storePath: string, count: number, version: (i: number) => string): Promise<number> {
  const store = await openEmbeddedStore(storePath);
  const signal = new AbortController().signal;
  const started = performance.now();
  try {
    const writer = await store.openIndex({ indexName: INDEX, kind: 'content', signal });
    const batch = store.batchLimits.maxOperations;
    for (let start = 0; start < count; start += batch) {
      const operations: SinkOperation[] = [];
      for (let i = start; i < Math.min(count, start + batch); i += 1) {
        operations.push({ op: 'index', id: docId(i), document: generatedDocument(i, version(i)) });
      }
      await writer.write(operations, signal);
    }
    await writer.close();
  } finally {
    await store.close();
  }
  return (performance.now() - started) / 1000;
}

async function engineSync(
  storePath: string,
  scratchDir: string,
  count: number,
  version: (i: number) => string,
) {
  const store = await openEmbeddedStore(storePath);
  try {
    const { definition, instance } = generatedSource({ count, version });
    const started = performance.now();
    const result = await runSync({
      source: definition,
      instance,
      sink: store,
      indexName: INDEX,
      jobType: 'full',
      signal: new AbortController().signal,
      scratchDir,
      jobKey: 'bench',
      saveCheckpoint: () => Promise.resolve(),
    });
    const seconds = (performance.now() - started) / 1000;
    if (result.status !== 'completed')
      throw new Error(`sync ended ${result.status}: ${result.error?.message}`);
    return { seconds, result };
  } finally {
    await store.close();
  }
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

/**
 * 200,000 small documents into a fresh embedded store: the engine versus a bare write loop (same rows, same
 * store API). Runs bare, engine, engine, bare (ABBA) so disk write-back of one run does not bias the other.
 */
export async function benchEngineVsBareLoop200k() {
  const count = 200_000;
  const dir = mkdtempSync(join(tmpdir(), 'bench-engine-'));
  try {
    const bare: { seconds: number; cpu: number }[] = [];
    const engine: { seconds: number; cpu: number }[] = [];
    let syncPeakRssMb = 0;
    for (const [round, kind] of (['bare', 'engine', 'engine', 'bare'] as const).entries()) {
      const cpu = process.cpuUsage();
      if (kind === 'bare') {
        const seconds = await bareLoad(join(dir, `bare-${round}.sqlite`), count, () => 'v1');
        bare.push({ seconds, cpu: cpuSeconds(cpu) });
      } else {
        const sampler = rssSampler();
        const { seconds, result } = await engineSync(
          join(dir, `engine-${round}.sqlite`),
          dir,
          count,
          () => 'v1',
        );
        syncPeakRssMb = Math.max(syncPeakRssMb, sampler.stop());
        if (result.indexed !== count || result.total !== count) throw new Error(`indexed ${result.indexed}`);
        engine.push({ seconds, cpu: cpuSeconds(cpu) });
      }
      rmSync(join(dir, `${kind}-${round}.sqlite`), { force: true });
    }
    const sum = (runs: { seconds: number; cpu: number }[], key: 'seconds' | 'cpu') =>
      runs.reduce((total, run) => total + run[key], 0);
    const seconds = sum(engine, 'seconds') / engine.length;
    const bareSeconds = sum(bare, 'seconds') / bare.length;
    const docsPerSec = count / seconds;
    const bareDocsPerSec = count / bareSeconds;
    return {
      name: 'framework/engine: 200k small docs, engine vs bare loop (embedded store)',
      docs: count,
      seconds: round(seconds),
      docsPerSec: Math.round(docsPerSec),
      bareSeconds: round(bareSeconds),
      bareDocsPerSec: Math.round(bareDocsPerSec),
      engineToBareRatio: round(docsPerSec / bareDocsPerSec, 3),
      engineCpuSeconds: round(sum(engine, 'cpu') / engine.length),
      bareCpuSeconds: round(sum(bare, 'cpu') / bare.length),
      engineToBareCpuRatio: round(sum(bare, 'cpu') / sum(engine, 'cpu'), 3),
      target: 'engineToBareRatio >= 0.70',
      syncPeakRssMb,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A second full sync of a `count`-doc corpus with 1% changed: returns timing and the sync's peak RSS. */
export async function secondFullSyncScenario(count: number) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-second-'));
  try {
    const storePath = join(dir, 'store.sqlite');
    const loadSeconds = await bareLoad(storePath, count, () => 'v1');
    (globalThis as { gc?: () => void }).gc?.();
    const sampler = rssSampler();
    const { seconds, result } = await engineSync(storePath, dir, count, (i) => (i % 100 === 0 ? 'v2' : 'v1'));
    const syncPeakRssMb = sampler.stop();
    const changed = Math.ceil(count / 100);
    if (result.indexed !== changed || result.unchanged !== count - changed || result.deleted !== 0) {
      throw new Error(`unexpected counters ${JSON.stringify({ ...result, error: undefined })}`);
    }
    return {
      docs: count,
      seconds: round(seconds),
      docsPerSec: Math.round(count / seconds),
      changed: result.indexed,
      unchanged: result.unchanged,
      loadSeconds: round(loadSeconds),
      syncPeakRssMb,
      processPeakRssMb: round(process.resourceUsage().maxRSS / 1024, 1),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function inChild(count: number): Promise<Awaited<ReturnType<typeof secondFullSyncScenario>>> {
  const self = fileURLToPath(import.meta.url);
  const code =
    `const m = await import(${JSON.stringify(`file://${self}`)});` +
    `const r = await m.secondFullSyncScenario(${count});` +
    `process.stdout.write(JSON.stringify(r));`;
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--no-warnings', '--input-type=module', '-e', code],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      if (exitCode !== 0) reject(new Error(`scenario ${count} exited with ${exitCode}`));
      else resolve(JSON.parse(out) as Awaited<ReturnType<typeof secondFullSyncScenario>>);
    });
  });
}

/**
 * Second full sync of a 1,000,000-doc corpus with 1% changed, each size in its own process next to a
 * 100,000-doc run: memory must not grow with the corpus (targets: < 300 MB, < 1.2x the 100k peak).
 */
export async function benchSecondFullSync1M() {
  const small = await inChild(100_000);
  const large = await inChild(1_000_000);
  return {
    name: 'framework/engine: second full sync, 1M docs, 1% changed (embedded store)',
    docs: large.docs,
    seconds: large.seconds,
    docsPerSec: large.docsPerSec,
    changed: large.changed,
    loadSeconds: large.loadSeconds,
    peakRssMb: large.processPeakRssMb,
    syncPeakRssMb: large.syncPeakRssMb,
    peakRssMb100k: small.processPeakRssMb,
    syncPeakRssMb100k: small.syncPeakRssMb,
    seconds100k: small.seconds,
    rssRatioTo100k: round(large.processPeakRssMb / small.processPeakRssMb, 3),
    target: 'peakRssMb < 300 and rssRatioTo100k < 1.2',
  };
}
