// Sink benchmarks, run by `pnpm bench` (scripts/bench.mjs): bulk writes into es-fake and a PIT scan back.
import { createEsFake } from '@connectors/es-fake';
import type { SinkOperation } from '@connectors/framework';
import { createElasticsearchClient } from '../src/create-elasticsearch-client.js';
import { createElasticsearchSink } from '../src/elasticsearch-sink.js';

const BODY = 'lorem ipsum dolor sit amet '.repeat(36);

/** Writes `count` ~1 KB documents through the sink (default limits) into es-fake, then lists them back. */
export async function benchSinkBulk(count = Number(process.env.BENCH_DOCS ?? 20_000)) {
  const fake = await createEsFake({ refreshIntervalMs: false, requestLogSize: 100 });
  const signal = new AbortController().signal;
  try {
    const client = createElasticsearchClient({ host: fake.url });
    const sink = createElasticsearchSink(client, { serverless: false });
    const writer = await sink.openIndex({ indexName: 'search-bench', kind: 'content', signal });
    const batch = sink.batchLimits.maxOperations;
    const started = performance.now();
    const pending: Promise<unknown>[] = [];
    for (let start = 0; start < count; start += batch) {
      const operations: SinkOperation[] = [];
      for (let i = start; i < Math.min(count, start + batch); i++) {
        operations.push({
          op: 'index',
          id: `doc-${i}`,
          document: { id: `doc-${i}`, title: `Doc ${i}`, body: BODY },
        });
      }
      pending.push(writer.write(operations, signal));
      if (pending.length >= sink.batchLimits.maxInFlight) await pending.shift();
    }
    await Promise.all(pending);
    const written = (performance.now() - started) / 1000;
    const scanStarted = performance.now();
    let listed = 0;
    for await (const _ of writer.existing(signal)) listed++;
    const scanned = (performance.now() - scanStarted) / 1000;
    if (listed !== count) throw new Error(`listed ${listed} of ${count}`);
    return {
      name: 'elasticsearch-sink-bulk-es-fake',
      docs: count,
      seconds: Math.round(written * 100) / 100,
      docsPerSec: Math.round(count / written),
      scanSeconds: Math.round(scanned * 100) / 100,
      scanDocsPerSec: Math.round(count / scanned),
      bulkRequests: fake.state.counters().bulk ?? 0,
    };
  } finally {
    await fake.close();
  }
}
