import { esError } from './es-error.js';
import { isPlainObject } from './mapping.js';
import { wildcardRegExp } from './query.js';

/** A parsed `_source` option: `false` drops the source, otherwise include/exclude patterns. */
export type SourceFilter =
  false | { readonly includes: readonly string[]; readonly excludes: readonly string[] };

/** Parses `_source` from a body value and/or the `_source`, `_source_includes`, `_source_excludes` params. */
export function parseSourceFilter(
  body: unknown,
  params: { source?: string | undefined; includes?: string | undefined; excludes?: string | undefined },
): SourceFilter {
  let includes: string[] = [];
  let excludes: string[] = [];
  let value: unknown = body;
  if (value === undefined && params.source !== undefined) {
    value = params.source === 'true' ? true : params.source === 'false' ? false : params.source.split(',');
  }
  if (value === false) return false;
  if (
    value !== undefined &&
    value !== true &&
    typeof value !== 'string' &&
    !Array.isArray(value) &&
    !isPlainObject(value)
  ) {
    throw esError(400, 'x_content_parse_exception', `[1:1] [_source] unexpected value [${String(value)}]`);
  }
  if (typeof value === 'string') includes = [value];
  else if (Array.isArray(value)) includes = value.map(String);
  else if (isPlainObject(value)) {
    const inc = value.includes ?? value.include;
    const exc = value.excludes ?? value.exclude;
    includes = inc === undefined ? [] : Array.isArray(inc) ? inc.map(String) : [String(inc)];
    excludes = exc === undefined ? [] : Array.isArray(exc) ? exc.map(String) : [String(exc)];
  }
  if (params.includes !== undefined) includes = params.includes.split(',');
  if (params.excludes !== undefined) excludes = params.excludes.split(',');
  return { includes, excludes };
}

interface CompiledFilter {
  readonly included: (path: string) => boolean;
  readonly couldInclude: (path: string) => boolean;
  readonly excluded: (path: string) => boolean;
}

const compiled = new WeakMap<object, CompiledFilter>();

function compile(filter: {
  readonly includes: readonly string[];
  readonly excludes: readonly string[];
}): CompiledFilter {
  const cached = compiled.get(filter);
  if (cached !== undefined) return cached;
  const inc = filter.includes.map((p) => ({ p, re: wildcardRegExp(p, false) }));
  const exc = filter.excludes.map((p) => wildcardRegExp(p, false));
  const result: CompiledFilter = {
    included: (path) =>
      inc.length === 0 || inc.some(({ p, re }) => re.test(path) || path.startsWith(`${p}.`)),
    couldInclude: (path) =>
      inc.some(
        ({ p }) =>
          p.startsWith(`${path}.`) ||
          (p.includes('*') && `${path}.`.startsWith(p.slice(0, p.indexOf('*')))) ||
          p.startsWith('*'),
      ),
    excluded: (path) => exc.some((re) => re.test(path)),
  };
  compiled.set(filter, result);
  return result;
}

/** Applies a source filter (returns `undefined` for `_source:false`). */
export function applySourceFilter(
  source: Record<string, unknown>,
  filter: SourceFilter,
): Record<string, unknown> | undefined {
  if (filter === false) return undefined;
  if (filter.includes.length === 0 && filter.excludes.length === 0) return source;
  const { included, couldInclude, excluded } = compile(filter);

  const walkValue = (value: unknown, path: string, all: boolean): unknown => {
    if (Array.isArray(value)) {
      const out = value.map((v) => walkValue(v, path, all)).filter((v) => v !== undefined);
      return out.length === 0 && value.length > 0 && !all ? undefined : out;
    }
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const full = `${path}.${k}`;
        if (excluded(full)) continue;
        const childAll = all || included(full);
        if (!childAll && !couldInclude(full)) continue;
        const r = walkValue(v, full, childAll);
        if (r !== undefined) out[k] = r;
      }
      if (!all && Object.keys(out).length === 0) return undefined;
      return out;
    }
    return all ? value : undefined;
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(source)) {
    if (excluded(k)) continue;
    const all = included(k);
    if (!all && !couldInclude(k)) continue;
    const r = walkValue(v, k, all);
    if (r !== undefined) out[k] = r;
  }
  return out;
}
