import { describe, expect, it } from 'vitest';
import { REST_API_SPEC } from './rest-api-spec.generated.js';
import { Router } from './router.js';

const router = new Router(REST_API_SPEC);

function api(method: string, path: string): string | undefined {
  const r = router.route(method, path);
  return r.kind === 'match' ? r.match.api.name : r.kind;
}

describe('Router (PathTrie precedence over the REST spec)', () => {
  it('prefers explicit segments over placeholders', () => {
    expect(api('POST', '/_bulk')).toBe('bulk');
    expect(api('GET', '/_connector/_sync_job')).toBe('connector.sync_job_list');
    expect(api('GET', '/_connector/abc')).toBe('connector.get');
    expect(api('PUT', '/_connector/_sync_job/j1/_claim')).toBe('connector.sync_job_claim');
  });

  it('answers 405 with the allowed methods of the explicit node', () => {
    expect(router.route('GET', '/_bulk')).toEqual({ kind: 'method-not-allowed', allowed: ['POST', 'PUT'] });
  });

  it('falls back to a placeholder when the explicit node has no handler', () => {
    expect(api('GET', '/_foo')).toBe('indices.get');
    expect(api('HEAD', '/docs')).toBe('indices.exists');
  });

  it('has no handler for the path Kibana sends without the underscore', () => {
    expect(router.route('PUT', '/_connector/x/_filtering/activate')).toEqual({ kind: 'no-handler' });
  });

  it('decodes path parts', () => {
    const r = router.route('GET', '/my%2Aindex/_doc/a%20b');
    expect(r.kind === 'match' ? r.match.parts : undefined).toEqual({ index: 'my*index', id: 'a b' });
  });
});
