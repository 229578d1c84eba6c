import {
  CursorExpiredError,
  type JsonValue,
  type ListingEvent,
  type SourceDocument,
} from '@connectors/framework';
import { describe, expect, it } from 'vitest';
import { createDropboxSimulator, type DropboxSimulator } from '../src/simulator/index.js';
import { apply, canonical, collect, full, instanceFor } from './helpers.js';

function changes(cursor: JsonValue) {
  return { signal: AbortSignal.timeout(30_000), cursor };
}

/** Adds, modifies, deletes, moves, renames and re-shares; returns how many items changed. */
function mutate(sim: DropboxSimulator): void {
  const { admin } = sim;
  admin.addFile('/Engineering', 'new “spec” ü.md', '# hello\nnew file');
  admin.addFolder('/Ada Admin/Private', 'Nouveau dossier');
  admin.addFile('/Ada Admin/Private/Nouveau dossier', 'inside.txt', 'inside');
  const tenant = admin.tenant;
  const file = (n: number): string =>
    tenant.pathOf([...tenant.items.values()].filter((i) => i.kind === 'file')[n]!.id);
  admin.modifyFile(file(0), 'changed content');
  admin.deleteItem(file(1));
  // Delete a whole folder (with children), and move another one (with children) elsewhere.
  admin.deleteItem('/Ada Admin/Private/deep/level 2/niveau 3 é');
  admin.moveItem('/Marketing & Sales', '/Engineering', 'Marketing (moved)');
  admin.moveItem(file(2), '/Ada Admin/Private', 'renamed file.txt');
}

/** A full listing of the tenant, applied to a fresh index: where the incremental tests start. */
async function afterFullListing(sim: DropboxSimulator) {
  const instance = instanceFor(sim);
  const first = await collect(instance.listAll(full()));
  const index = new Map<string, SourceDocument>();
  apply(index, first.events);
  return { instance, first, index };
}

describe('incremental sync against the simulator', () => {
  it('applies only the changes, deletions and moves included, and reaches the new ground truth', async () => {
    await using sim = await createDropboxSimulator({ seed: 21, size: 'medium' });
    const { instance, first, index } = await afterFullListing(sim);
    const before = sim.callCounts();
    mutate(sim);
    sim.resetCallCounts();
    const second = await collect(instance.listChanges!(changes(first.cursor as JsonValue)));
    apply(index, second.events);
    expect(canonical(index.values())).toEqual(sim.groundTruth().documents);
    expect(second.deletes.length).toBeGreaterThan(3);
    // O(changes): a handful of calls, against dozens for the full listing.
    const calls = sim.callCounts();
    const total = Object.values(calls).reduce((a, b) => a + b, 0);
    const fullTotal = Object.values(before).reduce((a, b) => a + b, 0);
    expect(calls['files/list_folder'] ?? 0).toBe(0);
    expect(calls['sharing/get_shared_link_metadata'] ?? 0).toBe(0);
    expect(total).toBeLessThan(10);
    expect(fullTotal).toBeGreaterThan(30);
    // Upserts are the changed items only (moved subtrees included), not the corpus.
    expect(second.upserts.size).toBeLessThan(first.upserts.size / 4);

    // A second incremental run with no changes yields nothing but a cursor.
    const third = await collect(instance.listChanges!(changes(second.cursor as JsonValue)));
    expect(third.upserts.size + third.deletes.length).toBe(0);
    expect(third.cursor).toBeTypeOf('object');
  });

  it('reaches the same ground truth when the changes span many pages (walks, then a map of every id)', async () => {
    // 5 entries a page: the changes below take more pages than are looked up by a walk of the index.
    await using sim = await createDropboxSimulator({ seed: 21, size: 'medium', pageSize: 5 });
    const { instance, first, index } = await afterFullListing(sim);
    mutate(sim);
    sim.resetCallCounts();
    const second = await collect(instance.listChanges!(changes(first.cursor as JsonValue)));
    expect(sim.callCounts()['files/list_folder/continue']).toBeGreaterThan(6);
    apply(index, second.events);
    expect(canonical(index.values())).toEqual(sim.groundTruth().documents);
    // And the cursor it ends with still resolves later deletions.
    sim.admin.deleteItem('/Engineering');
    const third = await collect(instance.listChanges!(changes(second.cursor as JsonValue)));
    apply(index, third.events);
    expect(canonical(index.values())).toEqual(sim.groundTruth().documents);
  });

  it('re-emits the content of a re-shared folder with its new ACL', async () => {
    await using sim = await createDropboxSimulator({ seed: 22, size: 'small' });
    const instance = instanceFor(sim, { use_document_level_security: true });
    const first = await collect(instance.listAll(full()));
    const index = new Map<string, SourceDocument>();
    apply(index, first.events);
    const bob = sim.admin.tenant.members[1]!;
    sim.admin.reshareFolder('/Ada Admin/Shared with Bob', {
      users: [{ accountId: sim.admin.tenant.admin.accountId, access: 'owner' }],
      groups: [],
      invitees: [{ email: 'auditor@example.org', access: 'viewer' }],
    });
    const second = await collect(instance.listChanges!(changes(first.cursor as JsonValue)));
    apply(index, second.events);
    expect(canonical(index.values())).toEqual(sim.groundTruth({ dls: true }).documents);
    const reshared = [...second.upserts.values()];
    expect(reshared.length).toBeGreaterThan(0);
    for (const doc of reshared) expect(doc._allow_access_control).not.toContain(`user_id:${bob.accountId}`);
  });

  it('removes received files whose link was revoked and adds nothing else', async () => {
    await using sim = await createDropboxSimulator({ seed: 23, size: 'small' });
    const instance = instanceFor(sim);
    const first = await collect(instance.listAll(full()));
    const revoked = sim.admin.tenant.received[0]!;
    sim.admin.revokeReceivedFile(revoked.id);
    const second = await collect(instance.listChanges!(changes(first.cursor as JsonValue)));
    expect(second.deletes).toEqual([revoked.id]);
    expect(second.upserts.size).toBe(0);
  });

  it('keeps a received file whose changed link cannot be read, and reads it again next time', async () => {
    await using sim = await createDropboxSimulator({ seed: 25, size: 'small' });
    const instance = instanceFor(sim);
    const first = await collect(instance.listAll(full()));
    const victim = sim.admin.tenant.received[0]!;
    expect(first.upserts.has(victim.id)).toBe(true);
    // Its link changes (so the incremental run reads it again), and the new one cannot be read.
    victim.url = `${victim.url}-renewed`;
    sim.admin.expireReceivedLink(victim.id);
    const second = await collect(instance.listChanges!(changes(first.cursor as JsonValue)));
    expect(second.skips).toEqual([
      { id: victim.id, reason: `[dropbox] metadata of shared file "${victim.name}": shared_link_not_found` },
    ]);
    expect(second.deletes).toEqual([]);
    expect(second.upserts.size).toBe(0);
    // Once readable, the next run reads it (its stored link is still the old one) and nothing else.
    victim.expired = false;
    sim.resetCallCounts();
    const third = await collect(instance.listChanges!(changes(second.cursor as JsonValue)));
    expect([...third.upserts.keys()]).toEqual([victim.id]);
    expect(third.upserts.get(victim.id)).toMatchObject({ url: victim.url });
    expect(third.deletes).toEqual([]);
    expect(sim.callCounts()['sharing/get_shared_link_metadata']).toBe(1);
  });

  it('throws CursorExpiredError when Dropbox resets the cursor', async () => {
    await using sim = await createDropboxSimulator({ seed: 24, size: 'small' });
    const instance = instanceFor(sim);
    const first = await collect(instance.listAll(full()));
    sim.admin.expireCursors();
    const error = await collect(instance.listChanges!(changes(first.cursor as JsonValue))).catch(
      (e: unknown) => e,
    );
    expect(CursorExpiredError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/\[dropbox\].*reset.*full sync/);
  });

  it('throws CursorExpiredError for a cursor of another configuration', async () => {
    await using sim = await createDropboxSimulator({ seed: 25, size: 'small' });
    const first = await collect(instanceFor(sim).listAll(full()));
    const withDls = instanceFor(sim, { use_document_level_security: true });
    const error = await collect(withDls.listChanges!(changes(first.cursor as JsonValue))).catch(
      (e: unknown) => e,
    );
    expect(CursorExpiredError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/configuration/);
  });

  it('resumes an interrupted incremental run from its checkpoint to the same result', async () => {
    await using sim = await createDropboxSimulator({ seed: 26, size: 'small', pageSize: 5 });
    const { instance, first, index } = await afterFullListing(sim);
    mutate(sim);
    const partial: ListingEvent[] = [];
    let saved: JsonValue | undefined;
    for await (const event of instance.listChanges!(changes(first.cursor as JsonValue))) {
      if (event.kind === 'checkpoint') {
        saved = event.checkpoint;
        break; // "crash" after the first page was written
      }
      partial.push(event);
    }
    expect(saved).toBeDefined();
    apply(index, partial);
    const rest = await collect(
      instance.listChanges!({ ...changes(first.cursor as JsonValue), checkpoint: saved! }),
    );
    apply(index, rest.events);
    expect(canonical(index.values())).toEqual(sim.groundTruth().documents);
  });

  it('turns a received file added to the Dropbox into a tree document, without deleting it', async () => {
    await using sim = await createDropboxSimulator({ seed: 27, size: 'small' });
    const { instance, first, index } = await afterFullListing(sim);
    const link = sim.admin.tenant.received[0]!;
    sim.admin.mountReceivedFile(link.id, '/Ada Admin');
    const second = await collect(instance.listChanges!(changes(first.cursor as JsonValue)));
    apply(index, second.events);
    expect(second.deletes).toEqual([]);
    expect(index.get(link.id)).toMatchObject({ file_path: `/Ada Admin/${link.name}` });
    expect(canonical(index.values())).toEqual(sim.groundTruth().documents);
  });

  it('drops the children of a folder replaced by a file at the same path (no deleted entry needed)', async () => {
    await using sim = await createDropboxSimulator({ seed: 28, size: 'small' });
    const { instance, first, index } = await afterFullListing(sim);
    const { tenant } = sim.admin;
    const folder = [...tenant.items.values()].find((i) => tenant.pathOf(i.id) === '/Ada Admin/Private/deep')!;
    const gone = [folder.id, ...tenant.descendants(folder.id).map((i) => i.id)];
    // Remove the folder without recording a change, as if Dropbox reported only the replacing file.
    for (const id of gone) tenant.items.delete(id);
    sim.admin.addFile('/Ada Admin/Private', 'deep', 'now a file');
    const second = await collect(instance.listChanges!(changes(first.cursor as JsonValue)));
    apply(index, second.events);
    expect(new Set(second.deletes)).toEqual(new Set(gone));
    expect(canonical(index.values())).toEqual(sim.groundTruth().documents);
  });
});
