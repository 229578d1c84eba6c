import type {
  ConfigurationEntry,
  ConnectorDoc,
  ConnectorFeatures,
  JsonValue,
  SourceCapabilities,
} from '@connectors/framework';

/** The 13 standard properties of a configuration entry (spec framework 2.3). */
const STANDARD_PROPERTIES = [
  'label',
  'display',
  'type',
  'value',
  'default_value',
  'required',
  'sensitive',
  'order',
  'depends_on',
  'validations',
  'tooltip',
  'ui_restrictions',
  'options',
] as const;

/** `schema` with every one of the 13 standard properties present in every entry (Kibana expects them all). */
export function withStandardProperties(
  schema: Readonly<Record<string, ConfigurationEntry>>,
): Record<string, ConfigurationEntry> {
  const out: Record<string, ConfigurationEntry> = {};
  for (const [key, entry] of Object.entries(schema)) {
    const filled: Record<string, unknown> = { ...entry };
    for (const property of STANDARD_PROPERTIES) {
      if (filled[property] === undefined) filled[property] = defaultFor(property);
    }
    out[key] = filled as unknown as ConfigurationEntry;
  }
  return out;
}

/** The `features` map Kibana reads, from a source's capability flags (spec framework 2.4). */
export function toConnectorFeatures(capabilities: SourceCapabilities): ConnectorFeatures {
  return {
    sync_rules: {
      basic: { enabled: capabilities.basicRules ?? true },
      advanced: { enabled: capabilities.advancedRules },
    },
    document_level_security: { enabled: capabilities.accessControl },
    incremental_sync: { enabled: capabilities.incrementalSync },
    native_connector_api_keys: { enabled: false },
  };
}

/**
 * What the service writes to a connector on first contact or after a source upgrade (spec framework 2.3
 * "Schema registration/upgrade"), or undefined when nothing changes:
 * - empty `configuration` → the full default schema and `status: needs_configuration`;
 * - default keys missing → added, and every other property of existing fields refreshed to the defaults,
 *   values kept;
 * - stored fields lacking a standard property → the property filled from the defaults;
 * - no `service_type` → `serviceType`;
 * - `features` differing from the source's → overwritten (for `is_native` connectors only missing
 *   top-level keys are added).
 * A value a user entered is never replaced.
 */
export function planConnectorPreparation(
  doc: ConnectorDoc,
  schema: Readonly<Record<string, ConfigurationEntry>>,
  features: ConnectorFeatures,
  serviceType: string,
): Partial<ConnectorDoc> | undefined {
  schema = withStandardProperties(schema);
  const patch: Partial<ConnectorDoc> = {};
  const stored: Record<string, ConfigurationEntry> = isObject(doc.configuration) ? doc.configuration : {};
  if (Object.keys(stored).length === 0) {
    patch.configuration = structuredClone({ ...schema });
    patch.status = 'needs_configuration';
  } else {
    const missing = Object.keys(schema).filter((key) => !(key in stored));
    const next: Record<string, ConfigurationEntry> = {};
    let changed = false;
    for (const [key, entry] of Object.entries(stored)) {
      const defaults = schema[key];
      if (!defaults || !isObject(entry as unknown)) {
        next[key] = entry;
        continue;
      }
      if (missing.length) {
        const refreshed = {
          ...structuredClone(defaults),
          value: 'value' in entry ? entry.value : defaults.value,
        };
        if (!sameJson(refreshed, entry)) changed = true;
        next[key] = refreshed;
        continue;
      }
      const filled: Record<string, unknown> = { ...entry };
      for (const property of STANDARD_PROPERTIES) {
        if (!(property in filled)) {
          const fallback = (defaults as unknown as Record<string, unknown>)[property];
          filled[property] = fallback === undefined ? defaultFor(property) : structuredClone(fallback);
          changed = true;
        }
      }
      next[key] = filled as unknown as ConfigurationEntry;
    }
    for (const key of missing) {
      const defaults = schema[key];
      if (defaults) next[key] = structuredClone(defaults);
      changed = true;
    }
    if (changed) patch.configuration = next;
  }
  if (!doc.service_type) patch.service_type = serviceType;
  if (doc.is_native) {
    const current: ConnectorFeatures = isObject(doc.features as unknown) ? doc.features : {};
    const merged: ConnectorFeatures = { ...current };
    let added = false;
    for (const [key, value] of Object.entries(features)) {
      if (!(key in merged)) {
        merged[key] = value;
        added = true;
      }
    }
    if (added) patch.features = merged;
  } else if (!sameJson(doc.features ?? null, features)) {
    patch.features = structuredClone(features);
  }
  return Object.keys(patch).length ? patch : undefined;
}

function defaultFor(property: (typeof STANDARD_PROPERTIES)[number]): JsonValue {
  switch (property) {
    case 'depends_on':
    case 'validations':
    case 'ui_restrictions':
    case 'options':
      return [];
    case 'tooltip':
    case 'default_value':
      return null;
    default:
      return '';
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Structural equality of JSON values, ignoring key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => sameJson(item, b[index]));
  }
  if (isObject(a) && isObject(b)) {
    const keysA = Object.keys(a).filter((key) => a[key] !== undefined);
    const keysB = Object.keys(b).filter((key) => b[key] !== undefined);
    if (keysA.length !== keysB.length) return false;
    return keysA.every((key) => sameJson(a[key], b[key]));
  }
  return false;
}
