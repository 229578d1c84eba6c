import { Dropbox, DropboxAuth } from 'dropbox';
import { describe, expect, it } from 'vitest';
import { createDropboxSimulator, type DropboxSimulator } from './dropbox-simulator.js';
import { dropboxContentHash } from './tenant.js';

async function token(sim: DropboxSimulator, kind: 'team' | 'user' = 'team'): Promise<string> {
  const config = sim.configFor({ tokenKind: kind });
  const response = await fetch(`${sim.url}/api/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: String(config.refresh_token),
      client_id: String(config.app_key),
      client_secret: String(config.app_secret),
    }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function rpc(sim: DropboxSimulator, route: string, body: unknown, headers: Record<string, string>) {
  const response = await fetch(`${sim.url}/api/2/${route}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json: json as Record<string, unknown>, headers: response.headers };
}

describe('Dropbox simulator wire behaviour', () => {
  it('builds the same tenant from the same seed and a different one from another seed', async () => {
    await using a = await createDropboxSimulator({ seed: 3 });
    await using b = await createDropboxSimulator({ seed: 3 });
    await using c = await createDropboxSimulator({ seed: 4 });
    expect(a.groundTruth({ dls: true }).documents).toEqual(b.groundTruth({ dls: true }).documents);
    expect(a.groundTruth().documents).not.toEqual(c.groundTruth().documents);
    const sizes = await Promise.all(
      (['small', 'medium', 250] as const).map(async (size) => {
        await using sim = await createDropboxSimulator({ seed: 1, size });
        return [...sim.admin.tenant.items.values()].filter((i) => i.kind === 'file').length;
      }),
    );
    expect(sizes).toEqual([40, 400, 250]);
  });

  it('answers the token endpoint by query, form and Basic auth, with Dropbox error bodies', async () => {
    await using sim = await createDropboxSimulator({ seed: 2 });
    const config = sim.configFor();
    const query = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: String(config.refresh_token),
      client_id: String(config.app_key),
      client_secret: String(config.app_secret),
    });
    const byQuery = await fetch(`${sim.url}/api/oauth2/token?${query}`, { method: 'POST' });
    expect(await byQuery.json()).toMatchObject({ token_type: 'bearer', expires_in: 14400 });
    const basic = Buffer.from(`${String(config.app_key)}:${String(config.app_secret)}`).toString('base64');
    const byBasic = await fetch(`${sim.url}/api/oauth2/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `grant_type=refresh_token&refresh_token=${String(config.refresh_token)}`,
    });
    expect(byBasic.status).toBe(200);
    const wrong = await fetch(`${sim.url}/api/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `grant_type=refresh_token&refresh_token=nope&client_id=${String(config.app_key)}&client_secret=bad`,
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ error: 'invalid_client: Invalid client_id or client_secret' });
  });

  it('enforces token kinds and Select-User like Dropbox', async () => {
    await using sim = await createDropboxSimulator({ seed: 2 });
    const teamToken = await token(sim);
    const userToken = await token(sim, 'user');
    const noSelect = await rpc(
      sim,
      'files/list_folder',
      { path: '' },
      { Authorization: `Bearer ${teamToken}` },
    );
    expect(noSelect.status).toBe(400);
    expect(noSelect.text).toMatch(
      /^Error in call to API function "files\/list_folder": This API function operates on a single Dropbox account/,
    );
    const userOnTeam = await rpc(sim, 'team/members/list_v2', {}, { Authorization: `Bearer ${userToken}` });
    expect(userOnTeam.status).toBe(400);
    expect(userOnTeam.text).toMatch(/DfB team management function/);
    const badUser = await rpc(
      sim,
      'files/list_folder',
      { path: '' },
      { Authorization: `Bearer ${teamToken}`, 'Dropbox-API-Select-User': 'dbmid:nobody' },
    );
    expect(badUser.status).toBe(401);
    expect(badUser.json.error).toEqual({ '.tag': 'invalid_select_user' });
    const asAdmin = await rpc(sim, 'users/get_current_account', undefined, {
      Authorization: `Bearer ${teamToken}`,
      'Dropbox-API-Select-Admin': sim.admin.tenant.admin.teamMemberId,
    });
    expect(asAdmin.json.account_id).toBe(sim.admin.tenant.admin.accountId);
    const notAdmin = await rpc(sim, 'users/get_current_account', undefined, {
      Authorization: `Bearer ${teamToken}`,
      'Dropbox-API-Select-Admin': sim.admin.tenant.members[1]!.teamMemberId,
    });
    expect(notAdmin.json.error).toEqual({ '.tag': 'invalid_select_admin' });
    const unknown = await rpc(sim, 'files/list_folder', { path: '' }, { Authorization: 'Bearer sl.unknown' });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toBe('Bearer realm="Dropbox-API"');
  });

  it('pages list_folder with has_more and replays changes (deleted entries, moves) on continue', async () => {
    await using sim = await createDropboxSimulator({ seed: 2, pageSize: 10 });
    const admin = sim.admin.tenant.admin;
    const headers = {
      Authorization: `Bearer ${await token(sim)}`,
      'Dropbox-API-Select-User': admin.teamMemberId,
      'Dropbox-API-Path-Root': JSON.stringify({
        '.tag': 'namespace_id',
        namespace_id: sim.admin.tenant.rootNamespaceId,
      }),
    };
    let page = await rpc(sim, 'files/list_folder', { path: '', recursive: true }, headers);
    const ids = new Set<string>();
    for (let guard = 0; guard < 100; guard += 1) {
      for (const entry of page.json.entries as { id: string }[]) {
        expect(ids.has(entry.id)).toBe(false);
        ids.add(entry.id);
      }
      if (!page.json.has_more) break;
      page = await rpc(sim, 'files/list_folder/continue', { cursor: page.json.cursor }, headers);
    }
    expect(ids.size).toBe(sim.admin.tenant.items.size);
    const unknownField = await rpc(
      sim,
      'files/list_folder/continue',
      { cursor: page.json.cursor, path: '' },
      headers,
    );
    expect(unknownField.text).toMatch(/unknown field 'path'/);
    sim.admin.moveItem('/Engineering', '/Ada Admin', 'Eng');
    sim.admin.deleteItem('/Ada Admin/Private');
    const changes = await rpc(sim, 'files/list_folder/continue', { cursor: page.json.cursor }, headers);
    const entries = changes.json.entries as { '.tag': string; path_display: string; id?: string }[];
    expect(entries[0]).toEqual({
      '.tag': 'deleted',
      name: 'Engineering',
      path_lower: '/engineering',
      path_display: '/Engineering',
    });
    expect(entries[1]).toMatchObject({ '.tag': 'folder', path_display: '/Ada Admin/Eng' });
    expect(entries.at(-1)).toMatchObject({ '.tag': 'deleted', path_display: '/Ada Admin/Private' });
    sim.admin.expireCursors();
    const reset = await rpc(sim, 'files/list_folder/continue', { cursor: changes.json.cursor }, headers);
    expect(reset.status).toBe(409);
    expect(reset.json.error).toEqual({ '.tag': 'reset' });
    expect(reset.json.error_summary).toMatch(/^reset\/\.{0,3}$/);
  });

  it('decodes an escaped Dropbox-API-Arg, rejects raw non-ASCII, and escapes Dropbox-API-Result', async () => {
    await using sim = await createDropboxSimulator({ seed: 2 });
    const name = 'Café "日本" \\ 😀.txt';
    sim.admin.addFile('/Engineering', name, 'bonjour');
    const admin = sim.admin.tenant.admin;
    const auth = new DropboxAuth({ accessToken: await token(sim) });
    const dbx = new Dropbox({
      auth,
      selectUser: admin.teamMemberId,
      pathRoot: JSON.stringify({ '.tag': 'namespace_id', namespace_id: sim.admin.tenant.rootNamespaceId }),
      fetch: ((url: string, init: RequestInit) =>
        fetch(url.replace('https://content.dropboxapi.com', `${sim.url}/content`), init)) as typeof fetch,
    });
    const result = await dbx.filesDownload({ path: `/Engineering/${name}` });
    const file = result.result as unknown as { name: string; fileBinary: Buffer; content_hash: string };
    expect(file.name).toBe(name);
    expect(file.fileBinary.toString()).toBe('bonjour');
    expect(file.content_hash).toBe(dropboxContentHash(Buffer.from('bonjour')));
    const raw = await fetch(`${sim.url}/content/2/files/download`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${auth.getAccessToken()}`,
        'Dropbox-API-Select-User': admin.teamMemberId,
        'Dropbox-API-Arg': Buffer.from(JSON.stringify({ path: '/Engineering/Café' })).toString('latin1'),
      },
    });
    expect(raw.status).toBe(400);
    expect(await raw.text()).toMatch(/HTTP header "Dropbox-API-Arg": could not decode input as JSON/);
  });

  it('computes Dropbox content hashes exactly (published test vectors)', () => {
    expect(dropboxContentHash(Buffer.alloc(0))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(dropboxContentHash(Buffer.from('hello'))).toBe(
      '9595c9df90075148eb06860365df33584b75bff782a510c6cd4883a419833d50',
    );
    expect(dropboxContentHash(Buffer.alloc(4_194_305))).toBe(
      '14a4d47f23a30177885d9820122f17d2d3a55fe63f7f5c27b95f689e0b2accd6',
    );
  });

  it('injects 429s with Retry-After and the Dropbox JSON body, and counts calls per route', async () => {
    await using sim = await createDropboxSimulator({
      seed: 2,
      faults: { rate: 1, kinds: ['429'], retryAfterSeconds: 4 },
    });
    const response = await rpc(sim, 'users/get_current_account', undefined, {});
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('4');
    expect(response.json).toEqual({
      error_summary: 'too_many_requests/..',
      error: { reason: { '.tag': 'too_many_requests' }, retry_after: 4 },
    });
    expect(sim.callCounts()).toEqual({ 'users/get_current_account': 1 });
  });

  it('serves admin endpoints over HTTP (mutations, ground truth, call counts)', async () => {
    await using sim = await createDropboxSimulator({ seed: 2 });
    const post = async (op: string, body: unknown) =>
      (
        await fetch(`${sim.url}/__admin/${op}`, { method: 'POST', body: JSON.stringify(body) })
      ).json() as Promise<Record<string, unknown>>;
    const added = await post('add-file', { parent: '/Engineering', name: 'via-http.txt', content: 'x' });
    expect(String(added.id)).toMatch(/^id:[A-Za-z0-9_-]{22}$/);
    const truth = (await post('ground-truth', { dls: true })) as { documents: { _id: string }[] };
    expect(truth.documents.some((d) => d._id === added.id)).toBe(true);
    expect(await post('nope', {})).toEqual({ error: 'unknown admin operation "nope"' });
  });
});
