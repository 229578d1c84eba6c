import { errorCause, esError, unsupported, type EsHttpError } from './es-error.js';
import type { IndexData, StoredDoc } from './index-store.js';
import {
  analyze,
  isPlainObject,
  isTextType,
  NUMERIC_TYPES,
  parseDate,
  resolveField,
  valuesAt,
  type ResolvedField,
} from './mapping.js';

/** A compiled query: a predicate over a stored document of one index. */
export type DocPredicate = (doc: StoredDoc, index: IndexData) => boolean;

/** Real query names the fake does not emulate (answered with `fake: unsupported`). */
const REAL_BUT_UNSUPPORTED = new Set([
  'nested',
  'has_child',
  'has_parent',
  'script',
  'script_score',
  'function_score',
  'fuzzy',
  'regexp',
  'geo_distance',
  'geo_bounding_box',
  'geo_shape',
  'more_like_this',
  'knn',
  'semantic',
  'sparse_vector',
  'text_expansion',
  'span_term',
  'span_near',
  'intervals',
  'match_phrase_prefix',
  'combined_fields',
  'distance_feature',
  'rank_feature',
  'percolate',
  'pinned',
  'rule',
  'wrapper',
  'dis_max',
  'boosting',
  'terms_set',
  'simple_query_string',
  'match_bool_prefix',
]);

function parsingError(reason: string): EsHttpError {
  return esError(400, 'parsing_exception', reason, { line: 1, col: 1 });
}

/** Compiles a query DSL object (the subset documented in the README) into a predicate. */
export function compileQuery(query: unknown, now: number): DocPredicate {
  if (query === undefined || query === null) return () => true;
  if (!isPlainObject(query)) throw parsingError('[_na] query malformed, must start with start_object');
  const entries = Object.entries(query);
  if (entries.length !== 1) {
    throw parsingError(
      entries.length === 0
        ? 'query malformed, empty clause found'
        : `[${entries[0]?.[0] ?? ''}] malformed query, expected [END_OBJECT] but found [FIELD_NAME]`,
    );
  }
  const [name, body] = entries[0] as [string, unknown];
  switch (name) {
    case 'match_all':
      return () => true;
    case 'match_none':
      return () => false;
    case 'term':
      return compileTerm(body);
    case 'terms':
      return compileTerms(body);
    case 'ids': {
      const values = isPlainObject(body) && Array.isArray(body.values) ? body.values.map(String) : undefined;
      if (values === undefined) throw parsingError('[ids] query malformed, no [values] field');
      const set = new Set(values);
      return (doc) => set.has(doc.id);
    }
    case 'exists': {
      const field = isPlainObject(body) ? body.field : undefined;
      if (typeof field !== 'string') throw parsingError('[exists] must be provided with a [field]');
      return (doc, index) => fieldExists(doc, index, field);
    }
    case 'range':
      return compileRange(body, now);
    case 'bool':
      return compileBool(body, now);
    case 'constant_score': {
      const filter = isPlainObject(body) ? body.filter : undefined;
      if (filter === undefined) throw parsingError("[constant_score] requires a 'filter' element");
      return compileQuery(filter, now);
    }
    case 'match':
    case 'match_phrase':
      return compileMatch(body, name === 'match_phrase');
    case 'multi_match':
      return compileMultiMatch(body);
    case 'query_string':
      return compileQueryString(body);
    case 'prefix':
      return compilePrefix(body);
    case 'wildcard':
      return compileWildcard(body);
    default:
      if (REAL_BUT_UNSUPPORTED.has(name)) throw unsupported(`query [${name}]`);
      throw parsingError(`unknown query [${name}]`);
  }
}

function singleField(kind: string, body: unknown): [string, unknown] {
  if (!isPlainObject(body)) throw parsingError(`[${kind}] query malformed, no start_object after query name`);
  const entries = Object.entries(body).filter(([k]) => k !== 'boost' && k !== '_name');
  if (entries.length !== 1)
    throw parsingError(
      `[${kind}] query doesn't support multiple fields, found [${entries.map((e) => e[0]).join('] and [')}]`,
    );
  return entries[0] as [string, unknown];
}

/** Indexed terms of a document for a field, as comparable values. */
function indexedValues(
  doc: StoredDoc,
  index: IndexData,
  field: string,
): { resolved: ResolvedField; values: unknown[] } {
  if (field === '_id') return { resolved: { type: 'keyword', sourcePath: [] }, values: [doc.id] };
  if (field === '_index') return { resolved: { type: 'keyword', sourcePath: [] }, values: [index.name] };
  const resolved = resolveField(index.mappings, field);
  if (resolved.type === undefined) return { resolved, values: [] };
  let values = valuesAt(doc.source, resolved.sourcePath);
  if (resolved.ignoreAbove !== undefined) {
    const limit = resolved.ignoreAbove;
    values = values.filter((v) => typeof v !== 'string' || v.length <= limit);
  }
  return { resolved, values };
}

function termMatches(type: string | undefined, value: unknown, wanted: unknown): boolean {
  if (type === undefined) return false;
  if (isTextType(type)) {
    return typeof value === 'string' && analyze(value).includes(String(wanted));
  }
  if (NUMERIC_TYPES.has(type)) return Number(value) === Number(wanted);
  if (type === 'boolean') return String(value) === String(wanted);
  if (type === 'date' || type === 'date_nanos') return parseDate(value) === parseDate(wanted);
  if (typeof value === 'object') return false;
  return String(value) === String(wanted);
}

function compileTerm(body: unknown): DocPredicate {
  const [field, spec] = singleField('term', body);
  const wanted = isPlainObject(spec) ? spec.value : spec;
  if (wanted === null) throw parsingError('[term] query does not support null values');
  if (wanted === undefined || isPlainObject(wanted) || Array.isArray(wanted)) {
    throw parsingError(`[term] query does not support array of values`);
  }
  const caseInsensitive = isPlainObject(spec) && spec.case_insensitive === true;
  return (doc, index) => {
    const { resolved, values } = indexedValues(doc, index, field);
    return values.some((v) =>
      caseInsensitive && typeof v === 'string'
        ? v.toLowerCase() === String(wanted).toLowerCase()
        : termMatches(resolved.type, v, wanted),
    );
  };
}

function compileTerms(body: unknown): DocPredicate {
  const [field, list] = singleField('terms', body);
  if (!Array.isArray(list)) {
    if (isPlainObject(list)) throw unsupported('terms lookup');
    throw parsingError(`[terms] query does not support [${field}]`);
  }
  if (field === '_id') {
    const set = new Set(list.map(String));
    return (doc) => set.has(doc.id);
  }
  return (doc, index) => {
    const { resolved, values } = indexedValues(doc, index, field);
    return values.some((v) => list.some((w) => termMatches(resolved.type, v, w)));
  };
}

function fieldExists(doc: StoredDoc, index: IndexData, field: string): boolean {
  if (field === '_id' || field === '_index') return true;
  const resolved = resolveField(index.mappings, field);
  if (resolved.type === undefined) return false;
  const values = valuesAt(doc.source, resolved.sourcePath);
  if (resolved.ignoreAbove !== undefined) {
    const limit = resolved.ignoreAbove;
    return values.some((v) => typeof v !== 'string' || v.length <= limit);
  }
  return values.length > 0;
}

const DATE_MATH = /^now(?<ops>(?:[+-]\d+[yMwdhHms])*)(?:\/(?<round>[yMwdhHms]))?$/;

/** Resolves a date-math expression or date string to epoch millis. */
export function resolveDateMath(value: unknown, now: number, roundUp: boolean): number {
  if (typeof value === 'string') {
    const m = DATE_MATH.exec(value) ?? (value.includes('||') ? null : null);
    let base = now;
    let expr = m;
    if (m === null && value.includes('||')) {
      const [anchor, rest] = value.split('||');
      base = parseDate(anchor);
      expr = DATE_MATH.exec(`now${rest ?? ''}`);
    }
    if (expr !== null) {
      const d = new Date(base);
      for (const op of (expr.groups?.ops ?? '').match(/[+-]\d+[yMwdhHms]/g) ?? []) {
        const sign = op.startsWith('-') ? -1 : 1;
        const n = Number(op.slice(1, -1)) * sign;
        addUnit(d, op.slice(-1), n);
      }
      const round = expr.groups?.round;
      if (round !== undefined) roundDate(d, round, roundUp);
      return d.getTime();
    }
  }
  return parseDate(value);
}

function addUnit(d: Date, unit: string, n: number): void {
  switch (unit) {
    case 'y':
      d.setUTCFullYear(d.getUTCFullYear() + n);
      break;
    case 'M':
      d.setUTCMonth(d.getUTCMonth() + n);
      break;
    case 'w':
      d.setUTCDate(d.getUTCDate() + 7 * n);
      break;
    case 'd':
      d.setUTCDate(d.getUTCDate() + n);
      break;
    case 'h':
    case 'H':
      d.setUTCHours(d.getUTCHours() + n);
      break;
    case 'm':
      d.setUTCMinutes(d.getUTCMinutes() + n);
      break;
    default:
      d.setUTCSeconds(d.getUTCSeconds() + n);
  }
}

function roundDate(d: Date, unit: string, up: boolean): void {
  const order = ['y', 'M', 'd', 'h', 'm', 's'];
  const u = unit === 'H' ? 'h' : unit === 'w' ? 'd' : unit;
  const idx = order.indexOf(u);
  if (unit === 'w') {
    const day = (d.getUTCDay() + 6) % 7;
    d.setUTCDate(d.getUTCDate() - day);
  }
  if (idx < 1) d.setUTCMonth(0);
  if (idx < 2) d.setUTCDate(1);
  if (idx < 3) d.setUTCHours(0);
  if (idx < 4) d.setUTCMinutes(0);
  if (idx < 5) d.setUTCSeconds(0);
  d.setUTCMilliseconds(0);
  if (up) {
    addUnit(d, unit, 1);
    d.setTime(d.getTime() - 1);
  }
}

function compileRange(body: unknown, now: number): DocPredicate {
  const [field, spec] = singleField('range', body);
  if (!isPlainObject(spec)) throw parsingError('[range] query malformed, no start_object after query name');
  const known = new Set([
    'gt',
    'gte',
    'lt',
    'lte',
    'from',
    'to',
    'include_lower',
    'include_upper',
    'format',
    'time_zone',
    'boost',
    'relation',
  ]);
  for (const k of Object.keys(spec))
    if (!known.has(k)) throw parsingError(`[range] query does not support [${k}]`);
  const bounds = {
    gt: spec.gt,
    gte: spec.gte ?? (spec.include_lower === false ? undefined : spec.from),
    lt: spec.lt,
    lte: spec.lte ?? (spec.include_upper === false ? undefined : spec.to),
  };
  if (spec.include_lower === false && spec.from !== undefined) bounds.gt = spec.from;
  if (spec.include_upper === false && spec.to !== undefined) bounds.lt = spec.to;
  return (doc, index) => {
    const { resolved, values } = indexedValues(doc, index, field);
    const type = resolved.type;
    if (type === undefined) return false;
    const isDate = type === 'date' || type === 'date_nanos';
    const isNum = NUMERIC_TYPES.has(type);
    const conv = (v: unknown, up: boolean): number | string =>
      isDate ? resolveDateMath(v, now, up) : isNum ? Number(v) : String(v);
    return values.some((raw) => {
      const v = isDate ? parseDate(raw) : isNum ? Number(raw) : String(raw);
      if (bounds.gt !== undefined && bounds.gt !== null && !(v > conv(bounds.gt, true))) return false;
      if (bounds.gte !== undefined && bounds.gte !== null && !(v >= conv(bounds.gte, false))) return false;
      if (bounds.lt !== undefined && bounds.lt !== null && !(v < conv(bounds.lt, false))) return false;
      if (bounds.lte !== undefined && bounds.lte !== null && !(v <= conv(bounds.lte, true))) return false;
      return true;
    });
  };
}

function clauses(value: unknown, now: number): DocPredicate[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((q) => compileQuery(q, now));
}

function compileBool(body: unknown, now: number): DocPredicate {
  if (!isPlainObject(body)) throw parsingError('[bool] query malformed');
  const known = new Set([
    'must',
    'filter',
    'should',
    'must_not',
    'minimum_should_match',
    'boost',
    '_name',
    'adjust_pure_negative',
  ]);
  for (const k of Object.keys(body))
    if (!known.has(k)) throw parsingError(`[bool] query does not support [${k}]`);
  const must = [...clauses(body.must, now), ...clauses(body.filter, now)];
  const should = clauses(body.should, now);
  const mustNot = clauses(body.must_not, now);
  let minShould = must.length === 0 && should.length > 0 ? 1 : 0;
  const msm = body.minimum_should_match;
  if (msm !== undefined) {
    if (typeof msm === 'number') minShould = msm < 0 ? should.length + msm : msm;
    else if (typeof msm === 'string' && /^-?\d+%$/.test(msm)) {
      const pct = Number(msm.slice(0, -1));
      minShould =
        pct < 0
          ? should.length - Math.floor((should.length * -pct) / 100)
          : Math.floor((should.length * pct) / 100);
    } else if (typeof msm === 'string' && /^-?\d+$/.test(msm)) {
      const n = Number(msm);
      minShould = n < 0 ? should.length + n : n;
    } else throw unsupported(`minimum_should_match [${String(msm)}]`);
  }
  return (doc, index) => {
    for (const p of must) if (!p(doc, index)) return false;
    for (const p of mustNot) if (p(doc, index)) return false;
    if (minShould > 0) {
      let n = 0;
      for (const p of should) if (p(doc, index)) n++;
      if (n < minShould) return false;
    }
    return true;
  };
}

function textMatch(
  type: string | undefined,
  value: unknown,
  query: string,
  operator: string,
  phrase: boolean,
): boolean {
  if (type === undefined) return false;
  if (isTextType(type)) {
    if (typeof value !== 'string') return false;
    const tokens = analyze(value);
    const wanted = analyze(query);
    if (wanted.length === 0) return false;
    if (phrase) {
      for (let i = 0; i + wanted.length <= tokens.length; i++) {
        if (wanted.every((w, j) => tokens[i + j] === w)) return true;
      }
      return false;
    }
    return operator === 'and'
      ? wanted.every((w) => tokens.includes(w))
      : wanted.some((w) => tokens.includes(w));
  }
  return termMatches(type, value, query);
}

function compileMatch(body: unknown, phrase: boolean): DocPredicate {
  const [field, spec] = singleField(phrase ? 'match_phrase' : 'match', body);
  const query = isPlainObject(spec) ? spec.query : spec;
  if (query === undefined || isPlainObject(query)) throw parsingError(`[match] query malformed, no query`);
  const operator =
    isPlainObject(spec) && typeof spec.operator === 'string' ? spec.operator.toLowerCase() : 'or';
  return (doc, index) => {
    const { resolved, values } = indexedValues(doc, index, field);
    return values.some((v) => textMatch(resolved.type, v, String(query), operator, phrase));
  };
}

function expandFields(index: IndexData, patterns: readonly string[]): string[] {
  const all: string[] = [];
  const walk = (
    props: Record<string, { type?: string; properties?: Record<string, unknown> }>,
    prefix: string,
  ): void => {
    for (const [k, v] of Object.entries(props)) {
      const full = prefix ? `${prefix}.${k}` : k;
      if (v.properties !== undefined) walk(v.properties as never, full);
      else all.push(full);
    }
  };
  walk(index.mappings.properties as never, '');
  const out: string[] = [];
  for (const p of patterns) {
    const name = p.split('^')[0] ?? p;
    if (!name.includes('*')) {
      out.push(name);
      continue;
    }
    const re = new RegExp(
      `^${name
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    out.push(...all.filter((f) => re.test(f)));
  }
  return out;
}

function compileMultiMatch(body: unknown): DocPredicate {
  if (!isPlainObject(body) || body.query === undefined)
    throw parsingError('[multi_match] requires query value');
  const query = String(body.query);
  const fields = Array.isArray(body.fields) ? body.fields.map(String) : ['*'];
  const operator = typeof body.operator === 'string' ? body.operator.toLowerCase() : 'or';
  const phrase = body.type === 'phrase';
  return (doc, index) =>
    expandFields(index, fields).some((f) => {
      const { resolved, values } = indexedValues(doc, index, f);
      return values.some((v) => textMatch(resolved.type, v, query, operator, phrase));
    });
}

function compilePrefix(body: unknown): DocPredicate {
  const [field, spec] = singleField('prefix', body);
  const value = String(isPlainObject(spec) ? spec.value : spec);
  const ci = isPlainObject(spec) && spec.case_insensitive === true;
  return (doc, index) => {
    const { resolved, values } = indexedValues(doc, index, field);
    return values.some((v) => {
      if (isTextType(resolved.type))
        return typeof v === 'string' && analyze(v).some((t) => t.startsWith(value));
      const s = String(v);
      return ci ? s.toLowerCase().startsWith(value.toLowerCase()) : s.startsWith(value);
    });
  };
}

/** Builds a regex from an Elasticsearch wildcard pattern (`*`, `?`). */
export function wildcardRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const src = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${src}$`, caseInsensitive ? 'is' : 's');
}

function compileWildcard(body: unknown): DocPredicate {
  const [field, spec] = singleField('wildcard', body);
  const value = String(isPlainObject(spec) ? (spec.value ?? spec.wildcard) : spec);
  const re = wildcardRegExp(value, isPlainObject(spec) && spec.case_insensitive === true);
  return (doc, index) => {
    const { resolved, values } = indexedValues(doc, index, field);
    return values.some((v) =>
      isTextType(resolved.type)
        ? typeof v === 'string' && analyze(v).some((t) => re.test(t))
        : re.test(String(v)),
    );
  };
}

/** Minimal `query_string`: whitespace-separated `field:value` / bare terms, `AND`/`OR`/`NOT`, `*` for all. */
function compileQueryString(body: unknown): DocPredicate {
  if (!isPlainObject(body) || typeof body.query !== 'string')
    throw parsingError('[query_string] must be provided with a [query]');
  const defaultFields = Array.isArray(body.fields)
    ? body.fields.map(String)
    : typeof body.default_field === 'string'
      ? [body.default_field]
      : ['*'];
  const defaultAnd =
    typeof body.default_operator === 'string' && body.default_operator.toLowerCase() === 'and';
  return compileLucene(body.query, defaultFields, defaultAnd);
}

/** Compiles the tiny Lucene-syntax subset used by `q=` and `query_string`. */
export function compileLucene(
  query: string,
  defaultFields: readonly string[],
  defaultAnd: boolean,
): DocPredicate {
  const trimmed = query.trim();
  if (trimmed === '*' || trimmed === '*:*' || trimmed === '') return () => true;
  const tokens = trimmed.match(/(?:[^\s"]+:)?"[^"]*"|\S+/g) ?? [];
  const parts: { op: 'and' | 'or' | 'not'; pred: DocPredicate }[] = [];
  let nextOp: 'and' | 'or' | 'not' = defaultAnd ? 'and' : 'or';
  for (const token of tokens) {
    if (token === 'AND' || token === '&&') {
      const previous = parts[parts.length - 1];
      if (previous !== undefined && previous.op === 'or') previous.op = 'and';
      nextOp = 'and';
      continue;
    }
    if (token === 'OR' || token === '||') {
      nextOp = 'or';
      continue;
    }
    if (token === 'NOT') {
      nextOp = 'not';
      continue;
    }
    let t = token;
    let op = nextOp;
    if (t.startsWith('-') || t.startsWith('!')) {
      op = 'not';
      t = t.slice(1);
    } else if (t.startsWith('+')) {
      op = 'and';
      t = t.slice(1);
    }
    const colon = t.search(/:(?!\/)/);
    const fields = colon > 0 ? [t.slice(0, colon)] : defaultFields;
    let value = colon > 0 ? t.slice(colon + 1) : t;
    const phrase = value.startsWith('"') && value.endsWith('"') && value.length >= 2;
    if (phrase) value = value.slice(1, -1);
    const isWildcard = !phrase && /[*?]/.test(value);
    const re = isWildcard ? wildcardRegExp(value, true) : undefined;
    parts.push({
      op,
      pred: (doc, index) =>
        expandFields(index, fields).some((f) => {
          const { resolved, values } = indexedValues(doc, index, f);
          if (re !== undefined) {
            return values.some((v) =>
              isTextType(resolved.type)
                ? typeof v === 'string' && analyze(v).some((x) => re.test(x))
                : re.test(String(v)),
            );
          }
          return values.some((v) => textMatch(resolved.type, v, value, 'and', phrase));
        }) ||
        (fields.includes('_id') && doc.id === value),
    });
    nextOp = defaultAnd ? 'and' : 'or';
  }
  const must = parts.filter((p) => p.op === 'and').map((p) => p.pred);
  const should = parts.filter((p) => p.op === 'or').map((p) => p.pred);
  const not = parts.filter((p) => p.op === 'not').map((p) => p.pred);
  return (doc, index) =>
    must.every((p) => p(doc, index)) &&
    !not.some((p) => p(doc, index)) &&
    (should.length === 0 || must.length > 0 || should.some((p) => p(doc, index)));
}

/** The item-level error cause for a search-phase failure (sort errors etc.). */
export function searchPhaseError(
  status: number,
  index: string,
  rootType: string,
  reason: string,
): EsHttpError {
  const root = errorCause(rootType, reason);
  return esError(
    status,
    'search_phase_execution_exception',
    'all shards failed',
    {
      phase: 'query',
      grouped: true,
      failed_shards: [{ shard: 0, index, node: 'fake-node-0', reason: root }],
    },
    root,
  );
}
