import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSync, type JsonValue, type SourceDocument, type SourceInstance } from '@connectors/framework';
import { createMemorySink, type MemorySink } from '@connectors/framework/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { dropboxSource } from '../src/index.js';
import { createDropboxSimulator } from '../src/simulator/index.js';
import { canonical, instanceFor } from './helpers.js';

const scratchDir = mkdtempSync(join(tmpdir(), 'dropbox-engine-'));
afterAll(() => rmSync(scratchDir, { recursive: true, force: true }));

const INDEX = 'search-dropbox';

function sync(
  instance: SourceInstance,
  sink: MemorySink,
  jobType: 'full' | 'incremental',
  cursor?: JsonValue | null,
  dls = true,
) {
  return runSync({
    source: dropboxSource,
    instance,
    sink,
    indexName: INDEX,
    jobType,
    cursor: cursor ?? null,
    dls,
    signal: AbortSignal.timeout(60_000),
    scratchDir,
    jobKey: `dropbox-${jobType}-${Math.random().toString(36).slice(2)}`,
  });
}

/** The index content in the ground truth's shape (the engine adds `id`, `_fingerprint` and the pipeline switches). */
function indexed(sink: MemorySink): SourceDocument[] {
  return canonical(
    [...sink.documents(INDEX)].map(([key, doc]) => {
      const {
        id,
        _extract_binary_content: _e,
        _reduce_whitespace: _r,
        _run_ml_inference: _m,
        _fingerprint: _f,
        ...rest
      } = doc as Record<string, unknown>;
      expect(id).toBe(key);
      return { _id: key, ...rest } as unknown as SourceDocument;
    }),
  );
}

describe('Dropbox through the sync engine', () => {
  it('full then incremental syncs with 10% faults give exactly the ground truth; a failing listing deletes nothing', async () => {
    await using sim = await createDropboxSimulator({
      seed: 71,
      size: 'medium',
      faults: {
        rate: 0.1,
        seed: 5,
        kinds: ['429', '500', '503', 'reset'],
        retryAfterSeconds: 0,
        maxConsecutive: 3,
      },
    });
    const instance = instanceFor(sim, { use_document_level_security: true });
    const sink = createMemorySink();
    const first = await sync(instance, sink, 'full');
    expect(first.error?.message).toBeUndefined();
    expect(first.status).toBe('completed');
    expect(indexed(sink)).toEqual(sim.groundTruth({ dls: true }).documents);

    sim.admin.addFile('/Engineering', 'engine é.md', '# new');
    sim.admin.modifyFile(
      sim.admin.tenant.pathOf([...sim.admin.tenant.items.values()].find((i) => i.kind === 'file')!.id),
    );
    sim.admin.deleteItem('/Ada Admin/Private/deep');
    sim.admin.moveItem('/Ada Admin/Shared with Bob', '/Engineering');
    const second = await sync(instance, sink, 'incremental', first.cursor);
    expect(second.status).toBe('completed');
    expect(second.fellBackToFull).toBeUndefined();
    expect(second.deleted).toBeGreaterThan(0);
    expect(indexed(sink)).toEqual(sim.groundTruth({ dls: true }).documents);

    // A listing that fails for good: the job ends in error, nothing is deleted, the index is unchanged.
    const before = indexed(sink);
    sim.admin.setFaultRate(0);
    sim.admin.failRoute('files/list_folder/continue', 10_000);
    const third = await sync(instance, sink, 'full');
    expect(third.status).toBe('error');
    expect(third.deleted).toBe(0);
    expect(third.error?.message).toMatch(/^\[dropbox\] list_folder at "\/": HTTP 500/);
    expect(indexed(sink)).toEqual(before);
  });

  it('falls back to a full sync when Dropbox resets the cursor', async () => {
    await using sim = await createDropboxSimulator({ seed: 72, size: 'small' });
    const instance = instanceFor(sim);
    const sink = createMemorySink();
    const first = await sync(instance, sink, 'full', null, false);
    expect(first.indexed).toBe(sim.groundTruth().documents.length);
    sim.admin.deleteItem('/Engineering');
    sim.admin.expireCursors();
    const second = await sync(instance, sink, 'incremental', first.cursor, false);
    expect(second.status).toBe('completed');
    expect(second.fellBackToFull).toMatch(/reset/);
    expect(indexed(sink)).toEqual(sim.groundTruth().documents);
  });
});
