import type { RestApiSpec } from './rest-api-spec.generated.js';

/** A resolved route: the API, its URL template and the decoded path parts. */
export interface RouteMatch {
  readonly api: RestApiSpec;
  readonly template: string;
  readonly parts: Readonly<Record<string, string>>;
}

/** Outcome of routing a method + path the way Elasticsearch's RestController does. */
export type RouteResult =
  | { readonly kind: 'match'; readonly match: RouteMatch }
  | { readonly kind: 'method-not-allowed'; readonly allowed: readonly string[] }
  | { readonly kind: 'no-handler' };

interface Route {
  readonly api: RestApiSpec;
  readonly template: string;
  /** Placeholder name per segment (`null` for literal segments). */
  readonly names: readonly (string | null)[];
}

interface TrieNode {
  readonly children: Map<string, TrieNode>;
  wildcard: TrieNode | undefined;
  /** Routes ending at this node, by HTTP method (`undefined` = the node has no value). */
  value: Map<string, Route> | undefined;
}

type Mode = 'explicit' | 'root' | 'leaf' | 'any';
const MODES: readonly Mode[] = ['explicit', 'root', 'leaf', 'any'];

function node(): TrieNode {
  return { children: new Map(), wildcard: undefined, value: undefined };
}

/**
 * Routes requests by the official REST API URL templates with the precedence of Elasticsearch's
 * `PathTrie`: an explicit segment wins over a placeholder unless the explicit node has no handler, the
 * four matching modes are tried in order, and 405 is answered only when no match allows the method.
 */
export class Router {
  readonly #root = node();

  constructor(apis: readonly RestApiSpec[]) {
    for (const api of apis) {
      for (const p of api.paths) {
        const segs = p.path.split('/').filter((s) => s !== '');
        let current = this.#root;
        for (const seg of segs) {
          if (seg.startsWith('{')) current = current.wildcard ??= node();
          else {
            let next = current.children.get(seg);
            if (next === undefined) {
              next = node();
              current.children.set(seg, next);
            }
            current = next;
          }
        }
        current.value ??= new Map();
        const route: Route = {
          api,
          template: p.path,
          names: segs.map((s) => (s.startsWith('{') ? s.slice(1, -1) : null)),
        };
        for (const m of p.methods) if (!current.value.has(m)) current.value.set(m, route);
      }
    }
  }

  #retrieve(n: TrieNode, segs: readonly string[], i: number, mode: Mode): Map<string, Route> | undefined {
    if (segs.length === 0) return n.value;
    const token = segs[i] ?? '';
    let next = n.children.get(token);
    let usedWildcard = false;
    const last = i === segs.length - 1;
    if (next === undefined) {
      next = n.wildcard;
      usedWildcard = true;
      if (next === undefined) return undefined;
    } else if (next.value === undefined && n.wildcard !== undefined) {
      const allow = (mode === 'leaf' && last) || (mode === 'root' && i === 0) || mode === 'any';
      if (allow) {
        next = n.wildcard;
        usedWildcard = true;
      }
    }
    if (last) return next.value;
    let value = this.#retrieve(next, segs, i + 1, mode);
    if (value === undefined && !usedWildcard && mode !== 'explicit' && n.wildcard !== undefined) {
      value = this.#retrieve(n.wildcard, segs, i + 1, mode);
    }
    return value;
  }

  /** Resolves `method` + raw `path` (no query string). */
  route(method: string, path: string): RouteResult {
    const raw = path.split('/').filter((s) => s !== '');
    const candidates = MODES.map((mode) => this.#retrieve(this.#root, raw, 0, mode));
    const allowed = new Set<string>();
    for (const c of candidates) if (c !== undefined) for (const m of c.keys()) allowed.add(m);
    for (const c of candidates) {
      const route = c?.get(method);
      if (route !== undefined) {
        if (route.names.length !== raw.length) continue;
        const parts: Record<string, string> = {};
        route.names.forEach((name, i) => {
          if (name !== null) parts[name] = safeDecode(raw[i] ?? '');
        });
        return { kind: 'match', match: { api: route.api, template: route.template, parts } };
      }
      if (!allowed.has(method) && allowed.size > 0) {
        return { kind: 'method-not-allowed', allowed: [...allowed].sort() };
      }
    }
    return { kind: 'no-handler' };
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
