import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createConnectorApiControlPlane,
  createElasticsearchClient,
  createElasticsearchSink,
} from '@connectors/elasticsearch';
import { createEsFake } from '@connectors/es-fake';
import { createContentExtractor, runJob } from '@connectors/framework';
import { afterEach, describe, expect, it } from 'vitest';
// The Kibana schema is written from the spec in the Elasticsearch package's tests.
import { connectorDocSchema, syncJobDocSchema } from '../../../packages/elasticsearch/test/kibana-schema.js';
import { filesSource } from '../src/index.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const FILES: Record<string, string> = {
  'notes/alpha.txt': 'alpha notes about the quarterly plan',
  'notes/beta.md': '# Beta\nroadmap for the next release',
  'readme.txt': 'readme of the shared folder',
};

describe('the example source through the engine into Elasticsearch', () => {
  it('makes the index equal the folder and leaves Kibana-readable connector and job documents', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'files-es-'));
    const scratchDir = await mkdtemp(path.join(tmpdir(), 'files-es-scratch-'));
    dirs.push(root, scratchDir);
    for (const [relative, text] of Object.entries(FILES)) {
      await mkdir(path.dirname(path.join(root, relative)), { recursive: true });
      await writeFile(path.join(root, relative), text);
    }
    await using fake = await createEsFake({ refreshIntervalMs: false });
    const client = createElasticsearchClient({ host: fake.url });
    const signal = new AbortController().signal;
    const controlPlane = createConnectorApiControlPlane(client);
    await client.connector.put({
      connector_id: 'files-1',
      index_name: 'search-files',
      name: 'Files',
      service_type: 'files',
    });
    await controlPlane.prepareConnector('files-1', filesSource, { serviceType: 'files', signal });
    await client.connector.updateConfiguration({ connector_id: 'files-1', values: { root } });
    const extractor = createContentExtractor({ mode: 'pipeline', tempDir: scratchDir });
    try {
      const jobId = await controlPlane.createJob(
        { connectorId: 'files-1', jobType: 'full', triggerMethod: 'on_demand' },
        signal,
      );
      const outcome = await runJob({
        controlPlane,
        jobId,
        sources: (type) => (type === 'files' ? filesSource : undefined),
        sink: createElasticsearchSink(client),
        extractor,
        workerHostname: 'example-host',
        signal,
        scratchDir,
        statsIntervalMs: 50,
        pollIntervalMs: 50,
      });
      expect(outcome).toMatchObject({ ran: true, status: 'completed' });

      // The index equals the folder: one document per file, with the text the ingest pipeline extracted.
      const stored = fake.state.documents('search-files');
      expect(stored.map((doc) => doc._id).sort()).toEqual(Object.keys(FILES).sort());
      for (const doc of stored) {
        // The pipeline reduces whitespace (the connector's `reduce_whitespace` is on).
        expect(doc._source.body).toBe(FILES[doc._id]?.replace(/\s+/g, ' ').trim());
        expect(doc._source.path).toBe(doc._id);
        expect(doc._source._attachment).toBeUndefined();
      }

      const connector = fake.state.document('.elastic-connectors', 'files-1')?._source;
      expect(connectorDocSchema.safeParse(connector).error?.issues ?? []).toEqual([]);
      expect(connector).toMatchObject({
        status: 'connected',
        last_sync_status: 'completed',
        last_indexed_document_count: 3,
        last_deleted_document_count: 0,
        service_type: 'files',
      });
      const job = fake.state.document('.elastic-connectors-sync-jobs', jobId)?._source;
      expect(syncJobDocSchema.safeParse(job).error?.issues ?? []).toEqual([]);
      expect(job).toMatchObject({
        status: 'completed',
        indexed_document_count: 3,
        deleted_document_count: 0,
        total_document_count: 3,
        worker_hostname: 'example-host',
        error: null,
      });
    } finally {
      await extractor.close();
      await client.close();
    }
  });
});
