import { describe, expect, it } from 'vitest';
import { PathIndex } from './path-index.js';

/** Every `[pathLower, id]` of an index, parents before their children. */
function entriesOf(index: PathIndex): [string, string][] {
  const out: [string, string][] = [];
  index.forEach((path, id) => out.push([path, id]));
  return out;
}

describe('PathIndex', () => {
  it('takes a deleted subtree (the path and everything below it) and nothing else', () => {
    const index = new PathIndex();
    index.set('/a', 'id:A');
    index.set('/a/b', 'id:B');
    index.set('/a/b/c.txt', 'id:C');
    index.set('/ab', 'id:AB');
    index.set('/a/d.txt', 'id:D');
    expect(index.takeSubtree('/a/b').sort()).toEqual(['id:B', 'id:C']);
    expect(entriesOf(index)).toEqual([
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
    expect(entriesOf(index)).toEqual([['/x/y/z', 'id:Z']]);
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
    expect(entriesOf(back).sort()).toEqual([
      ['/__proto__/constructor', 'id:P'],
      ['/café 日本 "q"/😀.txt', 'id:E'],
      ['/other', 'weird-id'],
    ]);
    expect(JSON.stringify(index.toJSON())).not.toContain('id:');
    expect(() => PathIndex.fromJSON({ a: 3 })).toThrow('path index: bad node "/a"');
    expect(() => PathIndex.fromJSON({ a: ['A', { b: ['B', { c: [7] }] }] })).toThrow(
      'path index: bad node "/a/b/c"',
    );
    expect(() => PathIndex.fromJSON({ a: ['A', [1]] })).toThrow('path index: bad children of "/a"');
  });

  it('finds the paths of some ids in one walk, and visits every item parents first', () => {
    const index = new PathIndex();
    index.set('/', 'id:ROOT');
    index.set('/a', 'id:A');
    index.set('/a/b/c.txt', 'id:C');
    index.set('/z', 'id:Z');
    const found = index.pathsOf(new Set(['id:C', 'id:Z', 'id:ROOT', 'id:missing']));
    expect([...found].sort()).toEqual([
      ['id:C', '/a/b/c.txt'],
      ['id:ROOT', '/'],
      ['id:Z', '/z'],
    ]);
    expect(index.pathsOf(new Set())).toEqual(new Map());
    const visited: string[] = [];
    index.forEach((path, id) => visited.push(`${path}=${id}`));
    expect(visited).toEqual(['/=id:ROOT', '/a=id:A', '/a/b/c.txt=id:C', '/z=id:Z']);
  });

  it('loads only what a write reaches, leaves its input alone and hands back untouched parts', () => {
    const source = new PathIndex();
    for (let f = 0; f < 3; f += 1) {
      source.set(`/f${f}`, `id:F${f}`);
      for (let i = 0; i < 3; i += 1) source.set(`/f${f}/x${i}.txt`, `id:F${f}X${i}`);
    }
    source.set('/f0/deep/er/most.txt', 'id:DEEP');
    const stored = JSON.parse(JSON.stringify(source.toJSON())) as Record<string, unknown>;
    const snapshot = JSON.stringify(stored);
    const index = PathIndex.fromJSON(stored as never);

    expect(index.pathsOf(new Set(['id:DEEP', 'id:F2X1']))).toEqual(
      new Map([
        ['id:DEEP', '/f0/deep/er/most.txt'],
        ['id:F2X1', '/f2/x1.txt'],
      ]),
    );
    expect(index.takeSubtree('/f0/deep')).toEqual(['id:DEEP']);
    index.set('/f1/new.txt', 'id:NEW');
    index.clear('/f1/x0.txt');
    // The input object is as it was.
    expect(JSON.stringify(stored)).toBe(snapshot);
    const out = index.toJSON() as Record<string, [string, Record<string, unknown>?]>;
    // /f2 was never written: its stored children are handed back as they are, not copied.
    expect(out.f2?.[1]).toBe((stored.f2 as [string, unknown])[1]);
    expect(out.f0?.[1]).not.toBe((stored.f0 as [string, unknown])[1]);
    expect(entriesOf(PathIndex.fromJSON(JSON.parse(JSON.stringify(out)) as never)).sort()).toEqual(
      [
        ['/f0', 'id:F0'],
        ['/f0/x0.txt', 'id:F0X0'],
        ['/f0/x1.txt', 'id:F0X1'],
        ['/f0/x2.txt', 'id:F0X2'],
        ['/f1', 'id:F1'],
        ['/f1/new.txt', 'id:NEW'],
        ['/f1/x1.txt', 'id:F1X1'],
        ['/f1/x2.txt', 'id:F1X2'],
        ['/f2', 'id:F2'],
        ['/f2/x0.txt', 'id:F2X0'],
        ['/f2/x1.txt', 'id:F2X1'],
        ['/f2/x2.txt', 'id:F2X2'],
      ].sort(),
    );
    // A subtree taken whole while still stored gives every id in it.
    expect(
      PathIndex.fromJSON(stored as never)
        .takeSubtree('/f1')
        .sort(),
    ).toEqual(['id:F1', 'id:F1X0', 'id:F1X1', 'id:F1X2']);
  });
});
