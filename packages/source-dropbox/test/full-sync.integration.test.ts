import { setTimeout as delay } from 'node:timers/promises';
import type { ListingEvent } from '@connectors/framework';
import { waitFor } from '@connectors/framework/testing';
import { describe, expect, it } from 'vitest';
import { createDropboxSimulator, type DropboxSimulator } from '../src/simulator/index.js';
import { canonical, collect, full, instanceFor } from './helpers.js';

const linkMetadataCalls = (sim: DropboxSimulator) =>
  sim.callCounts()['sharing/get_shared_link_metadata'] ?? 0;

const until = (condition: () => boolean) => waitFor(condition, { stepMs: 2 });

describe('full sync against the simulator', () => {
  it('produces exactly the ground truth documents and contents', async () => {
    await using sim = await createDropboxSimulator({ seed: 11, size: 'small' });
    const instance = instanceFor(sim);
    await instance.check(AbortSignal.timeout(10_000));
    const result = await collect(instance.listAll(full()));
    const truth = sim.groundTruth();
    expect(result.skips).toEqual([]);
    expect(canonical(result.upserts.values())).toEqual(truth.documents);
    expect(truth.documents.length).toBeGreaterThan(40);
    for (const [id, expected] of truth.contents) {
      const open = result.contents.get(id);
      const doc = result.upserts.get(id);
      const name = String(doc?.name ?? '');
      const extractable = /\.(txt|md|json|csv|html|py|pdf|docx|paper)$/i.test(name);
      expect(Boolean(open), `content of ${name}`).toBe(extractable);
      if (open) expect((await open()).equals(expected), `bytes of ${name}`).toBe(true);
    }
    expect(result.cursor).toBeTypeOf('object');
    expect(sim.callCounts()['files/list_folder/continue']).toBeGreaterThan(0);
  });

  it('pages past empty pages that say has_more (never stops on an entry count)', async () => {
    await using sim = await createDropboxSimulator({ seed: 12, size: 'small', emptyPageRate: 0.4 });
    const result = await collect(instanceFor(sim).listAll(full()));
    expect(canonical(result.upserts.values())).toEqual(sim.groundTruth().documents);
    const pages = sim.callCounts()['files/list_folder/continue'] ?? 0;
    const needed = Math.ceil(sim.admin.tenant.items.size / 25);
    expect(pages).toBeGreaterThan(needed);
  });

  it('reads received files while the tree is still being consumed, and emits them after it', async () => {
    await using sim = await createDropboxSimulator({ seed: 13, size: 'small' });
    const received = sim.admin.tenant.received.length;
    expect(received).toBeGreaterThan(2);
    const listing = instanceFor(sim).listAll(full())[Symbol.asyncIterator]();
    const events: ListingEvent[] = [];
    const first = await listing.next();
    if (!first.done) events.push(first.value);
    // One tree event consumed: every received file's metadata is read meanwhile.
    await until(() => linkMetadataCalls(sim) === received);
    for (let step = await listing.next(); !step.done; step = await listing.next()) events.push(step.value);
    const result = await collect(
      (async function* () {
        yield* events;
      })(),
    );
    expect(canonical(result.upserts.values())).toEqual(sim.groundTruth().documents);
    // In order: the tree, then the received files (they have no path).
    const upserts = events.flatMap((e) => (e.kind === 'upsert' ? [e.document] : []));
    const firstReceived = upserts.findIndex((doc) => doc.file_path === undefined);
    expect(upserts.length - firstReceived).toBe(received);
    expect(upserts.slice(firstReceived).every((doc) => doc.file_path === undefined)).toBe(true);
  });

  it('stops reading received files when the listing is closed early', async () => {
    // 20 received files, read 8 at a time at 20 ms a call.
    await using sim = await createDropboxSimulator({ seed: 14, size: 400, latencyMs: 20 });
    const received = sim.admin.tenant.received.length;
    expect(received).toBe(20);
    const listing = instanceFor(sim).listAll(full())[Symbol.asyncIterator]();
    await listing.next();
    await until(() => linkMetadataCalls(sim) >= 1);
    await listing.return?.(undefined);
    // Calls already sent may still arrive; after that, nothing more starts.
    await delay(50);
    const settled = linkMetadataCalls(sim);
    await delay(150);
    expect(linkMetadataCalls(sim)).toBe(settled);
    expect(settled).toBeLessThan(received);
  });
});
