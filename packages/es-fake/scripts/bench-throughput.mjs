// Measures the fake's throughput through the real v8 client (run after `pnpm build`):
//   node scripts/bench-throughput.mjs [docs=100000]
import { Client } from '@elastic/elasticsearch';
import { createEsFake } from '../dist/index.js';

const N = Number(process.argv[2] ?? 100_000);
const es = await createEsFake({ refreshIntervalMs: false });
const client = new Client({ node: es.url });
const ms = (t) => `${(performance.now() - t).toFixed(0)} ms`;
try {
  let t = performance.now();
  const stats = await client.helpers.bulk({
    datasource: (async function* () {
      for (let i = 0; i < N; i++) {
        yield {
          id: `doc-${i}`,
          title: `Document number ${i}`,
          size: i,
          _timestamp: new Date(1.7e12 + i).toISOString(),
          _allow_access_control: [`user-${i % 10}`],
        };
      }
    })(),
    onDocument: (d) => ({ index: { _index: 'bench', _id: d.id } }),
    flushBytes: 1_000_000,
    concurrency: 5,
    pipeline: 'search-default-ingestion',
  });
  const bulkMs = performance.now() - t;
  console.log(
    `bulk: ${stats.successful} ok, ${stats.failed} failed, ${bulkMs.toFixed(0)} ms, ${((N / bulkMs) * 1000).toFixed(0)} docs/s (client and fake in one process)`,
  );
  t = performance.now();
  await client.indices.refresh({ index: 'bench' });
  console.log(`refresh: ${ms(t)}`);
  t = performance.now();
  const c = await client.count({
    index: 'bench',
    query: { term: { '_allow_access_control.keyword': 'user-3' } },
  });
  console.log(`count (term on keyword): ${c.count} in ${ms(t)}`);
  t = performance.now();
  const pit = await client.openPointInTime({ index: 'bench', keep_alive: '1m' });
  let after;
  let seen = 0;
  for (;;) {
    const r = await client.search({
      pit: { id: pit.id, keep_alive: '1m' },
      size: 1000,
      sort: [{ _timestamp: 'asc' }],
      _source: ['id'],
      ...(after ? { search_after: after } : {}),
    });
    if (r.hits.hits.length === 0) break;
    seen += r.hits.hits.length;
    after = r.hits.hits.at(-1).sort;
  }
  await client.closePointInTime({ id: pit.id });
  console.log(`pit scan (1000/page): ${seen} ids in ${ms(t)}`);
  console.log(`rss: ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
} finally {
  await client.close();
  await es.close();
}
