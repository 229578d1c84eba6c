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

interface Template {
  readonly api: RestApiSpec;
  readonly template: string;
  readonly methods: ReadonlySet<string>;
  /** Literal segment text, or `null` for a `{placeholder}`. */
  readonly literals: readonly (string | null)[];
  readonly names: readonly (string | null)[];
}

/** Routes requests by the official REST API URL templates (exact segments win over placeholders). */
export class Router {
  readonly #bySegments = new Map<number, Template[]>();

  constructor(apis: readonly RestApiSpec[]) {
    for (const api of apis) {
      for (const p of api.paths) {
        const segs = p.path.split('/').filter((s) => s !== '');
        const literals = segs.map((s) => (s.startsWith('{') ? null : s));
        const names = segs.map((s) => (s.startsWith('{') ? s.slice(1, -1) : null));
        const t: Template = { api, template: p.path, methods: new Set(p.methods), literals, names };
        const list = this.#bySegments.get(segs.length) ?? [];
        list.push(t);
        this.#bySegments.set(segs.length, list);
      }
    }
    for (const list of this.#bySegments.values()) list.sort(compareTemplates);
  }

  /** Resolves `method` + raw `path` (no query string). */
  route(method: string, path: string): RouteResult {
    const raw = path.split('/').filter((s) => s !== '');
    const candidates = this.#bySegments.get(raw.length) ?? [];
    const allowed = new Set<string>();
    let matched = false;
    for (const t of candidates) {
      if (!t.literals.every((lit, i) => lit === null || lit === raw[i])) continue;
      matched = true;
      if (t.methods.has(method)) {
        const parts: Record<string, string> = {};
        t.names.forEach((name, i) => {
          if (name !== null) parts[name] = safeDecode(raw[i] ?? '');
        });
        return { kind: 'match', match: { api: t.api, template: t.template, parts } };
      }
      for (const m of t.methods) allowed.add(m);
    }
    if (!matched) return { kind: 'no-handler' };
    return { kind: 'method-not-allowed', allowed: [...allowed].sort() };
  }
}

/** Exact segments sort before placeholders, position by position (PathTrie precedence). */
function compareTemplates(a: Template, b: Template): number {
  for (let i = 0; i < a.literals.length; i++) {
    const la = a.literals[i] !== null;
    const lb = b.literals[i] !== null;
    if (la !== lb) return la ? -1 : 1;
  }
  return 0;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
