import { ConfigError } from '@connectors/framework';
import { describe, expect, it } from 'vitest';
import { createDropboxSimulator } from '../src/simulator/index.js';
import { canonical, collect, full, identities, instanceFor } from './helpers.js';

describe('accounts and paths against the simulator', () => {
  it('falls back to the user account with a user token (paths relative to the home folder)', async () => {
    await using sim = await createDropboxSimulator({ seed: 51, size: 'small' });
    const instance = instanceFor(sim, { use_document_level_security: true }, undefined, {
      tokenKind: 'user',
    });
    await instance.check(AbortSignal.timeout(5000));
    const result = await collect(instance.listAll(full()));
    const tenant = sim.admin.tenant;
    const home = tenant.pathOf([...tenant.items.values()].find((i) => i.homeOf)!.id);
    const docs = [...result.upserts.values()].filter((d) => d.file_path !== undefined);
    expect(docs.length).toBeGreaterThan(5);
    for (const doc of docs) expect(String(doc.file_path).startsWith(home)).toBe(false);
    const ids = await identities(instance);
    expect(ids).toEqual([
      {
        _id: tenant.admin.email,
        identity: {
          email: `email:${tenant.admin.email}`,
          username: `user:${tenant.admin.displayName}`,
          user_id: `user_id:${tenant.admin.accountId}`,
        },
        access_control: [
          `email:${tenant.admin.email}`,
          `user:${tenant.admin.displayName}`,
          `user_id:${tenant.admin.accountId}`,
        ],
      },
    ]);
    expect(sim.callCounts()['team/token/get_authenticated_admin']).toBe(1);
  });

  it('lists only the configured path (non-ASCII, quotes) and accepts a trailing slash', async () => {
    await using sim = await createDropboxSimulator({ seed: 52, size: 'small' });
    const path = '/Café 日本 "Quotes"/';
    const instance = instanceFor(sim, { path });
    await instance.check(AbortSignal.timeout(5000));
    const result = await collect(instance.listAll(full()));
    const truth = sim.groundTruth({ path: '/Café 日本 "Quotes"' });
    expect(canonical(result.upserts.values())).toEqual(truth.documents);
    expect(truth.documents.length).toBeLessThan(sim.groundTruth().documents.length);
  });

  it('downloads files whose names need Dropbox-API-Arg escaping (quotes, backslashes, accents, emoji)', async () => {
    await using sim = await createDropboxSimulator({ seed: 53, size: 'small' });
    const name = 'tricky "quoted" \\ back é 日本 😀.txt';
    sim.admin.addFile('/Engineering', name, 'tricky content');
    const result = await collect(instanceFor(sim, { path: '/Engineering' }).listAll(full()));
    const doc = [...result.upserts.values()].find((d) => d.name === name)!;
    expect(doc.file_path).toBe(`/Engineering/${name}`);
    expect((await result.contents.get(doc._id)!()).toString()).toBe('tricky content');
  });

  it('rejects a configured path that does not exist with a ConfigError naming it', async () => {
    await using sim = await createDropboxSimulator({ seed: 54, size: 'small' });
    const error = await instanceFor(sim, { path: '/Nope' })
      .check(AbortSignal.timeout(5000))
      .catch((e: unknown) => e);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).issues).toEqual(['path: "/Nope" was not found in Dropbox']);
  });

  it('skips a received file whose link expired (a skip with its id and reason), without failing', async () => {
    await using sim = await createDropboxSimulator({ seed: 55, size: 'small' });
    const victim = sim.admin.tenant.received[1]!;
    sim.admin.expireReceivedLink(victim.id);
    const result = await collect(instanceFor(sim).listAll(full()));
    expect(result.upserts.has(victim.id)).toBe(false);
    expect(result.skips).toEqual([
      { id: victim.id, reason: `[dropbox] metadata of shared file "${victim.name}": shared_link_not_found` },
    ]);
    expect(canonical(result.upserts.values())).toEqual(sim.groundTruth().documents);
    expect(result.cursor).toBeTypeOf('object');
  });

  it('lists a received file added to the Dropbox once, as a tree file (no duplicate id)', async () => {
    await using sim = await createDropboxSimulator({ seed: 56, size: 'small' });
    const mounted = sim.admin.tenant.received[0]!;
    sim.admin.mountReceivedFile(mounted.id, '/Ada Admin');
    const result = await collect(instanceFor(sim, { use_document_level_security: true }).listAll(full()));
    const ids = result.events.flatMap((e) => (e.kind === 'upsert' ? [e.document._id] : []));
    expect(ids.filter((id) => id === mounted.id)).toHaveLength(1);
    expect(result.upserts.get(mounted.id)).toMatchObject({
      file_path: `/Ada Admin/${mounted.name}`,
      type: 'File',
    });
    expect(canonical(result.upserts.values())).toEqual(sim.groundTruth({ dls: true }).documents);
    // Outside the configured path, it is listed as a received file instead.
    const scoped = await collect(instanceFor(sim, { path: '/Engineering' }).listAll(full()));
    expect(scoped.upserts.get(mounted.id)).toMatchObject({ url: mounted.url });
    expect(canonical(scoped.upserts.values())).toEqual(sim.groundTruth({ path: '/Engineering' }).documents);
  });
});
