import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimitError } from '../errors/rate-limit-error.js';
import { UpstreamError } from '../errors/upstream-error.js';
import type { Clock } from '../source/define-source.js';
import { createRetryingFetch, type RetryInfo } from './create-retrying-fetch.js';
import { parseRetryAfter } from './retry-policy.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A clock that records waits instead of sleeping. */
function fakeClock(): Clock & { waits: number[] } {
  const waits: number[] = [];
  return { waits, now: () => 0, sleep: async (ms) => void waits.push(ms) };
}

describe('createRetryingFetch', () => {
  it('honours Retry-After on 429 and then returns the success', async () => {
    let calls = 0;
    const url = await serve((_req, res) => {
      calls += 1;
      if (calls <= 2) {
        res.writeHead(429, { 'retry-after': '3' }).end('slow down');
        return;
      }
      res.writeHead(200).end('ok');
    });
    const clock = fakeClock();
    const retries: RetryInfo[] = [];
    const fetch = createRetryingFetch({ clock, random: () => 0, onRetry: (info) => retries.push(info) });
    const response = await fetch(`${url}/x?token=abc`);
    expect(await response.text()).toBe('ok');
    expect(calls).toBe(3);
    expect(clock.waits).toEqual([3000, 3000]);
    expect(retries.map((r) => [r.status, r.throttled, r.url])).toEqual([
      [429, true, `${url}/x`],
      [429, true, `${url}/x`],
    ]);
  });

  it('backs off exponentially on 5xx and returns the last response when attempts run out', async () => {
    let calls = 0;
    const url = await serve((_req, res) => {
      calls += 1;
      res.writeHead(503).end('down');
    });
    const clock = fakeClock();
    const fetch = createRetryingFetch({
      clock,
      random: () => 1,
      policy: { maxAttempts: 4, baseDelayMs: 100 },
    });
    const response = await fetch(url);
    expect(response.status).toBe(503);
    expect(calls).toBe(4);
    expect(clock.waits).toEqual([100, 200, 400]);
  });

  it('does not retry a 4xx that is not worth retrying', async () => {
    let calls = 0;
    const url = await serve((_req, res) => {
      calls += 1;
      res.writeHead(409, { 'content-type': 'application/json' }).end('{"error":"path/not_found"}');
    });
    const fetch = createRetryingFetch({ clock: fakeClock() });
    const response = await fetch(url, { method: 'POST', body: '{}' });
    expect(response.status).toBe(409);
    expect(calls).toBe(1);
  });

  it('retries connection resets and fails with a retryable UpstreamError after the last attempt', async () => {
    let calls = 0;
    const url = await serve((req) => {
      calls += 1;
      req.socket.destroy();
    });
    const fetch = createRetryingFetch({ clock: fakeClock(), policy: { maxAttempts: 3 } });
    const error = await fetch(url).catch((e: unknown) => e);
    expect(UpstreamError.isInstance(error)).toBe(true);
    expect((error as UpstreamError).retryable).toBe(true);
    expect((error as Error).message).toMatch(/failed after 3 attempt\(s\)/);
    expect(calls).toBe(3);
  });

  it('gives up with a RateLimitError when Retry-After exceeds the cap', async () => {
    const url = await serve((_req, res) => res.writeHead(429, { 'retry-after': '3600' }).end());
    const fetch = createRetryingFetch({ clock: fakeClock(), policy: { maxRetryAfterMs: 60_000 } });
    const error = await fetch(url).catch((e: unknown) => e);
    expect(RateLimitError.isInstance(error)).toBe(true);
    expect((error as RateLimitError).retryAfterMs).toBe(3_600_000);
  });

  it('times out a request whose headers never come and retries it', async () => {
    let calls = 0;
    const url = await serve((_req, res) => {
      calls += 1;
      if (calls === 1) return; // never answers
      res.writeHead(200).end('late but fine');
    });
    const fetch = createRetryingFetch({ clock: fakeClock(), timeoutMs: 200 });
    const response = await fetch(url);
    expect(await response.text()).toBe('late but fine');
    expect(calls).toBe(2);
  });

  it('stops at once when the caller aborts', async () => {
    const url = await serve(() => undefined);
    const controller = new AbortController();
    const fetch = createRetryingFetch({ timeoutMs: 10_000 });
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    const error = await fetch(url, { signal: controller.signal }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('createRetryingFetch with bodies cut short', () => {
  it('retries a JSON answer whose body is cut short and returns the complete one', async () => {
    let calls = 0;
    const body = JSON.stringify({ entries: Array.from({ length: 200 }, (_, i) => ({ id: i })) });
    const url = await serve((_req, res) => {
      calls += 1;
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
      });
      if (calls === 1) {
        res.write(body.slice(0, 100));
        res.socket?.destroy();
        return;
      }
      res.end(body);
    });
    const fetch = createRetryingFetch({ clock: fakeClock() });
    const response = await fetch(url, { method: 'POST', body: '{}' });
    expect(((await response.json()) as { entries: unknown[] }).entries).toHaveLength(200);
    expect(calls).toBe(2);
  });

  it('hands a download (not JSON) over as a stream, without reading it', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.alloc(1000, 7));
    });
    const response = await createRetryingFetch({ clock: fakeClock() })(url);
    expect(response.bodyUsed).toBe(false);
    expect((await response.arrayBuffer()).byteLength).toBe(1000);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
