// Extraction throughput of the in-process worker pool over the generated corpus (every format, plus
// larger multi-page PDFs, long DOCX and XLSX files), on all cores, with the main thread's event-loop
// delay measured during the run (target: max under 100 ms). One JSON object per scenario (`pnpm bench`).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createContentExtractor } from '../src/extract/create-content-extractor.js';
import type { ExtractionResult } from '../src/extract/content-extractor.js';
import { buildGoodCorpus, makeDocx, makePdf, makeXlsx } from '../test/fixtures/extract/build-corpus.js';
import { contentOf } from '../test/fixtures/extract/content-of.js';

interface BenchFile {
  readonly filename: string;
  readonly data: Uint8Array;
}

/** The worker entry, whether this file runs from `bench/` or bundled into `bench/.bench-build/`. */
function workerUrl(): URL {
  for (const relative of ['../src/extract/extract-worker.mjs', '../../src/extract/extract-worker.mjs']) {
    const url = new URL(relative, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new Error('extract-worker.mjs not found from the bench');
}

async function buildBenchCorpus(): Promise<BenchFile[]> {
  const paragraph =
    'The analytical engine weaves algebraic patterns just as the Jacquard loom weaves flowers and leaves; ' +
    'every card carries an operation, and the mill performs it on numbers kept in the store.';
  const files: BenchFile[] = [];
  const good = await buildGoodCorpus();
  for (let round = 0; round < 12; round += 1) {
    for (const file of good) files.push({ filename: `${round}-${file.filename}`, data: file.data });
  }
  const bigPdf = await makePdf(
    Array.from({ length: 30 }, (_, i) => `${i} ${paragraph}`),
    { pages: 40 },
  );
  const bigDocx = await makeDocx(Array.from({ length: 2000 }, (_, i) => `${i} ${paragraph}`));
  const bigXlsx = await makeXlsx(
    Array.from({ length: 4000 }, (_, i) => [i, paragraph.slice(0, 60), i * 3.5]),
  );
  for (let i = 0; i < 8; i += 1) files.push({ filename: `big-${i}.pdf`, data: bigPdf });
  for (let i = 0; i < 6; i += 1) files.push({ filename: `big-${i}.docx`, data: bigDocx });
  for (let i = 0; i < 6; i += 1) files.push({ filename: `big-${i}.xlsx`, data: bigXlsx });
  return files;
}

/** In-process extraction over the corpus with one worker per core. */
export async function benchExtractionInProcess(): Promise<Record<string, unknown>> {
  const files = await buildBenchCorpus();
  const tempDir = await mkdtemp(join(tmpdir(), 'extract-bench-'));
  const workers = Number(process.env['EXTRACT_BENCH_WORKERS'] ?? availableParallelism());
  const extractor = createContentExtractor({
    mode: 'in-process',
    tempDir,
    workers,
    workerUrl: workerUrl(),
    maxTextLength: 5_000_000,
  });
  const signal = new AbortController().signal;
  const concurrency = workers * 2;
  try {
    // Warm-up (not timed): every worker loads its parsers once.
    const warm = files.filter(
      (file) => /^[0-9]-/.test(file.filename) && Number(file.filename[0]) < workers * 2,
    );
    await Promise.all(warm.map((file) => extractor.extract(contentOf(file.filename, file.data), { signal })));

    // Collect the corpus builders' garbage first (the runner starts node with --expose-gc).
    (globalThis as { gc?: () => void }).gc?.();
    // Baseline: the event-loop delay of an idle main thread on this machine right now (a loaded shared
    // machine delays timers by itself; extraction should add nothing to that).
    const baseline = monitorEventLoopDelay({ resolution: 5 });
    baseline.enable();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    baseline.disable();
    const histogram = monitorEventLoopDelay({ resolution: 5 });
    const bytes = files.reduce((sum, file) => sum + file.data.byteLength, 0);
    const kinds = new Map<ExtractionResult['kind'], number>();
    let textChars = 0;
    let next = 0;
    histogram.enable();
    const utilizationBefore = performance.eventLoopUtilization();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < files.length) {
          const file = files[next++]!;
          const result = await extractor.extract(contentOf(file.filename, file.data, { chunkSize: 65_536 }), {
            signal,
          });
          kinds.set(result.kind, (kinds.get(result.kind) ?? 0) + 1);
          if (result.kind === 'text') textChars += result.body.length;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    histogram.disable();
    const utilization = performance.eventLoopUtilization(utilizationBefore);
    const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;
    return {
      name: 'extract-in-process',
      docs: files.length,
      seconds: round(seconds, 2),
      docsPerSec: round(files.length / seconds),
      filesPerSec: round(files.length / seconds),
      mbPerSec: round(bytes / 1_048_576 / seconds, 2),
      inputMb: round(bytes / 1_048_576, 2),
      textMb: round(textChars / 1_048_576, 2),
      workers,
      concurrency,
      failed: kinds.get('failed') ?? 0,
      extracted: kinds.get('text') ?? 0,
      eventLoopMaxDelayMs: round(histogram.max / 1e6),
      eventLoopP99DelayMs: round(histogram.percentile(99) / 1e6),
      eventLoopTargetMs: 100,
      idleBaselineMaxDelayMs: round(baseline.max / 1e6),
      idleBaselineP99DelayMs: round(baseline.percentile(99) / 1e6),
      // Share of the run the main thread was busy (0..1): low means delays come from a loaded machine, not from extraction.
      mainThreadUtilization: round(utilization.utilization, 3),
      loadAverage1m: round(loadavg()[0] ?? 0, 2),
    };
  } finally {
    await extractor.close();
    await rm(tempDir, { recursive: true, force: true });
  }
}
