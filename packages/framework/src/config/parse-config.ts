import { ConfigError } from '../errors/config-error.js';
import type { ConfigField, ConfigFields, ConfigOf, FieldValidation } from './config-field.js';

/** Options of {@link parseConfig}. */
export interface ParseConfigOptions {
  /** Source id used to prefix the error message, e.g. `dropbox`. */
  readonly source?: string;
  /** Reject keys that are not declared (config.yml); Kibana records may carry extra keys. @default true */
  readonly strict?: boolean;
  /** Path prefix for issue messages, e.g. `connectors[0].configuration`. */
  readonly path?: string;
}

function isEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  );
}

type Coerced = { ok: true; value: unknown } | { ok: false; problem: string };

/** Coerces a raw value to the field's type (spec 2.3 `Field._convert`, minus its bool bug). */
export function coerceFieldValue(field: Pick<ConfigField, 'type'>, value: unknown): Coerced {
  switch (field.type) {
    case 'str':
      if (typeof value === 'string') return { ok: true, value };
      if (typeof value === 'number' || typeof value === 'boolean') return { ok: true, value: String(value) };
      return { ok: false, problem: `must be a string, got ${describe(value)}` };
    case 'int': {
      if (typeof value === 'number' && Number.isInteger(value)) return { ok: true, value };
      if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value))
        return { ok: true, value: Number.parseInt(value, 10) };
      return { ok: false, problem: `must be an integer, got ${describe(value)}` };
    }
    case 'bool':
      if (typeof value === 'boolean') return { ok: true, value };
      if (value === 'true' || value === 'false') return { ok: true, value: value === 'true' };
      return { ok: false, problem: `must be true or false, got ${describe(value)}` };
    case 'list': {
      if (Array.isArray(value)) {
        const items = value.map((item) => (typeof item === 'string' ? item.trim() : item));
        if (items.some((item) => typeof item !== 'string' && typeof item !== 'number')) {
          return { ok: false, problem: 'must be a list of strings' };
        }
        return { ok: true, value: items.map(String).filter((item) => item !== '') };
      }
      if (typeof value === 'string') {
        return {
          ok: true,
          value: value
            .split(',')
            .map((item) => item.trim())
            .filter((item) => item !== ''),
        };
      }
      if (typeof value === 'number' || typeof value === 'boolean')
        return { ok: true, value: [String(value)] };
      return { ok: false, problem: `must be a list or a comma-separated string, got ${describe(value)}` };
    }
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : typeof value;
}

function checkValidation(validation: FieldValidation, value: unknown): string | undefined {
  const values = Array.isArray(value) ? value : [value];
  switch (validation.type) {
    case 'less_than':
      return typeof value === 'number' && !(value < validation.constraint)
        ? `must be less than ${validation.constraint}`
        : undefined;
    case 'greater_than':
      return typeof value === 'number' && !(value > validation.constraint)
        ? `must be greater than ${validation.constraint}`
        : undefined;
    case 'list_type':
      return values.every((item) =>
        validation.constraint === 'int' ? /^[-+]?\d+$/.test(String(item)) : typeof item === 'string',
      )
        ? undefined
        : `every item must be of type ${validation.constraint}`;
    case 'included_in': {
      const allowed = validation.constraint.map(String);
      const bad = values.filter((item) => !allowed.includes(String(item)));
      return bad.length ? `${bad.map(String).join(', ')} not in [${allowed.join(', ')}]` : undefined;
    }
    case 'regex':
      return typeof value === 'string' && !new RegExp(`^(?:${validation.constraint})$`).test(value)
        ? `must match ${validation.constraint}`
        : undefined;
  }
}

/**
 * Validates and coerces raw configuration values against field declarations. Every problem is collected and
 * reported at once in a ConfigError, each naming its field; sensitive values never appear in messages.
 * @example
 * const config = parseConfig(dropboxFields, { app_key: 'k', app_secret: 's', refresh_token: 't' }, { source: 'dropbox' });
 */
export function parseConfig<F extends ConfigFields>(
  fields: F,
  values: Readonly<Record<string, unknown>>,
  options: ParseConfigOptions = {},
): ConfigOf<F> {
  const issues: string[] = [];
  const out: Record<string, unknown> = {};
  const prefix = options.path ? `${options.path}.` : '';
  const coerced: Record<string, unknown> = {};

  if (options.strict ?? true) {
    for (const key of Object.keys(values)) {
      if (!(key in fields))
        issues.push(`${prefix}${key}: unknown field (known: ${Object.keys(fields).join(', ')})`);
    }
  }

  // First pass: coerce every present value so dependencies compare typed values.
  for (const [key, declaration] of Object.entries(fields)) {
    const raw = values[key];
    if (isEmpty(raw)) continue;
    const result = coerceFieldValue(declaration, raw);
    if (result.ok) coerced[key] = result.value;
    else issues.push(`${prefix}${key} ('${declaration.label}'): ${result.problem}`);
  }

  for (const [key, declaration] of Object.entries(fields)) {
    const active = declaration.dependsOn.every((dependency) => {
      if (!(dependency.field in fields)) {
        issues.push(`${prefix}${key}: depends on unknown field '${dependency.field}'`);
        return false;
      }
      const current = coerced[dependency.field] ?? fields[dependency.field]?.defaultValue;
      return current === dependency.value;
    });
    const value = coerced[key];
    if (value === undefined || isEmpty(value)) {
      const alreadyReported = issues.some((issue) => issue.startsWith(`${prefix}${key} `));
      if (active && declaration.required && declaration.defaultValue === null && !alreadyReported) {
        issues.push(`${prefix}${key} ('${declaration.label}'): cannot be empty`);
      }
      out[key] = declaration.defaultValue ?? (declaration.type === 'list' ? [] : undefined);
      continue;
    }
    out[key] = value;
    if (!active) continue;
    for (const validation of declaration.validations) {
      const problem = checkValidation(validation, value);
      // The value of a sensitive field is never echoed, not even in a validation message.
      if (problem) {
        issues.push(
          `${prefix}${key} ('${declaration.label}'): ${declaration.sensitive ? `does not pass the ${validation.type} check` : problem}`,
        );
      }
    }
  }

  if (issues.length > 0) {
    throw new ConfigError(`${options.source ? `[${options.source}] ` : ''}Invalid configuration`, issues);
  }
  return out as ConfigOf<F>;
}

/** The values of sensitive fields (to register as secrets so no log or error shows them). */
export function sensitiveValues(fields: ConfigFields, values: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(fields)
    .filter(
      ([key, declaration]) => declaration.sensitive && values[key] !== undefined && values[key] !== null,
    )
    .map(([key]) => String(values[key]));
}

/** A copy of `values` with sensitive fields replaced by `********` (for printing configuration). */
export function maskConfig(
  fields: ConfigFields,
  values: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [
      key,
      fields[key]?.sensitive && !isEmpty(value) ? '********' : value,
    ]),
  );
}
