import { describe, expect, it } from 'vitest';
import { IndexData, type StoredDoc } from './index-store.js';
import { compileQuery, resolveDateMath } from './query.js';

function fixture(): IndexData {
  const index = new IndexData(
    'q',
    'uuid',
    {},
    { properties: { n: { type: 'long' }, tag: { type: 'keyword' } } },
    0,
  );
  const docs: [string, Record<string, unknown>][] = [
    ['1', { tag: 'a', n: 1, title: 'The Quick brown fox', at: '2024-01-01T00:00:00Z', acl: ['u1', 'g1'] }],
    ['2', { tag: 'b', n: 2, title: 'lazy dogs sleep', at: '2024-06-01T00:00:00Z', acl: ['u2'] }],
    ['3', { tag: 'a', n: 3, title: 'quick dogs', at: '2025-01-01T00:00:00Z', long: 'x'.repeat(300) }],
  ];
  for (const [id, source] of docs) index.put(id, source);
  index.refresh(0);
  return index;
}

function run(index: IndexData, query: unknown, now = Date.parse('2024-06-15T12:00:00Z')): string[] {
  const p = compileQuery(query, now);
  return [...index.visible.values()].filter((d: StoredDoc) => p(d, index)).map((d) => d.id);
}

describe('compileQuery', () => {
  const index = fixture();

  it('matches dynamically mapped strings as analyzed text and exact keyword sub-fields', () => {
    expect(run(index, { term: { title: 'quick' } })).toEqual(['1', '3']);
    expect(run(index, { term: { 'title.keyword': 'quick dogs' } })).toEqual(['3']);
    expect(run(index, { terms: { 'acl.keyword': ['g1', 'u2'] } })).toEqual(['1', '2']);
  });

  it('does not index keyword values above ignore_above', () => {
    expect(run(index, { exists: { field: 'long' } })).toEqual(['3']);
    expect(run(index, { exists: { field: 'long.keyword' } })).toEqual([]);
  });

  it('applies date math in range queries', () => {
    expect(run(index, { range: { at: { gte: 'now-1y', lt: 'now' } } })).toEqual(['1', '2']);
    expect(run(index, { range: { at: { gte: 'now-1M', lt: 'now' } } })).toEqual(['2']);
    expect(run(index, { range: { at: { lte: 'now/y' } } })).toEqual(['1', '2']);
    expect(resolveDateMath('now/d', Date.parse('2024-06-15T12:00:00Z'), false)).toBe(
      Date.parse('2024-06-15T00:00:00Z'),
    );
  });

  it('honours minimum_should_match alongside filters', () => {
    const q = {
      bool: {
        filter: [{ term: { tag: 'a' } }],
        should: [{ term: { n: 3 } }, { term: { n: 9 } }],
        minimum_should_match: 1,
      },
    };
    expect(run(index, q)).toEqual(['3']);
  });

  it('supports the minimal query_string syntax', () => {
    expect(run(index, { query_string: { query: 'tag:a AND title:dogs' } })).toEqual(['3']);
    expect(run(index, { query_string: { query: 'quick -tag:b' } })).toEqual(['1', '3']);
  });

  it('rejects unknown queries with parsing_exception and real-but-unsupported ones loudly', () => {
    expect(() => compileQuery({ nope: {} }, 0)).toThrow(/unknown query \[nope\]/);
    expect(() => compileQuery({ script: {} }, 0)).toThrow(/fake: unsupported query \[script\]/);
  });
});
