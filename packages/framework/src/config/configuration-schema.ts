import type { ConfigurationEntry } from '../control-plane/records.js';
import type { JsonValue } from '../document/json.js';
import type { ConfigFields } from './config-field.js';

function toStoredValue(value: unknown): JsonValue {
  if (Array.isArray(value)) return value.map(String).join(',');
  if (value === undefined) return null;
  return value as JsonValue;
}

/**
 * The Kibana `configuration` map of a source (spec 2.3): every one of the standard properties filled, values
 * set to the defaults or to `values` (lists stored comma-separated, as the Connector API requires).
 */
export function toConfigurationSchema(
  fields: ConfigFields,
  /** Values to store instead of the defaults (raw, as in config.yml); keys the fields lack are ignored. */
  values: Readonly<Record<string, unknown>> = {},
): Record<string, ConfigurationEntry> {
  const out: Record<string, ConfigurationEntry> = {};
  for (const [key, field] of Object.entries(fields)) {
    const entry: ConfigurationEntry = {
      label: field.label,
      display: field.display,
      type: field.type,
      value:
        field.defaultValue === null
          ? field.type === 'str' || field.type === 'list'
            ? ''
            : null
          : toStoredValue(field.defaultValue),
      default_value: field.defaultValue === null ? null : toStoredValue(field.defaultValue),
      required: field.required,
      sensitive: field.sensitive,
      order: field.order,
      depends_on: field.dependsOn.map((dependency) => ({ field: dependency.field, value: dependency.value })),
      validations: field.validations.map((validation) => ({
        type: validation.type,
        constraint: validation.constraint as JsonValue,
      })),
      tooltip: field.tooltip,
      ui_restrictions: [...field.uiRestrictions],
    };
    if (key in values) entry.value = toStoredValue(values[key]);
    // Kibana expects every standard property, `options` included (empty unless a dropdown).
    entry.options = field.options.map((option) => ({ ...option }));
    if (field.placeholder !== undefined) entry.placeholder = field.placeholder;
    out[key] = entry;
  }
  return out;
}

/** The raw values of a stored configuration map (what {@link parseConfig} takes). */
export function configValuesFromEntries(
  entries: Readonly<Record<string, Pick<ConfigurationEntry, 'value'> | undefined>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(entries)) {
    if (entry && typeof entry === 'object' && 'value' in entry) out[key] = entry.value;
  }
  return out;
}
