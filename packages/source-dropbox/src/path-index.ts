import type { JsonObject, JsonValue } from '@connectors/framework';

/** A node as stored in a cursor: `[id, children?]`; ids are stored without their `id:` prefix. */
type StoredNode = [string] | [string, JsonObject];

/**
 * A node of the live trie. Children restored from a cursor stay in their stored form (`stored`) until a
 * write reaches them: an incremental run that changes a few paths then loads, and writes back, only those.
 * At most one of `children` and `stored` is set. Stored objects are never modified (they may be shared
 * with the cursor they came from and with the cursors and checkpoints written since).
 */
interface Node {
  id: string | undefined;
  children: Map<string, Node> | undefined;
  stored: JsonObject | undefined;
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

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a stored children object, all the way down, without building anything. */
function validate(children: JsonObject, path: string): void {
  for (const segment in children) {
    const raw = children[segment];
    if (!Array.isArray(raw) || typeof raw[0] !== 'string' || raw.length > 2)
      throw new TypeError(`path index: bad node "${path}/${segment}"`);
    const nested = raw[1];
    if (nested !== undefined) {
      if (!isObject(nested)) throw new TypeError(`path index: bad children of "${path}/${segment}"`);
      validate(nested, `${path}/${segment}`);
    }
  }
}

/** A node from its stored form (its own children stay stored). */
function fromStored(raw: StoredNode): Node {
  return { id: unpackId(raw[0]), children: undefined, stored: raw[1] };
}

/**
 * The ids of listed items by `path_lower`, as a trie of path segments (shared prefixes stored once). Dropbox
 * `deleted` entries carry only a path; this turns them, and everything under them, into document ids.
 */
export class PathIndex {
  private readonly root: Node = { id: undefined, children: new Map(), stored: undefined };

  /**
   * Restores an index from its stored form (`toJSON()`). The whole input is checked at once (malformed
   * input gives an error naming the path); its nodes are loaded only when a write reaches them.
   */
  static fromJSON(value: JsonValue | undefined): PathIndex {
    const index = new PathIndex();
    if (value === undefined || value === null) return index;
    if (!isObject(value)) throw new TypeError('path index: expected an object');
    validate(value, '');
    index.root.children = undefined;
    index.root.stored = value;
    return index;
  }

  /** Records that `id` is at `pathLower`. */
  set(pathLower: string, id: string): void {
    let node = this.root;
    for (const segment of segmentsOf(pathLower)) {
      const children = this.childrenOf(node, true);
      let next = children.get(segment);
      if (!next) {
        next = { id: undefined, children: undefined, stored: undefined };
        children.set(segment, next);
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
    this.walk(last.node, [], (id) => {
      ids.push(id);
      return false;
    });
    last.parent.children?.delete(last.segment);
    this.prune(trail.slice(0, -1));
    return ids;
  }

  /** Calls `visit(pathLower, id)` for every item, parents before their children. */
  forEach(visit: (pathLower: string, id: string) => void): void {
    this.walk(this.root, [], (id, trail) => {
      visit(trail.length === 0 ? '/' : `/${trail.join('/')}`, id);
      return false;
    });
  }

  /**
   * The current `path_lower` of each of `ids` that is in the index, in one walk that loads nothing and
   * builds no path for the others (cheaper than a map of every id when few ids are wanted).
   */
  pathsOf(ids: ReadonlySet<string>): Map<string, string> {
    const found = new Map<string, string>();
    if (ids.size === 0) return found;
    this.walk(this.root, [], (id, trail) => {
      if (!ids.has(id)) return false;
      found.set(id, trail.length === 0 ? '/' : `/${trail.join('/')}`);
      return found.size === ids.size;
    });
    return found;
  }

  /**
   * The stored form (a JSON object of `segment → [id, children?]`). Parts never loaded since `fromJSON` are
   * handed back as they came, not copied.
   */
  toJSON(): JsonObject {
    // Null-prototype objects: a segment such as `__proto__` is then a plain own key, set by assignment.
    const save = (children: Map<string, Node>): JsonObject => {
      const out = Object.create(null) as JsonObject;
      for (const [segment, node] of children) {
        const packed = node.id ? packId(node.id) : '';
        const nested =
          node.stored ?? (node.children && node.children.size > 0 ? save(node.children) : undefined);
        const stored: StoredNode = nested ? [packed, nested] : [packed];
        out[segment] = stored;
      }
      return out;
    };
    return this.root.stored ?? save(this.root.children ?? new Map());
  }

  /**
   * Visits the ids under `node` (itself included) with the segments leading to them; stops when `visit`
   * returns true (and then returns true). Reads stored parts in place.
   */
  private walk(node: Node, trail: string[], visit: (id: string, trail: string[]) => boolean): boolean {
    if (node.id && visit(node.id, trail)) return true;
    if (node.children) {
      for (const [segment, child] of node.children) {
        trail.push(segment);
        const done = this.walk(child, trail, visit);
        trail.pop();
        if (done) return true;
      }
    } else if (node.stored) {
      return walkStored(node.stored, trail, visit);
    }
    return false;
  }

  /** A node's children, loading stored ones (and, with `create`, making an empty map). */
  private childrenOf(node: Node, create: true): Map<string, Node>;
  private childrenOf(node: Node, create: false): Map<string, Node> | undefined;
  private childrenOf(node: Node, create: boolean): Map<string, Node> | undefined {
    if (node.stored) {
      const children = new Map<string, Node>();
      // `for…in` allocates no key array; stored objects are JSON and inherit no enumerable keys.
      for (const segment in node.stored)
        children.set(segment, fromStored(node.stored[segment] as StoredNode));
      node.children = children;
      node.stored = undefined;
    }
    if (create) node.children ??= new Map();
    return node.children;
  }

  private trail(pathLower: string): { parent: Node; segment: string; node: Node }[] | undefined {
    const out: { parent: Node; segment: string; node: Node }[] = [];
    let node = this.root;
    for (const segment of segmentsOf(pathLower)) {
      const next = this.childrenOf(node, false)?.get(segment);
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
      if (step.node.id || step.node.stored || (step.node.children && step.node.children.size > 0)) return;
      step.parent.children?.delete(step.segment);
    }
  }
}

/** `PathIndex.walk` over a stored children object. */
function walkStored(
  children: JsonObject,
  trail: string[],
  visit: (id: string, trail: string[]) => boolean,
): boolean {
  for (const segment in children) {
    const [packed, nested] = children[segment] as StoredNode;
    trail.push(segment);
    const id = unpackId(packed);
    const done =
      (id !== undefined && visit(id, trail)) || (nested !== undefined && walkStored(nested, trail, visit));
    trail.pop();
    if (done) return true;
  }
  return false;
}
