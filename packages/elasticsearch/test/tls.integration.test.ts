import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '@connectors/framework';
import { createElasticsearchClient, waitForElasticsearch } from '../src/index.js';

// Test-only certificates (fixtures): a CA and a server certificate for 127.0.0.1 it signed.
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const CA_FINGERPRINT =
  '40:F7:43:A9:4F:7C:69:E3:0B:D8:E4:B6:42:45:82:C7:61:48:C4:B1:F1:9E:41:DB:DC:F9:BC:85:14:3D:26:BE';
const signal = new AbortController().signal;
let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function startTlsEs(): Promise<string> {
  server = createServer(
    {
      key: readFileSync(fixture('server-key.pem')),
      cert: Buffer.concat([readFileSync(fixture('server.pem')), readFileSync(fixture('ca.pem'))]),
    },
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
      res.end(
        JSON.stringify({ cluster_name: 'tls', version: { number: '8.15.0', build_flavor: 'default' } }),
      );
    },
  );
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('TLS settings', () => {
  it('trusts the cluster through ca_certs', async () => {
    const host = await startTlsEs();
    const client = createElasticsearchClient({ host, ca_certs: fixture('ca.pem') });
    expect((await waitForElasticsearch(client, { signal, maxWaitMs: 1000 })).version).toBe('8.15.0');
  });

  it('refuses an untrusted certificate with a clear, retry-bounded error', async () => {
    const host = await startTlsEs();
    const client = createElasticsearchClient({ host });
    const error = await waitForElasticsearch(client, { signal, maxWaitMs: 100, initialBackoffMs: 20 }).catch(
      (caught: unknown) => caught,
    );
    expect(UpstreamError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('cannot reach Elasticsearch');
    expect((error as Error).message).toMatch(/certificate/i);
  });

  it('accepts any certificate when verify_certs is false', async () => {
    const host = await startTlsEs();
    const client = createElasticsearchClient({ host, verify_certs: false });
    expect((await waitForElasticsearch(client, { signal, maxWaitMs: 1000 })).version).toBe('8.15.0');
  });

  it('pins the CA by its SHA-256 fingerprint', async () => {
    const host = await startTlsEs();
    const client = createElasticsearchClient({ host, ca_fingerprint: CA_FINGERPRINT, verify_certs: false });
    expect((await waitForElasticsearch(client, { signal, maxWaitMs: 1000 })).version).toBe('8.15.0');
    const wrong = createElasticsearchClient({
      host,
      ca_fingerprint: CA_FINGERPRINT.replace('40:F7', '41:F7'),
      verify_certs: false,
    });
    await expect(
      waitForElasticsearch(wrong, { signal, maxWaitMs: 100, initialBackoffMs: 20 }),
    ).rejects.toThrow(/fingerprint/i);
  });

  it('names an unreadable ca_certs file', () => {
    expect(() =>
      createElasticsearchClient({ host: 'https://127.0.0.1:1', ca_certs: '/nonexistent/ca.pem' }),
    ).toThrow('elasticsearch.ca_certs: cannot read "/nonexistent/ca.pem" (ENOENT)');
  });
});
