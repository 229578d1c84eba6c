import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync, brotliCompressSync, deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { bufferedBody, createNodeFetch } from './create-node-fetch.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('createNodeFetch', () => {
  it('sends method, headers and a string body, and answers a buffered Response', async () => {
    const { url, seen } = await serve((_req, res) => {
      res.writeHead(201, 'Made', { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
      res.end(JSON.stringify({ ok: true, name: 'é' }));
    });
    const fetch = createNodeFetch();
    const response = await fetch(`${url}/2/files/list_folder?x=1`, {
      method: 'post',
      headers: { 'Content-Type': 'application/json', 'Dropbox-API-Arg': '{"path":"/a\\u00e9"}' },
      body: JSON.stringify({ path: '/a' }),
    });
    expect(response.status).toBe(201);
    expect(response.statusText).toBe('Made');
    expect(response.ok).toBe(true);
    expect(response.url).toBe(`${url}/2/files/list_folder?x=1`);
    expect(response.redirected).toBe(false);
    expect(response.headers.get('x-multi')).toBe('a, b');
    expect(bufferedBody(response)?.toString('utf8')).toBe(JSON.stringify({ ok: true, name: 'é' }));
    expect(await response.json()).toEqual({ ok: true, name: 'é' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/2/files/list_folder?x=1', body: '{"path":"/a"}' });
    expect(seen[0]?.headers['content-type']).toBe('application/json');
    expect(seen[0]?.headers['content-length']).toBe('13');
    expect(seen[0]?.headers['dropbox-api-arg']).toBe('{"path":"/a\\u00e9"}');
    expect(seen[0]?.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it('takes headers as Headers or pairs, bytes and URLSearchParams bodies, and sends Content-Length 0 on an empty POST', async () => {
    const { url, seen } = await serve((_req, res) => res.end('ok'));
    const fetch = createNodeFetch();
    await fetch(url, { method: 'POST', headers: new Headers({ a: '1' }), body: new Uint8Array([104, 105]) });
    await fetch(new URL(`${url}/token`), {
      method: 'POST',
      headers: [['b', '2']],
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'r&t' }),
    });
    await fetch(url, { method: 'POST' });
    expect(seen.map((s) => s.body)).toEqual(['hi', 'grant_type=refresh_token&refresh_token=r%26t', '']);
    expect(seen[0]?.headers['a']).toBe('1');
    expect(seen[1]?.headers['b']).toBe('2');
    expect(seen[1]?.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    expect(seen[2]?.headers['content-length']).toBe('0');
  });

  it('streams a body larger than the buffer limit, whole and in order', async () => {
    const big = Buffer.alloc(300_000);
    for (let i = 0; i < big.length; i += 1) big[i] = i % 251;
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      // Written in pieces without a content-length, so the limit is found while reading.
      res.write(big.subarray(0, 100_000));
      setTimeout(() => res.end(big.subarray(100_000)), 10);
    });
    const fetch = createNodeFetch({ bufferLimitBytes: 64 * 1024 });
    const response = await fetch(url);
    expect(bufferedBody(response)).toBeUndefined();
    expect(response.body).toBeInstanceOf(ReadableStream);
    expect(Buffer.from(await response.arrayBuffer()).equals(big)).toBe(true);

    const announced = await serve((_req, res) => res.end(big));
    const streamed = await fetch(announced.url);
    expect(bufferedBody(streamed)).toBeUndefined();
    expect(Buffer.from(await streamed.arrayBuffer()).equals(big)).toBe(true);
  });

  it('decodes gzip, deflate and brotli bodies', async () => {
    const text = 'hello '.repeat(1000);
    const encoders: Record<string, (input: Buffer) => Buffer> = {
      gzip: gzipSync,
      deflate: deflateSync,
      br: brotliCompressSync,
    };
    const { url } = await serve((req, res) => {
      const encoding = req.url?.slice(1) ?? '';
      res.writeHead(200, { 'content-encoding': encoding, 'content-type': 'text/plain' });
      res.end(encoders[encoding]!(Buffer.from(text)));
    });
    const fetch = createNodeFetch();
    for (const encoding of Object.keys(encoders)) {
      expect(await (await fetch(`${url}/${encoding}`)).text()).toBe(text);
    }
  });

  it('follows redirects as fetch does: 302 after POST becomes GET, 307 keeps the body, credentials stay on their origin', async () => {
    const other = await serve((_req, res) => res.end('elsewhere'));
    const { url, seen } = await serve((req, res) => {
      if (req.url === '/302') res.writeHead(302, { location: '/landed' }).end();
      else if (req.url === '/307') res.writeHead(307, { location: '/landed' }).end();
      else if (req.url === '/away') res.writeHead(301, { location: `${other.url}/there` }).end();
      else res.end(`landed ${req.method}`);
    });
    const fetch = createNodeFetch();
    const init = {
      method: 'POST',
      headers: { authorization: 'Bearer secret', 'content-type': 'text/plain' },
      body: 'payload',
    };
    const moved = await fetch(`${url}/302`, init);
    expect(await moved.text()).toBe('landed GET');
    expect(moved.redirected).toBe(true);
    expect(moved.url).toBe(`${url}/landed`);
    expect(seen[1]).toMatchObject({ method: 'GET', body: '' });
    expect(seen[1]?.headers['content-type']).toBeUndefined();
    expect(seen[1]?.headers['authorization']).toBe('Bearer secret');

    expect(await (await fetch(`${url}/307`, init)).text()).toBe('landed POST');
    expect(seen[3]).toMatchObject({ method: 'POST', body: 'payload' });

    expect(await (await fetch(`${url}/away`, { headers: { authorization: 'Bearer secret' } })).text()).toBe(
      'elsewhere',
    );
    expect(other.seen[0]?.headers['authorization']).toBeUndefined();

    const manual = await fetch(`${url}/302`, { redirect: 'manual' });
    expect(manual.status).toBe(302);
    expect(manual.headers.get('location')).toBe('/landed');
    await expect(fetch(`${url}/302`, { redirect: 'error' })).rejects.toThrow('fetch failed');
  });

  it("gives up after maxRedirects with fetch's TypeError", async () => {
    const { url } = await serve((_req, res) => res.writeHead(302, { location: '/again' }).end());
    const fetch = createNodeFetch({ maxRedirects: 3 });
    const error = await fetch(url).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe('fetch failed');
    expect(((error as TypeError).cause as Error).message).toBe('redirect count exceeded');
  });

  it('answers null bodies for 204 and HEAD', async () => {
    const { url } = await serve((req, res) => {
      if (req.method === 'HEAD') res.writeHead(200, { 'content-length': '5' }).end();
      else res.writeHead(204).end();
    });
    const fetch = createNodeFetch();
    const empty = await fetch(url, { method: 'DELETE' });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe('5');
    expect(head.body).toBeNull();
  });

  it('rejects with the signal reason when aborted before or while the body is read', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200);
      res.write('partial');
      // Never ends on its own.
    });
    const fetch = createNodeFetch();
    const before = new AbortController();
    before.abort(new Error('stopped before'));
    await expect(fetch(url, { signal: before.signal })).rejects.toThrow('stopped before');

    const during = new AbortController();
    const pending = fetch(url, { signal: during.signal });
    setTimeout(() => during.abort(new Error('stopped during')), 50);
    await expect(pending).rejects.toThrow('stopped during');
  });

  it('rejects with fetch failed when the connection is refused or the body is cut short', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('only part of it');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    const fetch = createNodeFetch();
    const cut = await fetch(url).catch((caught: unknown) => caught);
    expect(cut).toBeInstanceOf(TypeError);
    expect((cut as TypeError).message).toBe('fetch failed');

    const closed = await serve(() => undefined);
    const closedUrl = closed.url;
    for (const server of servers.splice(-1)) await new Promise((resolve) => server.close(resolve));
    const refused = await fetch(closedUrl).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(TypeError);
    expect(((refused as TypeError).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('hands stream bodies and Request inputs to the fallback', async () => {
    const { url, seen } = await serve((_req, res) => res.end('ok'));
    const used: string[] = [];
    const fetch = createNodeFetch({
      fallback: (input, init) => {
        used.push(input instanceof Request ? 'request' : 'init');
        return globalThis.fetch(input, init);
      },
    });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    await fetch(url, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    await fetch(new Request(url));
    await fetch(url);
    expect(used).toEqual(['init', 'request']);
    expect(seen.map((s) => s.body)).toEqual(['streamed', '', '']);
  });

  it('keeps connections alive between requests', async () => {
    const ports = new Set<number>();
    const { url } = await serve((req, res) => {
      ports.add(req.socket.remotePort ?? 0);
      res.end('ok');
    });
    const fetch = createNodeFetch();
    for (let i = 0; i < 5; i += 1) await (await fetch(url)).text();
    expect(ports.size).toBe(1);
  });
});
