import { describe, expect, it } from 'vitest';
import { createDropboxSimulator } from '../src/simulator/index.js';
import { canonical, collect, full, instanceFor } from './helpers.js';

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
});
