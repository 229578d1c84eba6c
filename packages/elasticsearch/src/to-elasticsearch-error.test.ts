import { errors } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import { AuthError, RateLimitError, UpstreamError, registerSecrets } from '@connectors/framework';
import { describeErrorBody, parseRetryAfter, toElasticsearchError } from './to-elasticsearch-error.js';

function responseError(statusCode: number, body: unknown, headers: Record<string, string> = {}) {
  return new errors.ResponseError({
    body,
    statusCode,
    headers,
    warnings: null,
    meta: {} as never,
  });
}

describe('toElasticsearchError', () => {
  it('maps 401 to an AuthError that says which setting to fix', () => {
    const error = toElasticsearchError(
      responseError(401, {
        error: { type: 'security_exception', reason: 'missing authentication credentials' },
        status: 401,
      }),
      'Listing connectors',
    );
    expect(AuthError.isInstance(error)).toBe(true);
    expect(error.message).toBe(
      '[elasticsearch] Listing connectors: Elasticsearch rejected the credentials (401, security_exception: ' +
        'missing authentication credentials); check elasticsearch.api_key (or username/password) in config.yml',
    );
    expect(error.retryable).toBe(false);
  });

  it('maps 429 to a RateLimitError carrying Retry-After', () => {
    const error = toElasticsearchError(
      responseError(
        429,
        { error: { type: 'es_rejected_execution_exception', reason: 'busy' }, status: 429 },
        { 'retry-after': '7' },
      ),
      'Bulk',
    );
    expect(RateLimitError.isInstance(error)).toBe(true);
    expect((error as RateLimitError).retryAfterMs).toBe(7000);
  });

  it('keeps the status, type and cause of other failures and marks 5xx retryable', () => {
    const error = toElasticsearchError(
      responseError(503, {
        error: {
          type: 'unavailable_shards_exception',
          reason: 'primary shard is not active',
          caused_by: { type: 'x', reason: 'y' },
        },
        status: 503,
      }),
      'Counting',
    );
    expect(UpstreamError.isInstance(error)).toBe(true);
    expect((error as UpstreamError).status).toBe(503);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(
      'unavailable_shards_exception: primary shard is not active; caused by x: y',
    );
  });

  it('redacts registered secrets from reasons', () => {
    registerSecrets(['super-secret-api-key-value']);
    const error = toElasticsearchError(
      responseError(400, {
        error: { type: 'illegal_argument_exception', reason: 'bad super-secret-api-key-value' },
        status: 400,
      }),
      'X',
    );
    expect(error.message).not.toContain('super-secret-api-key-value');
    expect(error.message).toContain('[REDACTED]');
  });
});

describe('describeErrorBody', () => {
  it('reads string errors and empty bodies', () => {
    expect(describeErrorBody({ error: 'no handler found for uri [/x]', status: 400 })).toBe(
      'no handler found for uri [/x]',
    );
    expect(describeErrorBody('')).toBe('');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
