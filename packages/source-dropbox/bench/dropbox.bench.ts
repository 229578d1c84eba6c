// Dropbox benchmarks, run by `pnpm bench` (scripts/bench.mjs): each `bench*` export runs in its own process.
import {
  createRetryingFetch,
  noopLogger,
  parseConfig,
  registerSecrets,
  systemClock,
  type JsonValue,
} from '@connectors/framework';
import { createDropboxInstance, dropboxSource } from '../src/index.js';
import { createDropboxSimulator, type DropboxSimulator } from '../src/simulator/index.js';

const FILES = Number(process.env.DROPBOX_BENCH_FILES ?? 4000);
const LATENCY_MS = Number(process.env.DROPBOX_BENCH_LATENCY_MS ?? 5);

function instanceFor(sim: DropboxSimulator, dls: boolean) {
  const config = parseConfig(
    dropboxSource.configuration,
    { ...sim.configFor(), use_document_level_security: dls },
    { source: 'dropbox' },
  );
  return createDropboxInstance(config, {
    logger: noopLogger,
    fetch: createRetryingFetch({ policy: { baseDelayMs: 5, maxDelayMs: 100 } }),
    clock: systemClock,
    signal: new AbortController().signal,
    maxFileSize: 10 * 1024 * 1024,
    registerSecrets,
  });
}

function totalCalls(sim: DropboxSimulator): number {
  return Object.values(sim.callCounts()).reduce((a, b) => a + b, 0);
}

async function fullListing(name: string, dls: boolean, downloads: boolean) {
  await using sim = await createDropboxSimulator({
    seed: 1,
    size: FILES,
    latencyMs: LATENCY_MS,
    pageSize: 500,
  });
  const instance = instanceFor(sim, dls);
  const started = performance.now();
  let docs = 0;
  let bytes = 0;
  let cursor: JsonValue | undefined;
  for await (const event of instance.listAll({ signal: AbortSignal.timeout(600_000) })) {
    if (event.kind === 'upsert') {
      docs += 1;
      if (downloads && event.content) {
        const body = await event.content.download(AbortSignal.timeout(60_000));
        if (body instanceof Uint8Array) bytes += body.length;
      }
    } else if (event.kind === 'cursor') cursor = event.cursor;
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    result: {
      name,
      docs,
      seconds: Math.round(seconds * 1000) / 1000,
      docsPerSec: Math.round(docs / seconds),
      apiCalls: totalCalls(sim),
      latencyMs: LATENCY_MS,
      ...(downloads ? { downloadedBytes: bytes } : {}),
      cursorBytes: JSON.stringify(cursor ?? null).length,
    },
    sim,
    instance,
    cursor,
  };
}

/** Full listing of a simulated tenant (metadata only), latency per call. */
export async function benchDropboxFullListing() {
  return (await fullListing('dropbox full listing', false, false)).result;
}

/** Full listing with DLS (folder members once per shared folder, explicit file members in batches). */
export async function benchDropboxFullListingDls() {
  return (await fullListing('dropbox full listing + DLS', true, false)).result;
}

/** Full listing with every extractable file downloaded sequentially (worst case: no parallel downloads). */
export async function benchDropboxFullListingDownloads() {
  return (await fullListing('dropbox full listing + sequential downloads', false, true)).result;
}

/** Incremental sync after 50 changes: cost must follow the changes, not the corpus. */
export async function benchDropboxIncremental() {
  await using sim = await createDropboxSimulator({
    seed: 1,
    size: FILES,
    latencyMs: LATENCY_MS,
    pageSize: 500,
  });
  const instance = instanceFor(sim, true);
  let cursor: JsonValue | undefined;
  for await (const event of instance.listAll({ signal: AbortSignal.timeout(600_000) })) {
    if (event.kind === 'cursor') cursor = event.cursor;
  }
  for (let i = 0; i < 50; i += 1) sim.admin.addFile('/Engineering', `bench ${i}.txt`, `content ${i}`);
  sim.resetCallCounts();
  const started = performance.now();
  let docs = 0;
  for await (const event of instance.listChanges!({
    signal: AbortSignal.timeout(600_000),
    cursor: cursor!,
  })) {
    if (event.kind === 'upsert' || event.kind === 'delete') docs += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    name: 'dropbox incremental (50 changes, DLS)',
    docs,
    seconds: Math.round(seconds * 1000) / 1000,
    docsPerSec: Math.round(docs / seconds),
    apiCalls: totalCalls(sim),
    corpusFiles: FILES,
    latencyMs: LATENCY_MS,
  };
}
