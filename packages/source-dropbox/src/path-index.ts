import type { JsonObject, JsonValue } from '@connectors/framework';

/** A node as stored in a cursor: `[id, children?]`; ids are stored without their `id:` prefix. */
type StoredNode = [string] | [string, JsonObject];

interface Node {
  id: string | undefined;
  children: Map<string, Node> | undefined;
}

function packId(id: string): string {
  return id.startsWith('id:') ? id.slice(3) : `!${id}`;
}

function unpackId(stored: string): string | undefined {
  if (stored === '') return undefined;
  return stored.startsWith('!') ? stored.slice(1) : `id:${stored}`;
}

function segmentsOf(pathLower: string): string[] {
  return pathLower.split('/').filter((segment) => segment !== '');
}

/**
 * The ids of listed items by `path_lower`, as a trie of path segments (shared prefixes stored once). Dropbox
 * `deleted` entries carry only a path; this turns them, and everything under them, into document ids.
 */
export class PathIndex {
  private readonly root: Node = { id: undefined, children: new Map() };

  /** Restores an index from its stored form (`toJSON()`); malformed input gives an error naming the problem. */
  static fromJSON(value: JsonValue | undefined): PathIndex {
    const index = new PathIndex();
    if (value === undefined || value === null) return index;
    if (typeof value !== 'object' || Array.isArray(value))
      throw new TypeError('path index: expected an object');
    const load = (children: JsonObject, into: Node): void => {
      for (const [segment, raw] of Object.entries(children)) {
        if (!Array.isArray(raw) || typeof raw[0] !== 'string')
          throw new TypeError(`path index: bad node "${segment}"`);
        const node: Node = { id: unpackId(raw[0]), children: undefined };
        const nested = raw[1];
        if (nested !== undefined) {
          if (typeof nested !== 'object' || nested === null || Array.isArray(nested)) {
            throw new TypeError(`path index: bad children of "${segment}"`);
          }
          node.children = new Map();
          load(nested, node);
        }
        (into.children ??= new Map()).set(segment, node);
      }
    };
    load(value, index.root);
    return index;
  }

  /** Records that `id` is at `pathLower`. */
  set(pathLower: string, id: string): void {
    let node = this.root;
    for (const segment of segmentsOf(pathLower)) {
      node.children ??= new Map();
      let next = node.children.get(segment);
      if (!next) {
        next = { id: undefined, children: undefined };
        node.children.set(segment, next);
      }
      node = next;
    }
    node.id = id;
  }

  /** Forgets the id at exactly `pathLower` (its children stay). */
  clear(pathLower: string): void {
    const trail = this.trail(pathLower);
    const node = trail?.at(-1)?.node;
    if (!node) return;
    node.id = undefined;
    this.prune(trail);
  }

  /** Removes `pathLower` and everything under it; returns the removed ids. */
  takeSubtree(pathLower: string): string[] {
    const trail = this.trail(pathLower);
    const last = trail?.at(-1);
    if (!trail || !last) return [];
    const ids: string[] = [];
    const collect = (node: Node): void => {
      if (node.id) ids.push(node.id);
      for (const child of node.children?.values() ?? []) collect(child);
    };
    collect(last.node);
    last.parent.children?.delete(last.segment);
    this.prune(trail.slice(0, -1));
    return ids;
  }

  /** Every `[pathLower, id]`. */
  *entries(): Generator<[string, string]> {
    const walk = function* (node: Node, path: string): Generator<[string, string]> {
      if (node.id) yield [path || '/', node.id];
      for (const [segment, child] of node.children ?? []) yield* walk(child, `${path}/${segment}`);
    };
    yield* walk(this.root, '');
  }

  /** The stored form (a JSON object of `segment → [id, children?]`). */
  toJSON(): JsonObject {
    const save = (children: Map<string, Node>): JsonObject => {
      const out: JsonObject = {};
      for (const [segment, node] of children) {
        const stored: StoredNode =
          node.children && node.children.size > 0
            ? [node.id ? packId(node.id) : '', save(node.children)]
            : [node.id ? packId(node.id) : ''];
        Object.defineProperty(out, segment, {
          value: stored,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    };
    return save(this.root.children ?? new Map());
  }

  private trail(pathLower: string): { parent: Node; segment: string; node: Node }[] | undefined {
    const out: { parent: Node; segment: string; node: Node }[] = [];
    let node = this.root;
    for (const segment of segmentsOf(pathLower)) {
      const next = node.children?.get(segment);
      if (!next) return undefined;
      out.push({ parent: node, segment, node: next });
      node = next;
    }
    return out;
  }

  /** Drops empty nodes (no id, no children) from the end of a trail upwards. */
  private prune(trail: { parent: Node; segment: string; node: Node }[]): void {
    for (let i = trail.length - 1; i >= 0; i -= 1) {
      const step = trail[i] as { parent: Node; segment: string; node: Node };
      if (step.node.id || (step.node.children && step.node.children.size > 0)) return;
      step.parent.children?.delete(step.segment);
    }
  }
}
