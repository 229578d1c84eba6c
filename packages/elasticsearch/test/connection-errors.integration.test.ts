import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthError, UpstreamError } from '@connectors/framework';
import { createElasticsearchClient, waitForElasticsearch } from '../src/index.js';
import { startScriptedEs } from './scripted-es.js';

const API_KEY = 'dG9wLXNlY3JldC1pZDp0b3Atc2VjcmV0LWtleQ==';
const PASSWORD = 'hunter2-very-secret';
const signal = new AbortController().signal;
let closeServer: (() => Promise<void>) | undefined;

afterEach(async () => {
  await closeServer?.();
  closeServer = undefined;
});

const info = {
  name: 'n',
  cluster_name: 'c',
  cluster_uuid: 'u',
  version: { number: '8.15.0', build_flavor: 'default' },
  tagline: 'You Know, for Search',
};

function expectNoSecret(error: unknown): void {
  const text = `${(error as Error).message} ${JSON.stringify((error as AuthError).toJSON())}`;
  expect(text).not.toContain(API_KEY);
  expect(text).not.toContain(PASSWORD);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('connecting to Elasticsearch', () => {
  it('sends the connectors user-agent, product origin and API key', async () => {
    const server = await startScriptedEs(() => ({ status: 200, body: info }));
    closeServer = server.close;
    const client = createElasticsearchClient(
      { host: server.url, api_key: API_KEY, headers: { 'x-extra': 'yes' } },
      { version: '1.2.3' },
    );
    const result = await waitForElasticsearch(client, { signal, maxWaitMs: 1000 });
    expect(result).toMatchObject({ version: '8.15.0', serverless: false });
    const headers = server.requests[0]?.headers;
    expect(headers?.['user-agent']).toBe('elastic-connectors-1.2.3/service');
    expect(headers?.['x-elastic-product-origin']).toBe('connectors');
    expect(headers?.['x-extra']).toBe('yes');
    expect(headers?.authorization).toBe(`ApiKey ${API_KEY}`);
  });

  it('fails at once with an AuthError when the credentials are rejected (401)', async () => {
    const server = await startScriptedEs(() => ({
      status: 401,
      headers: { 'www-authenticate': 'Basic realm="security"' },
      body: {
        error: {
          type: 'security_exception',
          reason: 'unable to authenticate user [elastic] for REST request [/]',
        },
        status: 401,
      },
    }));
    closeServer = server.close;
    const client = createElasticsearchClient({ host: server.url, username: 'elastic', password: PASSWORD });
    const error = await waitForElasticsearch(client, { signal, maxWaitMs: 5000 }).catch(
      (caught: unknown) => caught,
    );
    expect(AuthError.isInstance(error)).toBe(true);
    expect((error as AuthError).status).toBe(401);
    expect((error as Error).message).toContain('Elasticsearch rejected the credentials (401');
    expect((error as Error).message).toContain('elasticsearch.api_key (or username/password)');
    expect(server.requests).toHaveLength(1);
    expectNoSecret(error);
  });

  it('names the missing privilege when the key is not allowed (403)', async () => {
    const server = await startScriptedEs(() => ({
      status: 403,
      body: {
        error: {
          type: 'security_exception',
          reason: 'action [cluster:monitor/main] is unauthorized for API key id [abc] of user [svc]',
        },
        status: 403,
      },
    }));
    closeServer = server.close;
    const client = createElasticsearchClient({ host: server.url, api_key: API_KEY });
    const error = await waitForElasticsearch(client, { signal, maxWaitMs: 5000 }).catch(
      (caught: unknown) => caught,
    );
    expect(AuthError.isInstance(error)).toBe(true);
    expect((error as AuthError).status).toBe(403);
    expect((error as Error).message).toContain('action [cluster:monitor/main] is unauthorized');
    expect((error as Error).message).toContain('manage_connector');
    expectNoSecret(error);
  });

  it('gives up on an unreachable cluster after the wait budget with a clear message', async () => {
    const port = await freePort();
    const client = createElasticsearchClient({
      host: `http://elastic:${PASSWORD}@127.0.0.1:${port}`,
      request_timeout: 1,
    });
    const started = Date.now();
    const error = await waitForElasticsearch(client, {
      signal,
      maxWaitMs: 300,
      initialBackoffMs: 50,
      backoffMultiplier: 2,
    }).catch((caught: unknown) => caught);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(UpstreamError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /did not answer within 0 s \(\d+ attempts\): .*cannot reach Elasticsearch/,
    );
    expect((error as UpstreamError).retryable).toBe(true);
    expectNoSecret(error);
  });

  it('refuses a server that is not Elasticsearch', async () => {
    const { createServer: createHttp } = await import('node:http');
    const server = createHttp((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(info));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closeServer = () => new Promise<void>((resolve) => server.close(() => resolve()));
    const client = createElasticsearchClient({
      host: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    });
    const error = await waitForElasticsearch(client, { signal, maxWaitMs: 1000 }).catch(
      (caught: unknown) => caught,
    );
    expect((error as Error).message).toContain('the server is not Elasticsearch');
  });

  it('rejects a host that is not an http(s) URL with a ConfigError naming the key', () => {
    expect(() => createElasticsearchClient({ host: 'ftp://x' })).toThrow(
      'elasticsearch.host: must be an http(s) URL',
    );
  });
});
