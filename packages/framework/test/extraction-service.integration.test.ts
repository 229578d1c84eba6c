// The extraction-service client against a small HTTP server that follows the data extraction service's
// documented API: `PUT /extract_text/` (raw bytes, or `?local_file_path=` on a shared volume) answering
// `{"extracted_text": ...}` or `{"error", "message"}`, and `GET /ping/`.
import { readFile, readdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AbortError } from '../src/errors/abort-error.js';
import { createContentExtractor } from '../src/extract/create-content-extractor.js';
import { createExtractionServiceClient } from '../src/extract/extraction-service-client.js';
import { contentOf } from './fixtures/extract/content-of.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

let server: Server;
let host: string;
let sharedDir: string;
let tempDir: string;
const seen: Seen[] = [];
const stalled = new Set<() => void>();

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  sharedDir = await mkdtemp(join(tmpdir(), 'shared-volume-'));
  tempDir = await mkdtemp(join(tmpdir(), 'service-temp-'));
  server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const url = new URL(request.url ?? '/', 'http://localhost');
      seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      const reply = (status: number, payload: unknown): void => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
      };
      if (request.method === 'GET' && url.pathname === '/ping/') return reply(200, { running: true });
      if (request.method !== 'PUT' || url.pathname !== '/extract_text/')
        return reply(404, { error: 'NotFound', message: url.pathname });
      const pointer = url.searchParams.get('local_file_path');
      const bytes = pointer === null ? body : await readFile(pointer).catch(() => undefined);
      if (bytes === undefined) return reply(422, { error: 'FileNotFound', message: `no file at ${pointer}` });
      const text = bytes.toString('utf8');
      if (text.startsWith('TIKA-FAIL'))
        return reply(422, { error: 'TikaException', message: 'Unexpected RuntimeException' });
      if (text.startsWith('ERROR-FIELD'))
        return reply(200, { error: 'ParseError', message: 'odd file', extracted_text: '' });
      if (text.startsWith('NOT-JSON')) return reply(502, '<html>Bad Gateway</html>');
      if (text.startsWith('STALL')) {
        stalled.add(() => reply(200, { extracted_text: 'too late' }));
        return;
      }
      return reply(200, { extracted_text: `  extracted:\n\n${text}  ` });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  seen.length = 0;
  for (const release of stalled) release();
  stalled.clear();
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(sharedDir, { recursive: true, force: true });
  await rm(tempDir, { recursive: true, force: true });
});

const signal = (): AbortSignal => new AbortController().signal;
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('service mode, stream', () => {
  it('streams the file bytes in chunks with the documented headers and normalises the reply', async () => {
    const extractor = createContentExtractor({
      mode: 'service',
      tempDir,
      service: { host, streamChunkSize: 1024 },
    });
    try {
      const payload = 'hello   service '.repeat(500);
      const result = await extractor.extract(contentOf('doc.pdf', utf8(payload), { chunkSize: 700 }), {
        signal: signal(),
      });
      expect(result).toEqual({
        kind: 'text',
        body: `extracted: ${payload.replace(/\s+/g, ' ').trim()}`,
        truncated: false,
      });
      expect(seen).toHaveLength(1);
      const request = seen[0]!;
      expect(request.method).toBe('PUT');
      expect(request.url).toBe('/extract_text/');
      expect(request.headers['content-type']).toBe('application/octet-stream');
      expect(request.headers['accept']).toBe('application/json');
      expect(request.body.toString('utf8')).toBe(payload);
    } finally {
      await extractor.close();
    }
  });

  it("turns the service's error reply into a failed result carrying status, error and message", async () => {
    const extractor = createContentExtractor({ mode: 'service', tempDir, service: { host } });
    try {
      const result = await extractor.extract(contentOf('bad.docx', utf8('TIKA-FAIL please')), {
        signal: signal(),
      });
      expect(result).toEqual({
        kind: 'failed',
        reason:
          'extraction service could not parse "bad.docx": status 422; TikaException: Unexpected RuntimeException',
      });
    } finally {
      await extractor.close();
    }
  });

  it('treats an error field in a 200 reply, and a non-JSON reply, as failures', async () => {
    const extractor = createContentExtractor({ mode: 'service', tempDir, service: { host } });
    try {
      await expect(
        extractor.extract(contentOf('odd.pdf', utf8('ERROR-FIELD')), { signal: signal() }),
      ).resolves.toEqual({
        kind: 'failed',
        reason: 'extraction service could not parse "odd.pdf": status 200; ParseError: odd file',
      });
      await expect(
        extractor.extract(contentOf('gw.pdf', utf8('NOT-JSON')), { signal: signal() }),
      ).resolves.toEqual({
        kind: 'failed',
        reason: 'extraction service could not parse "gw.pdf": status 502; unexpected error: unknown cause',
      });
    } finally {
      await extractor.close();
    }
  });

  it('fails a request past the timeout instead of waiting', async () => {
    const extractor = createContentExtractor({ mode: 'service', tempDir, service: { host, timeoutMs: 200 } });
    try {
      const started = Date.now();
      const result = await extractor.extract(contentOf('slow.pdf', utf8('STALL')), { signal: signal() });
      expect(result).toEqual({
        kind: 'failed',
        reason: 'extraction service timed out after 200 ms on "slow.pdf"',
      });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await extractor.close();
    }
  });

  it('throws an AbortError when the job is cancelled mid-request and leaves no temp file', async () => {
    const extractor = createContentExtractor({ mode: 'service', tempDir, service: { host } });
    try {
      const controller = new AbortController();
      const pending = extractor.extract(contentOf('slow.pdf', utf8('STALL')), { signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      const error: unknown = await pending.catch((e: unknown) => e);
      expect(AbortError.isInstance(error)).toBe(true);
      const dirs = await readdir(tempDir);
      expect(dirs).toHaveLength(1);
      expect(await readdir(join(tempDir, dirs[0]!))).toEqual([]);
    } finally {
      await extractor.close();
    }
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('reports an unreachable service as a failed result', async () => {
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const deadHost = `http://svc:s3cr3t-pass@127.0.0.1:${(dead.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    const extractor = createContentExtractor({ mode: 'service', tempDir, service: { host: deadHost } });
    try {
      const result = await extractor.extract(contentOf('a.pdf', utf8('x')), { signal: signal() });
      expect(result.kind).toBe('failed');
      expect(result.kind === 'failed' && result.reason).toMatch(
        /^connection to the extraction service at .* failed for "a.pdf": .*ECONNREFUSED/,
      );
      expect(JSON.stringify(result)).not.toContain('s3cr3t-pass');
      await expect(extractor.ping(signal())).resolves.toBe(false);
    } finally {
      await extractor.close();
    }
  });

  it('keeps the size gate on in service mode (the Python service skips it there)', async () => {
    const extractor = createContentExtractor({
      mode: 'service',
      tempDir,
      maxFileSize: 10,
      service: { host },
    });
    try {
      const result = await extractor.extract(contentOf('big.pdf', utf8('01234567890')), { signal: signal() });
      expect(result).toEqual({
        kind: 'failed',
        reason: '"big.pdf" is 11 bytes, over the 10-byte extraction limit',
      });
      expect(seen).toEqual([]);
    } finally {
      await extractor.close();
    }
  });
});

describe('service mode, file pointers', () => {
  it('writes the file to the shared volume, sends only its path, and removes it afterwards', async () => {
    const extractor = createContentExtractor({
      mode: 'service',
      service: { host, useFilePointers: true, sharedVolumeDir: sharedDir },
      reduceWhitespace: false,
    });
    try {
      const result = await extractor.extract(contentOf('shared.pdf', utf8('pointer body')), {
        signal: signal(),
      });
      expect(result).toEqual({ kind: 'text', body: '  extracted:\n\npointer body  ', truncated: false });
      const request = seen[0]!;
      const pointer = new URL(request.url, host).searchParams.get('local_file_path') ?? '';
      expect(new URL(request.url, host).pathname).toBe('/extract_text/');
      expect(pointer.startsWith(sharedDir)).toBe(true);
      expect(request.url).toMatch(/^\/extract_text\/\?local_file_path=\/[^%]*shared\.pdf$/);
      expect(request.body.length).toBe(0);
      expect(request.headers['content-type']).toBeUndefined();
      await expect(readFile(pointer)).rejects.toThrow(/ENOENT/);
    } finally {
      await extractor.close();
    }
    expect(await readdir(sharedDir)).toEqual([]);
  });
});

describe('createExtractionServiceClient', () => {
  it('pings GET /ping/', async () => {
    const client = createExtractionServiceClient({ host: `${host}/` });
    await expect(client.ping(signal())).resolves.toBe(true);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /ping/']);
  });

  it('sends credentials of the host URL as Basic authorization, not in the URL', async () => {
    const client = createExtractionServiceClient({ host: host.replace('http://', 'http://svc:pa%20ss@') });
    await expect(client.ping(signal())).resolves.toBe(true);
    expect(seen[0]?.headers['authorization']).toBe(`Basic ${Buffer.from('svc:pa ss').toString('base64')}`);
  });

  it('refuses service mode without a host with a clear configuration error', () => {
    expect(() => createContentExtractor({ mode: 'service', service: { host: ' ' } })).toThrow(
      'Extraction service mode needs a host: extraction_service.host: must be set',
    );
  });
});
