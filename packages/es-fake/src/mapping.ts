import { esError, errorCause, type EsErrorCause } from './es-error.js';

/** A field mapping (subset of what Elasticsearch stores). */
export interface FieldMapping {
  type?: string;
  properties?: Record<string, FieldMapping>;
  fields?: Record<string, FieldMapping>;
  dynamic?: boolean | string;
  [key: string]: unknown;
}

/** Mappings of one index. */
export interface IndexMappings {
  dynamic?: boolean | string;
  properties: Record<string, FieldMapping>;
  _meta?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Field types the fake knows; anything else is rejected at mapping time like an unknown type. */
const KNOWN_TYPES = new Set([
  'text',
  'keyword',
  'constant_keyword',
  'wildcard',
  'match_only_text',
  'long',
  'integer',
  'short',
  'byte',
  'double',
  'float',
  'half_float',
  'scaled_float',
  'unsigned_long',
  'boolean',
  'date',
  'date_nanos',
  'object',
  'nested',
  'flattened',
  'binary',
  'ip',
  'version',
  'dense_vector',
  'sparse_vector',
  'semantic_text',
  'rank_feature',
  'rank_features',
  'alias',
  'search_as_you_type',
  'completion',
  'geo_point',
  'geo_shape',
  'point',
  'shape',
  'integer_range',
  'long_range',
  'float_range',
  'double_range',
  'date_range',
  'ip_range',
  'histogram',
  'join',
  'percolator',
  'token_count',
]);

/** Numeric field types. */
export const NUMERIC_TYPES = new Set([
  'long',
  'integer',
  'short',
  'byte',
  'double',
  'float',
  'half_float',
  'scaled_float',
  'unsigned_long',
  'token_count',
]);

const INTEGER_TYPES = new Set(['long', 'integer', 'short', 'byte', 'unsigned_long']);
const TEXTUAL_TYPES = new Set(['text', 'match_only_text', 'search_as_you_type']);

/** Validates a mapping definition (throws 400 `mapper_parsing_exception`). */
export function validateMappingDefinition(properties: unknown, path = ''): void {
  if (properties === undefined) return;
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
    throw esError(
      400,
      'mapper_parsing_exception',
      `Expected map for property [properties] on field [${path || '_doc'}]`,
    );
  }
  for (const [name, def] of Object.entries(properties as Record<string, unknown>)) {
    const full = path ? `${path}.${name}` : name;
    if (typeof def !== 'object' || def === null || Array.isArray(def)) {
      throw esError(
        400,
        'mapper_parsing_exception',
        `Expected map for property [fields] on field [${full}] but got a class java.lang.String`,
      );
    }
    const d = def as FieldMapping;
    const type = d.type ?? (d.properties !== undefined ? 'object' : 'object');
    if (!KNOWN_TYPES.has(type)) {
      throw esError(
        400,
        'mapper_parsing_exception',
        `No handler for type [${type}] declared on field [${full}]`,
      );
    }
    if (d.properties !== undefined) validateMappingDefinition(d.properties, full);
    if (d.fields !== undefined) validateMappingDefinition(d.fields, full);
  }
}

/** Merges `incoming` properties into `target` (put-mapping / index create); type changes are 400. */
export function mergeProperties(
  target: Record<string, FieldMapping>,
  incoming: Record<string, FieldMapping>,
  path = '',
): void {
  for (const [name, def] of Object.entries(incoming)) {
    const full = path ? `${path}.${name}` : name;
    const existing = target[name];
    if (existing === undefined) {
      target[name] = structuredClone(def);
      continue;
    }
    const a = existing.type ?? 'object';
    const b = def.type ?? 'object';
    if (a !== b) {
      throw esError(
        400,
        'illegal_argument_exception',
        `mapper [${full}] cannot be changed from type [${a}] to [${b}]`,
      );
    }
    for (const [k, v] of Object.entries(def)) {
      if (k === 'properties' || k === 'fields') continue;
      existing[k] = structuredClone(v);
    }
    if (def.properties !== undefined) mergeProperties((existing.properties ??= {}), def.properties, full);
    if (def.fields !== undefined) mergeProperties((existing.fields ??= {}), def.fields, full);
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const SLASH_DATE = /^\d{4}\/\d{2}\/\d{2}(?: \d{2}:\d{2}:\d{2})?(?: [+-]\d{4})?$/;

/** Whether a string would be detected as a date by the default `dynamic_date_formats`. */
export function looksLikeDate(value: string): boolean {
  return (ISO_DATE.test(value) || SLASH_DATE.test(value)) && !Number.isNaN(parseDate(value));
}

/** Parses an ISO-8601 / `yyyy/MM/dd` / epoch-millis date to epoch millis (NaN when unparseable). */
export function parseDate(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return Number.NaN;
  if (/^-?\d+$/.test(value)) return Number(value);
  if (SLASH_DATE.test(value)) {
    const m = /^(\d{4})\/(\d{2})\/(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?(?: ([+-])(\d{2})(\d{2}))?$/.exec(
      value,
    );
    if (m === null) return Number.NaN;
    const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}${m[7] !== undefined ? `${m[7]}${m[8]}:${m[9]}` : 'Z'}`;
    return Date.parse(iso);
  }
  if (!ISO_DATE.test(value)) return Number.NaN;
  const normalized =
    value.length === 10 ? `${value}T00:00:00Z` : /[Zz]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`;
  return Date.parse(normalized.replace(' ', 'T'));
}

/** Result of applying a document to the mappings: the new fields to add (dynamic mapping), or an error. */
export type MappingOutcome =
  | { readonly ok: true; readonly changed: boolean }
  | { readonly ok: false; readonly status: number; readonly error: EsErrorCause };

/**
 * Checks a document against the mappings, coercing nothing (the source is stored as sent) and adding
 * dynamically mapped fields in place. Returns an item-level error cause on failure.
 */
export function applyDocument(
  mappings: IndexMappings,
  source: Record<string, unknown>,
  id: string,
): MappingOutcome {
  const added: [Record<string, FieldMapping>, string, FieldMapping][] = [];
  activeTemplates = Array.isArray(mappings.dynamic_templates)
    ? (mappings.dynamic_templates as unknown[])
    : [];
  let error: EsErrorCause | undefined;
  try {
    error = walkObject(mappings.properties, source, '', mappings.dynamic ?? true, id, added);
  } finally {
    activeTemplates = [];
  }
  if (error !== undefined) return { ok: false, status: 400, error };
  for (const [target, name, def] of added) mergeProperties(target, { [name]: def });
  return { ok: true, changed: added.length > 0 };
}

function walkObject(
  properties: Record<string, FieldMapping>,
  obj: Record<string, unknown>,
  path: string,
  dynamic: boolean | string,
  id: string,
  added: [Record<string, FieldMapping>, string, FieldMapping][],
): EsErrorCause | undefined {
  for (const [key, value] of Object.entries(obj)) {
    const full = path ? `${path}.${key}` : key;
    if (key === '') {
      return errorCause('document_parsing_exception', `[1:2] field name cannot be an empty string`);
    }
    const existing = properties[key];
    if (existing === undefined) {
      if (value === null || (Array.isArray(value) && value.every((v) => v === null))) continue;
      if (dynamic === 'strict' || dynamic === 'strict_allow_templates') {
        return errorCause(
          'strict_dynamic_mapping_exception',
          `[1:2] mapping set to strict, dynamic introduction of [${key}] within [${path || '_doc'}] is not allowed`,
        );
      }
      if (dynamic === false || dynamic === 'false') continue;
      const def = templateMapping(value, key, full) ?? dynamicMapping(value);
      if (def === undefined) continue;
      added.push([properties, key, def]);
      if (def.properties !== undefined) {
        const sub = firstObject(value);
        if (sub !== undefined) {
          // `def` is not in the mappings yet: map its children into it right away.
          const local: [Record<string, FieldMapping>, string, FieldMapping][] = [];
          const err = walkObject(def.properties, sub, full, dynamic, id, local);
          if (err !== undefined) return err;
          for (const [target, name, child] of local) mergeProperties(target, { [name]: child });
        }
      }
      continue;
    }
    const err = checkValue(existing, value, full, dynamic, id, added);
    if (err !== undefined) return err;
  }
  return undefined;
}

function firstObject(value: unknown): Record<string, unknown> | undefined {
  if (Array.isArray(value)) {
    const merged: Record<string, unknown> = {};
    for (const v of value) if (isPlainObject(v)) Object.assign(merged, v);
    return merged;
  }
  return isPlainObject(value) ? value : undefined;
}

/** Whether `v` is a JSON object (not an array, not null). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkValue(
  def: FieldMapping,
  value: unknown,
  full: string,
  dynamic: boolean | string,
  id: string,
  added: [Record<string, FieldMapping>, string, FieldMapping][],
): EsErrorCause | undefined {
  if (value === null || def.enabled === false) return undefined;
  if (Array.isArray(value)) {
    for (const v of value) {
      const err = checkValue(def, v, full, dynamic, id, added);
      if (err !== undefined) return err;
    }
    return undefined;
  }
  const type = def.type ?? 'object';
  if (type === 'object' || type === 'nested') {
    if (!isPlainObject(value)) {
      return parseFailure(
        full,
        type,
        id,
        value,
        `Tried to parse field [${full}] as object, but found a concrete value`,
      );
    }
    const childDynamic = def.dynamic ?? dynamic;
    return walkObject((def.properties ??= {}), value, full, childDynamic, id, added);
  }
  if (type === 'flattened' || type === 'binary' || type === 'dense_vector' || type === 'sparse_vector')
    return undefined;
  if (isPlainObject(value)) {
    return parseFailure(full, type, id, value, `Can't get text on a START_OBJECT`);
  }
  if (NUMERIC_TYPES.has(type)) {
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && value.trim() !== ''
          ? Number(value)
          : Number.NaN;
    if (typeof value === 'boolean' || Number.isNaN(n)) {
      return parseFailure(
        full,
        type,
        id,
        value,
        `For input string: "${String(value)}"`,
        'number_format_exception',
      );
    }
    if (INTEGER_TYPES.has(type) && !Number.isInteger(n) && typeof value === 'string') {
      return parseFailure(
        full,
        type,
        id,
        value,
        `For input string: "${String(value)}"`,
        'number_format_exception',
      );
    }
    return undefined;
  }
  if (type === 'boolean') {
    if (value === true || value === false || value === 'true' || value === 'false' || value === '')
      return undefined;
    return parseFailure(
      full,
      type,
      id,
      value,
      `Failed to parse value [${String(value)}] as only [true] or [false] are allowed.`,
    );
  }
  if (type === 'date' || type === 'date_nanos') {
    if (Number.isNaN(parseDate(value))) {
      return parseFailure(
        full,
        type,
        id,
        value,
        `failed to parse date field [${String(value)}] with format [strict_date_optional_time||epoch_millis]`,
      );
    }
  }
  return undefined;
}

function parseFailure(
  field: string,
  type: string,
  id: string,
  value: unknown,
  cause: string,
  causeType = 'illegal_argument_exception',
): EsErrorCause {
  const preview = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return errorCause(
    'document_parsing_exception',
    `[1:2] failed to parse field [${field}] of type [${type}] in document with id '${id}'. Preview of field's value: '${preview}'`,
    {},
    errorCause(causeType, cause),
  );
}

/** `dynamic_templates` of the index being written (set for the duration of one synchronous `applyDocument`). */
let activeTemplates: unknown[] = [];

/** The JSON type name `match_mapping_type` compares against. */
function detectedType(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    const first = value.find((v) => v !== null);
    return first === undefined ? undefined : detectedType(first);
  }
  if (typeof value === 'string') return looksLikeDate(value) ? 'date' : 'string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'long' : 'double';
  if (typeof value === 'boolean') return 'boolean';
  if (isPlainObject(value)) return 'object';
  return undefined;
}

const DEFAULT_TYPE: Readonly<Record<string, string>> = {
  string: 'text',
  long: 'long',
  double: 'float',
  boolean: 'boolean',
  date: 'date',
  object: 'object',
};

function anyMatch(patterns: unknown, text: string, regex: boolean): boolean | undefined {
  if (patterns === undefined) return undefined;
  const list = Array.isArray(patterns) ? patterns.map(String) : [String(patterns)];
  return list.some((p) => (regex ? new RegExp(p).test(text) : wildcardToRegExp(p).test(text)));
}

function wildcardToRegExp(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

function substitute(node: unknown, name: string, dynamicType: string): unknown {
  if (typeof node === 'string')
    return node.replaceAll('{name}', name).replaceAll('{dynamic_type}', dynamicType);
  if (Array.isArray(node)) return node.map((n) => substitute(n, name, dynamicType));
  if (isPlainObject(node))
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, substitute(v, name, dynamicType)]));
  return node;
}

/** The mapping of the first matching dynamic template for a new field, if any. */
function templateMapping(value: unknown, key: string, fullPath: string): FieldMapping | undefined {
  const type = detectedType(value);
  if (type === undefined) return undefined;
  for (const entry of activeTemplates) {
    if (!isPlainObject(entry)) continue;
    const tpl = Object.values(entry)[0];
    if (!isPlainObject(tpl) || !isPlainObject(tpl.mapping)) continue;
    const regex = tpl.match_pattern === 'regex';
    const mmt = tpl.match_mapping_type;
    if (
      mmt !== undefined &&
      !(Array.isArray(mmt) ? mmt.map(String) : [String(mmt)]).some((t) => t === '*' || t === type)
    )
      continue;
    if (anyMatch(tpl.match, key, regex) === false || anyMatch(tpl.unmatch, key, regex) === true) continue;
    if (
      anyMatch(tpl.path_match, fullPath, false) === false ||
      anyMatch(tpl.path_unmatch, fullPath, false) === true
    )
      continue;
    const mapping = substitute(structuredClone(tpl.mapping), key, DEFAULT_TYPE[type] ?? type) as FieldMapping;
    if (mapping.type === undefined) {
      if (type === 'object') mapping.properties ??= {};
      else mapping.type = DEFAULT_TYPE[type] ?? type;
    }
    if ((mapping.type === 'object' || mapping.type === 'nested') && mapping.properties === undefined)
      mapping.properties = {};
    return mapping;
  }
  return undefined;
}

/** The dynamic mapping Elasticsearch would create for a JSON value. */
export function dynamicMapping(value: unknown): FieldMapping | undefined {
  if (Array.isArray(value)) {
    const first = value.find((v) => v !== null);
    return first === undefined ? undefined : dynamicMapping(first);
  }
  if (typeof value === 'string') {
    if (looksLikeDate(value)) return { type: 'date' };
    return { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };
  }
  if (typeof value === 'number') return Number.isInteger(value) ? { type: 'long' } : { type: 'float' };
  if (typeof value === 'boolean') return { type: 'boolean' };
  if (isPlainObject(value)) return { properties: {} };
  return undefined;
}

/** How a (possibly dotted, possibly multi-field) field name resolves against the mappings. */
export interface ResolvedField {
  /** Mapping type (`text`, `keyword`, `long`, ...), or `undefined` when unmapped. */
  readonly type: string | undefined;
  /** Path in `_source` holding the values (a multi-field reads its parent's values). */
  readonly sourcePath: readonly string[];
  /** `ignore_above` of a keyword field. */
  readonly ignoreAbove?: number;
}

/** Resolves `name` (e.g. `title.keyword`, `a.b`) to its mapping type and source path. */
export function resolveField(mappings: IndexMappings, name: string): ResolvedField {
  const segs = name.split('.');
  let props: Record<string, FieldMapping> | undefined = mappings.properties;
  const sourcePath: string[] = [];
  let current: FieldMapping | undefined;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i] ?? '';
    if (props !== undefined && props[seg] !== undefined) {
      current = props[seg];
      sourcePath.push(seg);
      props = current.properties;
      continue;
    }
    if (
      current !== undefined &&
      current.fields !== undefined &&
      current.fields[seg] !== undefined &&
      i === segs.length - 1
    ) {
      const sub = current.fields[seg];
      const ignoreAbove = typeof sub.ignore_above === 'number' ? sub.ignore_above : undefined;
      return { type: sub.type, sourcePath, ...(ignoreAbove !== undefined ? { ignoreAbove } : {}) };
    }
    return { type: undefined, sourcePath: segs };
  }
  const type = current === undefined ? undefined : (current.type ?? 'object');
  const ignoreAbove =
    current !== undefined && typeof current.ignore_above === 'number' ? current.ignore_above : undefined;
  return { type, sourcePath, ...(ignoreAbove !== undefined ? { ignoreAbove } : {}) };
}

/** Whether a type is analyzed text. */
export function isTextType(type: string | undefined): boolean {
  return type !== undefined && TEXTUAL_TYPES.has(type);
}

/** Standard-analyzer approximation: Unicode word split + lowercase. */
export function analyze(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_]+(?:['.][\p{L}\p{N}_]+)*/gu) ?? [];
}

/** Collects the values at `path` in a source document (arrays flattened). */
export function valuesAt(source: unknown, path: readonly string[]): unknown[] {
  const out: unknown[] = [];
  collect(source, path, 0, out);
  return out;
}

function collect(node: unknown, path: readonly string[], i: number, out: unknown[]): void {
  if (Array.isArray(node)) {
    for (const n of node) collect(n, path, i, out);
    return;
  }
  if (i === path.length) {
    if (node !== null && node !== undefined) out.push(node);
    return;
  }
  if (!isPlainObject(node)) return;
  const seg = path[i] ?? '';
  if (seg in node) collect(node[seg], path, i + 1, out);
  // Dotted keys in the source (`{"a.b": 1}`) map to the same field as nested objects.
  for (let j = i + 2; j <= path.length; j++) {
    const dotted = path.slice(i, j).join('.');
    if (dotted in node) collect(node[dotted], path, j, out);
  }
}
