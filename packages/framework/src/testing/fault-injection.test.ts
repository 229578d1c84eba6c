import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createFaultInjector, type FaultInjector } from './fault-injection.js';

/** A fake request/response pair good enough for decisions that do not touch the socket. */
function fakePair(url = '/x'): {
  req: IncomingMessage;
  res: ServerResponse;
  status: () => number | undefined;
} {
  let status: number | undefined;
  const socket = { destroy: () => undefined, once: () => undefined };
  const req = { url, socket } as unknown as IncomingMessage;
  const res = {
    headersSent: false,
    writeHead(code: number) {
      status = code;
      return this;
    },
    end() {
      return this;
    },
  } as unknown as ServerResponse;
  return { req, res, status: () => status };
}

function decisions(injector: FaultInjector, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const pair = fakePair();
    const handled = injector.inject(pair.req, pair.res);
    out.push(handled ? String(pair.status() ?? 'socket') : 'pass');
  }
  return out;
}

async function withServer(injector: FaultInjector, run: (url: string) => Promise<void>): Promise<void> {
  const server = createServer((req, res) => {
    if (injector.inject(req, res)) return;
    const body = JSON.stringify({ ok: true, padding: 'x'.repeat(200) });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await run(`http://127.0.0.1:${port}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('createFaultInjector', () => {
  it('gives the same fault sequence for the same seed and a different one for another seed', () => {
    const kinds = ['429', '500', '503'] as const;
    const a = decisions(createFaultInjector({ rate: 0.3, seed: 42, kinds }), 200);
    const b = decisions(createFaultInjector({ rate: 0.3, seed: 42, kinds }), 200);
    const c = decisions(createFaultInjector({ rate: 0.3, seed: 43, kinds }), 200);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('injects faults at the configured rate within tolerance', () => {
    const injector = createFaultInjector({ rate: 0.1, seed: 7, kinds: ['500'] });
    const out = decisions(injector, 10_000);
    const failures = out.filter((d) => d !== 'pass').length;
    expect(failures).toBeGreaterThan(850);
    expect(failures).toBeLessThan(1150);
    expect(injector.stats()).toMatchObject({ seen: 10_000, injected: failures });
    expect(injector.stats().byKind['500']).toBe(failures);
  });

  it('draws every configured kind and no other', () => {
    const injector = createFaultInjector({ rate: 1, seed: 3, kinds: ['429', '503'] });
    const out = decisions(injector, 400);
    expect(new Set(out)).toEqual(new Set(['429', '503']));
    expect(injector.stats().byKind['429'] + injector.stats().byKind['503']).toBe(400);
  });

  it('never injects into requests that do not match, nor at rate 0', () => {
    const injector = createFaultInjector({ rate: 1, seed: 1, match: (req) => req.url !== '/admin' });
    const pair = fakePair('/admin');
    expect(injector.inject(pair.req, pair.res)).toBe(false);
    injector.setRate(0);
    expect(decisions(injector, 50)).toEqual(Array.from({ length: 50 }, () => 'pass'));
  });

  it('lets a request through after maxConsecutive faults in a row', () => {
    const injector = createFaultInjector({ rate: 1, seed: 1, kinds: ['500'], maxConsecutive: 2 });
    expect(decisions(injector, 6)).toEqual(['500', '500', 'pass', '500', '500', 'pass']);
  });

  it('rejects a rate outside 0..1 and unknown kinds with a clear error', () => {
    expect(() => createFaultInjector({ rate: 1.5 })).toThrow(/rate must be a number between 0 and 1/);
    expect(() => createFaultInjector({ rate: 0.1, kinds: ['418' as never] })).toThrow(
      /unknown fault kind "418"/,
    );
  });

  it('answers 429 with Retry-After and the vendor body over real HTTP', async () => {
    const injector = createFaultInjector({
      rate: 1,
      kinds: ['429'],
      retryAfterSeconds: 7,
      bodies: { '429': { contentType: 'application/json', body: '{"error":"too_many_requests"}' } },
    });
    await withServer(injector, async (url) => {
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('7');
      expect(await response.json()).toEqual({ error: 'too_many_requests' });
    });
  });

  it('resets the connection so that fetch rejects', async () => {
    const injector = createFaultInjector({ rate: 1, kinds: ['reset'] });
    await withServer(injector, async (url) => {
      await expect(fetch(url, { signal: AbortSignal.timeout(5000) })).rejects.toThrow();
    });
  });

  it('truncates the simulator body so that reading it fails', async () => {
    const injector = createFaultInjector({ rate: 1, kinds: ['truncate'] });
    await withServer(injector, async (url) => {
      const outcome = await fetch(url, { signal: AbortSignal.timeout(5000) })
        .then((r) => r.text())
        .catch((e: unknown) => e);
      expect(outcome).toBeInstanceOf(Error);
    });
  });

  it('holds a timeout fault until the client gives up', async () => {
    const injector = createFaultInjector({ rate: 1, kinds: ['timeout'], hangMs: 10_000 });
    await withServer(injector, async (url) => {
      const started = Date.now();
      await expect(fetch(url, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(5000);
    });
  });
});
