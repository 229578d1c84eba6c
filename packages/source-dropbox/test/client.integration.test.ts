import { createRetryingFetch, systemClock, type Clock } from '@connectors/framework';
import { describe, expect, it } from 'vitest';
import { createDropboxClient } from '../src/index.js';
import { headerSafeJson } from '../src/header-safe-json.js';
import { createDropboxSimulator, type DropboxSimulator } from '../src/simulator/index.js';

function clientFor(sim: DropboxSimulator, clock: Clock = systemClock) {
  const config = sim.configFor();
  const client = createDropboxClient({
    appKey: String(config.app_key),
    appSecret: String(config.app_secret),
    refreshToken: String(config.refresh_token),
    fetch: createRetryingFetch({ policy: { baseDelayMs: 5, maxDelayMs: 20 } }),
    clock,
    hosts: {
      api: String(config.api_base_url),
      content: String(config.content_base_url),
      oauth: String(config.oauth_base_url),
    },
  });
  return client;
}

const signal = () => AbortSignal.timeout(5000);

describe('Dropbox client against the simulator', () => {
  it('refreshes once for concurrent first calls (single flight)', async () => {
    await using sim = await createDropboxSimulator({ seed: 81 });
    const client = clientFor(sim);
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        client.call('team', 'admin', (dbx, o) => dbx.teamTokenGetAuthenticatedAdmin(o), signal()),
      ),
    );
    expect(new Set(results.map((r) => r.admin_profile.team_member_id)).size).toBe(1);
    expect(sim.callCounts()['oauth2/token']).toBe(1);
    expect(sim.callCounts()['team/token/get_authenticated_admin']).toBe(5);
  });

  it('refreshes before expiry by the clock, so no call is sent with an expired token', async () => {
    await using sim = await createDropboxSimulator({ seed: 82, tokenLifetimeSeconds: 600 });
    let now = Date.now();
    const clock: Clock = { now: () => now, sleep: systemClock.sleep };
    const client = clientFor(sim, clock);
    await client.call('team', 'admin', (dbx, o) => dbx.teamTokenGetAuthenticatedAdmin(o), signal());
    await client.call('team', 'admin', (dbx, o) => dbx.teamTokenGetAuthenticatedAdmin(o), signal());
    expect(sim.callCounts()['oauth2/token']).toBe(1);
    now += 6 * 60 * 1000; // less than 5 minutes of validity left
    await client.call('team', 'admin', (dbx, o) => dbx.teamTokenGetAuthenticatedAdmin(o), signal());
    expect(sim.callCounts()['oauth2/token']).toBe(2);
    expect(sim.callCounts()['team/token/get_authenticated_admin']).toBe(3);
  });

  it('ends a call that hangs after timeoutMs, even when the fetch it is given has no time limit', async () => {
    await using sim = await createDropboxSimulator({ seed: 84 });
    const config = sim.configFor();
    // Plain fetch, except that RPC calls never answer until their signal aborts.
    const hanging: typeof fetch = (input, init) =>
      String(input).includes('/2/')
        ? new Promise((_resolve, reject) => {
            init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error), {
              once: true,
            });
          })
        : fetch(input, init);
    const client = createDropboxClient({
      appKey: String(config.app_key),
      appSecret: String(config.app_secret),
      refreshToken: String(config.refresh_token),
      fetch: hanging,
      clock: systemClock,
      timeoutMs: 150,
      hosts: {
        api: String(config.api_base_url),
        content: String(config.content_base_url),
        oauth: String(config.oauth_base_url),
      },
    });
    const started = performance.now();
    const error = await client
      .call('team', 'admin', (dbx, o) => dbx.teamTokenGetAuthenticatedAdmin(o), signal())
      .catch((caught: unknown) => caught as Error);
    const elapsed = performance.now() - started;
    expect((error as Error).message).toContain('the Dropbox call took longer than 150 ms');
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(3000);
  });

  it('downloads through the fetch: bytes and metadata, any name, a 401 refreshed once, 409s mapped', async () => {
    await using sim = await createDropboxSimulator({ seed: 85 });
    const content = Buffer.from('naïve "quoted" \\ content ✓', 'utf8');
    sim.admin.addFile('', 'Ünïcode "quoted" \\ naïve ✓.txt', content);
    const client = clientFor(sim);
    // A team token must act as a member on file routes (Select-User), as the source does.
    const admin = await client.call(
      'team',
      'admin',
      (dbx, o) => dbx.teamTokenGetAuthenticatedAdmin(o),
      signal(),
    );
    client.actAs(admin.admin_profile.team_member_id, undefined);
    const account = await client.call(
      'member',
      'account',
      (dbx, o) => dbx.usersGetCurrentAccount(o),
      signal(),
    );
    // Rooted in the team space (Path-Root), where the admin adds files.
    client.actAs(admin.admin_profile.team_member_id, account.root_info.root_namespace_id);
    const download = () =>
      client.download(
        'member',
        'download of the test file',
        'files/download',
        { path: '/Ünïcode "quoted" \\ naïve ✓.txt' },
        signal(),
      );
    const first = await download();
    expect(Buffer.from(first.body).equals(content)).toBe(true);
    expect(first.result).toMatchObject({ name: 'Ünïcode "quoted" \\ naïve ✓.txt', size: content.length });
    expect(sim.callCounts()['oauth2/token']).toBe(1);

    sim.admin.expireAccessTokens();
    expect(Buffer.from((await download()).body).equals(content)).toBe(true);
    expect(sim.callCounts()['oauth2/token']).toBe(2);

    const missing = await client
      .download('member', 'download of "gone.txt"', 'files/download', { path: '/gone.txt' }, signal())
      .catch((caught: unknown) => caught as Error);
    expect((missing as Error).message).toBe('[dropbox] download of "gone.txt": path not found');
  });

  it('encodes Dropbox-API-Arg as the SDK does (every code unit from U+007F escaped)', () => {
    expect(headerSafeJson({ path: '/a "b" \\ c' })).toBe('{"path":"/a \\"b\\" \\\\ c"}');
    expect(headerSafeJson({ path: '/é\u007f😀' })).toBe('{"path":"/\\u00e9\\u007f\\ud83d\\ude00"}');
  });

  it('sends credentials in the form body, never in the token URL', async () => {
    await using sim = await createDropboxSimulator({ seed: 83 });
    const config = sim.configFor();
    const urls: string[] = [];
    const bodies: string[] = [];
    const client = createDropboxClient({
      appKey: String(config.app_key),
      appSecret: String(config.app_secret),
      refreshToken: String(config.refresh_token),
      fetch: (input, init) => {
        urls.push(String(input));
        if (typeof init?.body === 'string') bodies.push(init.body);
        return fetch(input, init);
      },
      clock: systemClock,
      hosts: {
        api: String(config.api_base_url),
        content: String(config.content_base_url),
        oauth: String(config.oauth_base_url),
      },
    });
    await client.call('team', 'admin', (dbx, o) => dbx.teamTokenGetAuthenticatedAdmin(o), signal());
    expect(urls[0]).toBe(`${sim.url}/api/oauth2/token`);
    expect(urls[1]).toBe(`${sim.url}/api/2/team/token/get_authenticated_admin`);
    expect(bodies[0]).toContain(`client_secret=${String(config.app_secret)}`);
    for (const url of urls) expect(url).not.toContain(String(config.refresh_token));
  });
});
