import { describe, expect, it } from 'vitest';
import { PathIndex } from './path-index.js';

describe('PathIndex', () => {
  it('takes a deleted subtree (the path and everything below it) and nothing else', () => {
    const index = new PathIndex();
    index.set('/a', 'id:A');
    index.set('/a/b', 'id:B');
    index.set('/a/b/c.txt', 'id:C');
    index.set('/ab', 'id:AB');
    index.set('/a/d.txt', 'id:D');
    expect(index.takeSubtree('/a/b').sort()).toEqual(['id:B', 'id:C']);
    expect([...index.entries()]).toEqual([
      ['/a', 'id:A'],
      ['/a/d.txt', 'id:D'],
      ['/ab', 'id:AB'],
    ]);
    expect(index.takeSubtree('/missing')).toEqual([]);
  });

  it('clears a moved item without touching its children, and prunes empty nodes', () => {
    const index = new PathIndex();
    index.set('/x/y', 'id:Y');
    index.set('/x/y/z', 'id:Z');
    index.clear('/x/y');
    expect([...index.entries()]).toEqual([['/x/y/z', 'id:Z']]);
    index.clear('/x/y/z');
    expect(index.toJSON()).toEqual({});
  });

  it('round-trips through JSON compactly, including odd segment names', () => {
    const index = new PathIndex();
    index.set('/__proto__/constructor', 'id:P');
    index.set('/café 日本 "q"/😀.txt', 'id:E');
    index.set('/other', 'weird-id');
    const json = JSON.parse(JSON.stringify(index.toJSON())) as Record<string, unknown>;
    const back = PathIndex.fromJSON(json as never);
    expect([...back.entries()].sort()).toEqual([
      ['/__proto__/constructor', 'id:P'],
      ['/café 日本 "q"/😀.txt', 'id:E'],
      ['/other', 'weird-id'],
    ]);
    expect(JSON.stringify(index.toJSON())).not.toContain('id:');
    expect(() => PathIndex.fromJSON({ a: 3 })).toThrow(/bad node "a"/);
  });
});
