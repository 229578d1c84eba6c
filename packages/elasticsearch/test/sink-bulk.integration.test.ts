import { RateLimitError } from '@connectors/framework';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthError, SinkError, type SinkOperation } from '@connectors/framework';
import { createElasticsearchClient, createElasticsearchSink } from '../src/index.js';
import {
  bulkResponse,
  parseBulk,
  startScriptedEs,
  type RecordedRequest,
  type ScriptedResponse,
} from './scripted-es.js';

const FAST = { maxRetries: 3, initialDelayMs: 5, maxDelayMs: 20 };
const signal = new AbortController().signal;
let closeServer: (() => Promise<void>) | undefined;

afterEach(async () => {
  await closeServer?.();
  closeServer = undefined;
});

async function setup(
  onBulk: (request: RecordedRequest, attempt: number) => ScriptedResponse | Promise<ScriptedResponse>,
  limits: { maxOperations?: number; maxBytes?: number; maxInFlight?: number; maxDocumentBytes?: number } = {},
) {
  let bulkCalls = 0;
  const server = await startScriptedEs((request) => {
    if (request.method === 'HEAD') return { status: 200 };
    if (request.path === '/_bulk') return onBulk(request, ++bulkCalls);
    return { status: 400, body: { error: `no handler for ${request.method} ${request.path}`, status: 400 } };
  });
  closeServer = server.close;
  const client = createElasticsearchClient({ host: server.url, api_key: 'c2VjcmV0LWtleS1pZDpzZWNyZXQ=' });
  const sink = createElasticsearchSink(client, { retry: FAST, serverless: false, limits });
  const bulks = () => server.requests.filter((request) => request.path === '/_bulk');
  return { server, client, sink, bulks };
}

const docs = (n: number, size = 10): SinkOperation[] =>
  Array.from({ length: n }, (_, i) => ({ op: 'index', id: `d${i}`, document: { body: 'x'.repeat(size) } }));

describe('Elasticsearch sink bulk writes', () => {
  it('splits a batch into requests bounded by the operation count', async () => {
    const { sink, bulks } = await setup(
      (request) => ({ status: 200, body: bulkResponse(parseBulk(request.body)) }),
      {
        maxOperations: 3,
      },
    );
    const writer = await sink.openIndex({ indexName: 'search-a', kind: 'content', signal });
    const outcome = await writer.write(docs(7), signal);
    expect(bulks().map((request) => parseBulk(request.body).length)).toEqual([3, 3, 1]);
    expect(outcome.indexed).toBe(7);
    expect(outcome.volumeBytes).toBe(7 * Buffer.byteLength(JSON.stringify({ body: 'x'.repeat(10) })));
    expect(outcome.failures).toEqual([]);
  });

  it('splits a batch into requests bounded by bytes', async () => {
    const { sink, bulks } = await setup(
      (request) => ({ status: 200, body: bulkResponse(parseBulk(request.body)) }),
      {
        maxBytes: 300,
      },
    );
    const writer = await sink.openIndex({ indexName: 'search-a', kind: 'content', signal });
    await writer.write(docs(6, 100), signal);
    const sizes = bulks().map((request) => Buffer.byteLength(request.body));
    expect(sizes.every((size) => size <= 300)).toBe(true);
    expect(bulks().flatMap((request) => parseBulk(request.body).map((a) => a.id))).toEqual(
      docs(6).map((op) => op.id),
    );
  });

  it('splits a batch the cluster rejects with 413 until the halves fit', async () => {
    const { sink, bulks } = await setup((request) => {
      const actions = parseBulk(request.body);
      if (actions.length > 2) return { status: 413 };
      return { status: 200, body: bulkResponse(actions) };
    });
    const writer = await sink.openIndex({ indexName: 'search-a', kind: 'content', signal });
    const outcome = await writer.write(docs(4), signal);
    expect(bulks().map((request) => parseBulk(request.body).length)).toEqual([4, 2, 2]);
    expect(outcome.indexed).toBe(4);
    expect(outcome.failures).toEqual([]);
  });

  it('reports a single document the cluster rejects with 413 as a failure', async () => {
    const { sink } = await setup(() => ({ status: 413 }));
    const writer = await sink.openIndex({ indexName: 'search-a', kind: 'content', signal });
    const outcome = await writer.write(docs(1), signal);
    expect(outcome.indexed).toBe(0);
    expect(outcome.failures).toEqual([
      expect.objectContaining({ id: 'd0', op: 'index', status: 413, reason: expect.stringContaining('413') }),
    ]);
  });

  it('re-sends only the items rejected with 429 and counts them once indexed', async () => {
    const { sink, bulks } = await setup((request, attempt) => ({
      status: 200,
      body: bulkResponse(parseBulk(request.body), (action) =>
        attempt === 1 && action.id === 'd1'
          ? { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'rejected execution' } }
          : { status: 201 },
      ),
    }));
    const writer = await sink.openIndex({ indexName: 'search-a', kind: 'content', signal });
    const outcome = await writer.write(docs(3), signal);
    expect(bulks().map((request) => parseBulk(request.body).map((action) => action.id))).toEqual([
      ['d0', 'd1', 'd2'],
      ['d1'],
    ]);
    expect(outcome).toMatchObject({ indexed: 3, failures: [] });
  });

  it('re-sends later operations on a throttled id with it, keeping their order', async () => {
    const { sink, bulks } = await setup((request, attempt) => ({
      status: 200,
      body: bulkResponse(parseBulk(request.body), (action) =>
        attempt === 1 && action.op === 'index' && action.id === 'x'
          ? { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'rejected execution' } }
          : { status: 200 },
      ),
    }));
    const writer = await sink.openIndex({ indexName: 'search-a', kind: 'content', signal });
    const outcome = await writer.write(
      [
        { op: 'index', id: 'x', document: { v: 1 } },
        { op: 'index', id: 'y', document: { v: 1 } },
        { op: 'delete', id: 'x' },
      ],
      signal,
    );
    expect(
      bulks().map((request) => parseBulk(request.body).map((action) => `${action.op}:${action.id}`)),
    ).toEqual([
      ['index:x', 'index:y', 'delete:x'],
      ['index:x', 'delete:x'],
    ]);
    expect(outcome).toMatchObject({ indexed: 2, deleted: 1, failures: [] });
  });

  it('fails the whole batch with a retryable RateLimitError when an item is still throttled after the retries', async () => {
    const { sink, bulks } = await setup((request) => ({
      status: 200,
      body: bulkResponse(parseBulk(request.body), () => ({
        status: 429,
        error: { type: 'es_rejected_execution_exception', reason: 'rejected execution' },
      })),
    }));
    const writer = await sink.openIndex({ indexName: 'search-a', kind: 'content', signal });
    const error = await writer.write(docs(1), signal).catch((e: unknown) => e);
    expect(bulks()).toHaveLength(FAST.maxRetries + 1);
    expect(RateLimitError.isInstance(error)).toBe(true);
    expect((error as RateLimitError).retryable).toBe(true);
    expect((error as Error).message).toContain('1 bulk item(s) rejected with 429');
  });

  it('returns per-item failures with their type and reason and counts the rest', async () => {
    const { sink } = await setup((request) => ({
      status: 200,
      body: bulkResponse(parseBulk(request.body), (action) =>
        action.id === 'd1'
          ? {
              status: 400,
              error: {
                type: 'document_parsing_exception',
                reason: 'failed to parse field [size] of type [long]',
              },
            }
          : action.op === 'delete'
            ? { status: 404 }
            : { status: 201 },
      ),
    }));
    const writer = await sink.openIndex({ indexName: 'search-a', kind: 'content', signal });
    const outcome = await writer.write([...docs(3), { op: 'delete', id: 'gone' }], signal);
    expect(outcome.indexed).toBe(2);
    expect(outcome.deleted).toBe(1);
    expect(outcome.failures).toEqual([
      {
        id: 'd1',
        op: 'index',
        status: 400,
        reason: 'document_parsing_exception: failed to parse field [size] of type [long]',
      },
    ]);
  });

  it('drops a document over the size cap without sending it', async () => {
    const { sink, bulks } = await setup(
      (request) => ({ status: 200, body: bulkResponse(parseBulk(request.body)) }),
      {
        maxDocumentBytes: 50,
      },
    );
    const writer = await sink.openIndex({ indexName: 'search-a', kind: 'content', signal });
    const outcome = await writer.write(
      [...docs(1), { op: 'index', id: 'big', document: { body: 'y'.repeat(100) } }],
      signal,
    );
    expect(bulks().flatMap((request) => parseBulk(request.body).map((action) => action.id))).toEqual(['d0']);
    expect(outcome.indexed).toBe(1);
    expect(outcome.failures).toEqual([
      expect.objectContaining({ id: 'big', reason: expect.stringContaining('max_text_document_size') }),
    ]);
  });

  it('sends the pipeline name on every bulk and its flags on every content document', async () => {
    const { sink, bulks } = await setup(
      (request) => ({ status: 200, body: bulkResponse(parseBulk(request.body)) }),
      {
        maxOperations: 1,
      },
    );
    const pipeline = {
      name: 'search-default-ingestion',
      extract_binary_content: true,
      reduce_whitespace: false,
      run_ml_inference: true,
    };
    const writer = await sink.openIndex({ indexName: 'search-a', kind: 'content', pipeline, signal });
    await writer.write([...docs(2), { op: 'update', id: 'u', document: { a: 1 } }], signal);
    expect(bulks().map((request) => request.query.get('pipeline'))).toEqual([
      'search-default-ingestion',
      'search-default-ingestion',
      'search-default-ingestion',
    ]);
    const payloads = bulks().map((request) => parseBulk(request.body)[0]?.payload);
    expect(payloads[0]).toEqual({
      _extract_binary_content: true,
      _reduce_whitespace: false,
      _run_ml_inference: true,
      body: 'x'.repeat(10),
    });
    expect(payloads[2]).toEqual({
      doc: { _extract_binary_content: true, _reduce_whitespace: false, _run_ml_inference: true, a: 1 },
      doc_as_upsert: true,
    });
  });

  it('keeps at most maxInFlight bulk requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const { sink } = await setup(
      async (request) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 20));
        inFlight--;
        return { status: 200, body: bulkResponse(parseBulk(request.body)) };
      },
      { maxOperations: 1, maxInFlight: 2 },
    );
    const writer = await sink.openIndex({ indexName: 'search-a', kind: 'content', signal });
    const outcome = await writer.write(docs(6), signal);
    expect(outcome.indexed).toBe(6);
    expect(peak).toBe(2);
  });

  it('sends requests one after the other when an id spans two of them', async () => {
    let inFlight = 0;
    let peak = 0;
    const { sink, bulks } = await setup(
      async (request) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 10));
        inFlight--;
        return { status: 200, body: bulkResponse(parseBulk(request.body)) };
      },
      { maxOperations: 1, maxInFlight: 4 },
    );
    const writer = await sink.openIndex({ indexName: 'search-a', kind: 'content', signal });
    await writer.write(
      [{ op: 'index', id: 'x', document: { v: 1 } }, ...docs(2), { op: 'delete', id: 'x' }],
      signal,
    );
    expect(peak).toBe(1);
    expect(bulks().map((request) => parseBulk(request.body)[0]?.op)).toEqual([
      'index',
      'index',
      'index',
      'delete',
    ]);
  });

  it('retries a request answered 503 and honours Retry-After on 429', async () => {
    const { sink, bulks } = await setup((request, attempt) => {
      if (attempt === 1)
        return { status: 503, body: { error: { type: 'unavailable', reason: 'x' }, status: 503 } };
      if (attempt === 2) {
        return {
          status: 429,
          headers: { 'retry-after': '0' },
          body: { error: { type: 'es_rejected_execution_exception', reason: 'busy' }, status: 429 },
        };
      }
      return { status: 200, body: bulkResponse(parseBulk(request.body)) };
    });
    const writer = await sink.openIndex({ indexName: 'search-a', kind: 'content', signal });
    const outcome = await writer.write(docs(2), signal);
    expect(bulks()).toHaveLength(3);
    expect(outcome.indexed).toBe(2);
  });

  it('rejects with a SinkError naming the rejected credentials, without the key', async () => {
    const { sink } = await setup(() => ({
      status: 401,
      headers: { 'www-authenticate': 'ApiKey' },
      body: {
        error: {
          type: 'security_exception',
          reason:
            'unable to authenticate with provided credentials and anonymous access is not allowed for this request',
        },
        status: 401,
      },
    }));
    const writer = await sink.openIndex({ indexName: 'search-a', kind: 'content', signal });
    const error = await writer.write(docs(1), signal).catch((caught: unknown) => caught);
    expect(SinkError.isInstance(error)).toBe(true);
    expect(AuthError.isInstance((error as SinkError).cause)).toBe(true);
    expect((error as SinkError).message).toContain('rejected the credentials (401');
    expect(JSON.stringify((error as SinkError).toJSON())).not.toContain('c2VjcmV0LWtleS1pZDpzZWNyZXQ=');
  });

  it('skips refresh on serverless, learned from GET /', async () => {
    const server = await startScriptedEs((request) => {
      if (request.path === '/' && request.method === 'GET') {
        return {
          status: 200,
          body: { cluster_name: 's', version: { number: '8.11.0', build_flavor: 'serverless' } },
        };
      }
      if (request.path === '/search-s/_count') return { status: 200, body: { count: 4 } };
      return { status: 404, body: { error: { type: 'unexpected', reason: request.path }, status: 404 } };
    });
    closeServer = server.close;
    const sink = createElasticsearchSink(createElasticsearchClient({ host: server.url }), { retry: FAST });
    const writer = await sink.openIndex({ indexName: 'search-s', kind: 'access_control', signal });
    await writer.refresh(signal);
    expect(await writer.count(signal)).toBe(4);
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /',
      'GET /search-s/_count',
    ]);
    expect(server.requests[1]?.query.get('ignore_unavailable')).toBe('true');
  });

  it('sends nothing for an empty batch', async () => {
    const { sink, bulks } = await setup(() => ({ status: 500 }));
    const writer = await sink.openIndex({ indexName: 'search-a', kind: 'content', signal });
    expect(await writer.write([], signal)).toEqual({ indexed: 0, deleted: 0, volumeBytes: 0, failures: [] });
    expect(bulks()).toHaveLength(0);
  });
});
