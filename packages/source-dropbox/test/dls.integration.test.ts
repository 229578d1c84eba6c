import { describe, expect, it } from 'vitest';
import { createDropboxSimulator } from '../src/simulator/index.js';
import { canonical, collect, full, identities, instanceFor } from './helpers.js';

describe('document level security against the simulator', () => {
  it('gives every file and folder the ACL of its shared folder plus explicit members, groups off', async () => {
    await using sim = await createDropboxSimulator({ seed: 5, size: 'small' });
    const instance = instanceFor(sim, { use_document_level_security: true });
    const result = await collect(instance.listAll(full()));
    const truth = sim.groundTruth({ dls: true });
    expect(result.skips).toEqual([]);
    expect(canonical(result.upserts.values())).toEqual(truth.documents);
    for (const doc of result.upserts.values()) {
      expect(doc._allow_access_control?.length, `ACL of ${String(doc.name)}`).toBeGreaterThan(0);
      expect(doc._allow_access_control?.some((v) => v.startsWith('group:'))).toBe(false);
      expect(doc._allow_access_control?.every((v) => /^(user_id|email|group):/.test(v))).toBe(true);
    }
    expect(await identities(instance)).toEqual(truth.identities);
  });

  it('adds group tokens to ACLs and identities when groups are included', async () => {
    await using sim = await createDropboxSimulator({ seed: 6, size: 'small' });
    const instance = instanceFor(sim, {
      use_document_level_security: true,
      include_inherited_users_and_groups: true,
    });
    const result = await collect(instance.listAll(full()));
    const truth = sim.groundTruth({ dls: true, includeGroups: true });
    expect(canonical(result.upserts.values())).toEqual(truth.documents);
    const withGroups = [...result.upserts.values()].filter((d) =>
      d._allow_access_control?.some((v) => v.startsWith('group:')),
    );
    expect(withGroups.length).toBeGreaterThan(5);
    const ids = await identities(instance);
    expect(ids).toEqual(truth.identities);
    expect(
      ids.find((i) => i._id.startsWith('bob'))?.access_control.filter((v) => v.startsWith('group:')),
    ).toHaveLength(2);
    expect(ids.some((i) => i._id.startsWith('gus'))).toBe(false);
  });

  it('reads every page of folder and file members (no truncation at the first page)', async () => {
    await using sim = await createDropboxSimulator({ seed: 7, size: 'small', pageSize: 5 });
    const instance = instanceFor(sim, {
      use_document_level_security: true,
      include_inherited_users_and_groups: true,
    });
    const result = await collect(instance.listAll(full()));
    expect(canonical(result.upserts.values())).toEqual(
      sim.groundTruth({ dls: true, includeGroups: true }).documents,
    );
    const calls = sim.callCounts();
    expect(calls['sharing/list_folder_members/continue']).toBeGreaterThan(0);
    expect(calls['sharing/list_file_members/continue']).toBeGreaterThan(0);
    // Folder members are read once per shared folder, not once per item.
    expect(calls['sharing/list_folder_members']).toBe(sim.admin.tenant.sharedFolders.size);
  });

  it('skips (never indexes as public) items whose folder permissions cannot be read, one attempt per folder', async () => {
    await using sim = await createDropboxSimulator({ seed: 8, size: 'small' });
    sim.admin.failRoute('sharing/list_folder_members', 10_000);
    const result = await collect(instanceFor(sim, { use_document_level_security: true }).listAll(full()));
    const truth = sim.groundTruth({ dls: true });
    const { tenant } = sim.admin;
    const inShared = truth.documents.filter((d) => {
      const item = tenant.items.get(d._id);
      return item && (item.sharedFolderId ?? tenant.sharedFolderOf(item.id, false));
    });
    expect(inShared.length).toBeGreaterThan(10);
    expect(new Set(result.skips.map((s) => s.id))).toEqual(new Set(inShared.map((d) => d._id)));
    expect(result.skips[0]?.reason).toMatch(/^\[dropbox\] permissions of ".+" could not be read: .*HTTP 500/);
    for (const doc of result.upserts.values()) expect(doc._allow_access_control?.length).toBeGreaterThan(0);
    // 6 attempts (the retrying fetch) per shared folder, not per item.
    expect(sim.callCounts()['sharing/list_folder_members']).toBe(6 * tenant.sharedFolders.size);
  });
});
