import { afterEach, describe, expect, it } from 'vitest';
import { createEsFake, type EsFake } from '@connectors/es-fake';
import { AuthError } from '@connectors/framework';
import {
  createConnectorApiControlPlane,
  createElasticsearchClient,
  createElasticsearchSink,
} from '../src/index.js';

const FAST = { maxRetries: 2, initialDelayMs: 5, maxDelayMs: 20 };
const signal = new AbortController().signal;
const KEY_ID = 'connector-key';
const KEY = 'very-secret-api-key-material';
const ENCODED = Buffer.from(`${KEY_ID}:${KEY}`).toString('base64');
let fake: EsFake | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup() {
  fake = await createEsFake({
    refreshIntervalMs: false,
    auth: {
      apiKeys: {
        [KEY_ID]: {
          key: KEY,
          privileges: {
            cluster: ['monitor', 'manage_connector'],
            indices: [
              { names: ['search-allowed', '.search-acl-filter-search-allowed'], privileges: ['all'] },
            ],
          },
        },
      },
    },
  });
  return fake;
}

function expectNoSecret(error: unknown): void {
  const text = `${(error as Error).message} ${JSON.stringify((error as AuthError).toJSON())}`;
  expect(text).not.toContain(KEY);
  expect(text).not.toContain(ENCODED);
}

describe('credentials and privileges against the fake', () => {
  it('reports a wrong API key as an AuthError (401) without the key', async () => {
    const fake = await setup();
    const wrong = Buffer.from(`${KEY_ID}:not-the-key-at-all`).toString('base64');
    const client = createElasticsearchClient({ host: fake.url, api_key: wrong });
    const controlPlane = createConnectorApiControlPlane(client, { retry: FAST });
    const error = await controlPlane.getConnector('c1', signal).catch((caught: unknown) => caught);
    expect(AuthError.isInstance(error)).toBe(true);
    expect((error as AuthError).status).toBe(401);
    expect((error as Error).message).toContain(
      '[elasticsearch] Reading connector [c1]: Elasticsearch rejected the credentials',
    );
    expect((error as Error).message).not.toContain(wrong);
  });

  it('reports a key lacking an index privilege as an AuthError (403) naming the action', async () => {
    const fake = await setup();
    const client = createElasticsearchClient({ host: fake.url, api_key: ENCODED });
    const sink = createElasticsearchSink(client, { retry: FAST, serverless: false });
    const error = await sink
      .openIndex({ indexName: 'search-forbidden', kind: 'content', signal })
      .catch((caught: unknown) => caught);
    expect(AuthError.isInstance(error)).toBe(true);
    expect((error as AuthError).status).toBe(403);
    expect((error as Error).message).toMatch(
      /lack a privilege \(403, security_exception: action \[[^\]]+\] is unauthorized/,
    );
    expect((error as Error).message).toContain('manage_connector');
    expectNoSecret(error);
  });

  it('writes where the key may and turns item-level 403s into failures with their reason', async () => {
    const fake = await setup();
    const client = createElasticsearchClient({ host: fake.url, api_key: ENCODED });
    const sink = createElasticsearchSink(client, { retry: FAST, serverless: false });
    const allowed = await sink.openIndex({ indexName: 'search-allowed', kind: 'content', signal });
    const ok = await allowed.write([{ op: 'index', id: 'a', document: { id: 'a' } }], signal);
    expect(ok).toMatchObject({ indexed: 1, failures: [] });

    const acl = await sink.openIndex({
      indexName: '.search-acl-filter-search-other',
      kind: 'access_control',
      signal,
    });
    const outcome = await acl.write([{ op: 'index', id: 'u', document: { id: 'u' } }], signal);
    expect(outcome).toMatchObject({ indexed: 0, failures: [{ id: 'u', op: 'index', status: 403 }] });
    expect(outcome.failures[0]?.reason).toMatch(/^security_exception: action \[.+\] is unauthorized/);
  });
});
