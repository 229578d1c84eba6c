import type { JsonObject, JsonValue } from '@connectors/framework';

/** One advanced rule: a `files/search_v2` argument (spec 10.1). */
export interface DropboxAdvancedRule {
  readonly query: string;
  readonly options?: JsonObject;
  readonly match_field_options?: JsonObject;
}

const RULE_KEYS = new Set(['query', 'options', 'match_field_options']);
const TAG_OPTIONS = ['order_by', 'file_status'] as const;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/**
 * Validates advanced rules against the spec's schema (an array of `{query, options?, match_field_options?}`)
 * and normalises them for `files/search_v2`: `max_results` becomes a number (the reference typed it as a
 * string, which Dropbox rejects), union options given as strings become `{".tag": …}`. Every problem is
 * reported with its rule index. `{}` and `[]` mean "no rules".
 */
export function parseAdvancedRules(value: JsonValue | undefined): {
  readonly rules: DropboxAdvancedRule[];
  readonly errors: string[];
} {
  if (value === undefined || value === null) return { rules: [], errors: [] };
  if (isObject(value) && Object.keys(value).length === 0) return { rules: [], errors: [] };
  if (!Array.isArray(value))
    return { rules: [], errors: ['advanced rules must be an array of rule objects'] };
  const errors: string[] = [];
  const rules: DropboxAdvancedRule[] = [];
  value.forEach((raw, index) => {
    const at = `rule ${index}`;
    if (!isObject(raw)) {
      errors.push(`${at}: must be an object`);
      return;
    }
    for (const key of Object.keys(raw)) {
      if (!RULE_KEYS.has(key))
        errors.push(`${at}: unknown property "${key}" (allowed: query, options, match_field_options)`);
    }
    if (!nonEmptyString(raw.query)) errors.push(`${at}: "query" is required and must be a non-empty string`);
    if (raw.match_field_options !== undefined && !isObject(raw.match_field_options)) {
      errors.push(`${at}: "match_field_options" must be an object`);
    }
    const options: JsonObject = {};
    if (raw.options !== undefined) {
      if (!isObject(raw.options)) {
        errors.push(`${at}: "options" must be an object`);
      } else {
        Object.assign(options, raw.options);
        const o = raw.options;
        for (const key of ['path', 'account_id'] as const) {
          if (o[key] !== undefined && !nonEmptyString(o[key]))
            errors.push(`${at}: options.${key} must be a non-empty string`);
        }
        if (o.max_results !== undefined) {
          const n = typeof o.max_results === 'string' ? Number(o.max_results) : o.max_results;
          if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1000) {
            errors.push(`${at}: options.max_results must be an integer between 1 and 1000`);
          } else {
            options.max_results = n;
          }
        }
        for (const key of TAG_OPTIONS) {
          const v = o[key];
          if (v === undefined) continue;
          if (nonEmptyString(v)) options[key] = { '.tag': v };
          else if (!isObject(v) || !nonEmptyString(v['.tag']))
            errors.push(`${at}: options.${key} must be {".tag": "…"}`);
        }
        if (o.file_extensions !== undefined) {
          if (
            !Array.isArray(o.file_extensions) ||
            o.file_extensions.length === 0 ||
            !o.file_extensions.every(nonEmptyString)
          ) {
            errors.push(
              `${at}: options.file_extensions must be a non-empty array of strings (extensions without a dot)`,
            );
          } else {
            options.file_extensions = o.file_extensions.map((e) => (e as string).replace(/^\./, ''));
          }
        }
        if (o.file_categories !== undefined) {
          if (
            !Array.isArray(o.file_categories) ||
            o.file_categories.length === 0 ||
            !o.file_categories.every((c) => nonEmptyString(c) || (isObject(c) && nonEmptyString(c['.tag'])))
          ) {
            errors.push(`${at}: options.file_categories must be a non-empty array of {".tag": "…"}`);
          } else {
            options.file_categories = o.file_categories.map((c) =>
              typeof c === 'string' ? { '.tag': c } : c,
            );
          }
        }
      }
    }
    if (nonEmptyString(raw.query)) {
      rules.push({
        query: raw.query,
        ...(raw.options !== undefined ? { options } : {}),
        ...(isObject(raw.match_field_options) ? { match_field_options: raw.match_field_options } : {}),
      });
    }
  });
  return { rules: errors.length ? [] : rules, errors };
}
