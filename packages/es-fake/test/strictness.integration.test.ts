import { describe, expect, it } from 'vitest';
import { createEsFake } from '../src/index.js';

const J = { 'content-type': 'application/json' };
const N = { 'content-type': 'application/x-ndjson' };

/** Malformed requests a lenient fake would accept: [method, path, headers, body, expected status]. */
const CASES: [string, string, Record<string, string>, string, number][] = [
  ['POST', '/f/_search', J, '{"sort":123}', 400],
  ['POST', '/f/_search', J, '{"query":{"term":{"a":null}}}', 400],
  ['POST', '/f/_search', J, '{"_source":5}', 400],
  ['POST', '/f/_search', J, '{"query":{"bool":{"must":5}}}', 400],
  ['POST', '/f/_search', J, '{"query":{"terms":{"a":"x"}}}', 400],
  ['POST', '/f/_search', J, '{"unknown_key":1}', 400],
  ['POST', '/f/_search', J, '{"aggs":{}}', 400],
  ['POST', '/f/_search', J, '{"sort":[{"n":{"order":"sideways"}}]}', 400],
  ['GET', '/f/_search?track_total_hits=abc', J, '', 400],
  ['POST', '/_search', J, '{"pit":{"id":"bogus"}}', 404],
  ['POST', '/_search/scroll', J, '{"scroll_id":"nope"}', 404],
  ['POST', '/_bulk', N, '{"index":null}\n{}\n', 400],
  ['POST', '/_bulk', N, '{"update":{"_index":"f","_id":"1"}}\n{"doc":"x"}\n', 400],
  ['POST', '/_bulk', N, '{"index":{"_index":"f","_id":{"a":1}}}\n{}\n', 400],
  ['POST', '/_bulk', N, '{"delete":{"_index":"f"}}\n', 400],
  ['POST', '/_bulk', N, '{"index":{"_index":"f","if_seq_no":"x","if_primary_term":1}}\n{}\n', 400],
  ['POST', '/_bulk', N, '{"index":{"_index":"f","bogus":1}}\n{}\n', 400],
  ['POST', '/_bulk', N, '', 400],
  ['POST', '/f/_update/1', J, '{"doc":"x"}', 400],
  ['POST', '/f/_update/1', J, '{"doc":{},"bogus":1}', 400],
  ['PUT', '/f/_doc/1?if_seq_no=abc&if_primary_term=1', J, '{}', 400],
  ['PUT', '/f/_doc/1', J, '{"a":', 400],
  ['PUT', '/g', J, '{"mappings":{"properties":{"a":{"type":"nope"}}}}', 400],
  ['PUT', '/g', J, '{"settings":{"index":{"refresh_interval":"abc"}}}', 400],
  ['PUT', '/g', J, '{"settings":{"index":{"bogus_setting":1}}}', 400],
  ['POST', '/f/_delete_by_query', J, '{}', 400],
  ['POST', '/f/_pit', J, '', 400],
  ['PUT', '/_connector/x', J, '{"index_name":5}', 400],
  ['PUT', '/_connector/x', J, '{"bogus":1}', 400],
  ['PUT', '/_ingest/pipeline/p', J, '{"processors":[{"script":{}}]}', 400],
  ['GET', '/_connector/x/_filtering/activate', J, '', 400],
];

describe('strict request validation', () => {
  it.each(CASES)(
    '%s %s %s answers the status a real cluster gives',
    async (method, path, headers, body, expected) => {
      await using es = await createEsFake();
      await fetch(`${es.url}/f/_doc/1`, { method: 'PUT', headers: J, body: '{"a":"x","n":1}' });
      const res = await fetch(`${es.url}${path}`, { method, headers, ...(body !== '' ? { body } : {}) });
      expect(res.status).toBe(expected);
      expect(res.headers.get('x-elastic-product')).toBe('Elasticsearch');
      expect(await res.text()).not.toContain('fake: internal error');
    },
  );
});
