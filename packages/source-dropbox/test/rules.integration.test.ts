import { ConfigError, CursorExpiredError, type JsonObject } from '@connectors/framework';
import { describe, expect, it } from 'vitest';
import { createDropboxSimulator } from '../src/simulator/index.js';
import { canonical, collect, full, instanceFor } from './helpers.js';

const RULES: JsonObject[] = [
  { query: 'report', options: { path: '/Engineering', file_status: { '.tag': 'active' } } },
  { query: 'notes', options: { file_extensions: ['txt', 'md'] } },
  { query: 'plan', options: { file_categories: [{ '.tag': 'paper' }, { '.tag': 'pdf' }] } },
];

describe('advanced sync rules against the simulator', () => {
  it('lists exactly the union of the rules, with DLS applied (rules and DLS together)', async () => {
    await using sim = await createDropboxSimulator({ seed: 41, size: 'medium' });
    const instance = instanceFor(sim, { use_document_level_security: true });
    expect(await instance.validateAdvancedRules!(RULES, AbortSignal.timeout(5000))).toEqual({ errors: [] });
    const result = await collect(instance.listAll(full({ advancedRules: RULES })));
    const truth = sim.groundTruth({ dls: true, rules: RULES });
    expect(truth.documents.length).toBeGreaterThan(5);
    expect(truth.documents.length).toBeLessThan(sim.groundTruth().documents.length / 2);
    expect(canonical(result.upserts.values())).toEqual(truth.documents);
    for (const doc of result.upserts.values()) expect(doc._allow_access_control?.length).toBeGreaterThan(0);
    // Each item once, even when several rules match it.
    const upsertEvents = result.events.filter((e) => e.kind === 'upsert');
    expect(upsertEvents.length).toBe(result.upserts.size);
    expect(sim.callCounts()['files/search_v2']).toBe(3);
    expect(sim.callCounts()['files/list_folder'] ?? 0).toBe(0);
  });

  it('runs an incremental sync with rules as a full sync (search has no change cursor)', async () => {
    await using sim = await createDropboxSimulator({ seed: 42, size: 'small' });
    const instance = instanceFor(sim);
    const result = await collect(instance.listAll(full({ advancedRules: RULES })));
    const error = await collect(
      instance.listChanges!({
        signal: AbortSignal.timeout(5000),
        cursor: result.cursor!,
        advancedRules: RULES,
      }),
    ).catch((e: unknown) => e);
    expect(CursorExpiredError.isInstance(error)).toBe(true);
  });

  it('reports a rule path that does not exist as invalid, with the path in the message', async () => {
    await using sim = await createDropboxSimulator({ seed: 43, size: 'small' });
    const instance = instanceFor(sim);
    const result = await instance.validateAdvancedRules!(
      [
        { query: 'x', options: { path: '/Engineering' } },
        { query: 'y', options: { path: '/No such folder' } },
      ],
      AbortSignal.timeout(5000),
    );
    expect(result.errors).toEqual(["Invalid paths '/No such folder'."]);
  });

  it('reports schema problems of every rule without calling Dropbox', async () => {
    await using sim = await createDropboxSimulator({ seed: 44, size: 'small' });
    const instance = instanceFor(sim);
    const result = await instance.validateAdvancedRules!(
      [{ options: {} }, { query: 'a', extra: 1 }, { query: 'b', options: { file_extensions: [] } }],
      AbortSignal.timeout(5000),
    );
    expect(result.errors).toEqual([
      'rule 0: "query" is required and must be a non-empty string',
      'rule 1: unknown property "extra" (allowed: query, options, match_field_options)',
      'rule 2: options.file_extensions must be a non-empty array of strings (extensions without a dot)',
    ]);
    expect(sim.callCounts()['files/get_metadata'] ?? 0).toBe(0);
    const error = await collect(instance.listAll(full({ advancedRules: [{ options: {} }] }))).catch(
      (e: unknown) => e,
    );
    expect(ConfigError.isInstance(error)).toBe(true);
  });

  it('sends max_results as a number, so a rule with max_results works against the API', async () => {
    await using sim = await createDropboxSimulator({ seed: 45, size: 'medium', pageSize: 100 });
    const rules = [{ query: 'report', options: { max_results: '5' } }];
    const result = await collect(instanceFor(sim).listAll(full({ advancedRules: rules })));
    expect(canonical(result.upserts.values())).toEqual(
      sim.groundTruth({ rules: [{ query: 'report', options: {} }] }).documents,
    );
    expect(result.upserts.size).toBeGreaterThan(5);
    expect(sim.callCounts()['files/search/continue_v2']).toBeGreaterThan(0);
  });
});
