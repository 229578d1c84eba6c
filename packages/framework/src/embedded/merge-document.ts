import type { JsonObject, JsonValue } from '../document/json.js';

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Partial-update merge with Elasticsearch's `_update` `doc` semantics: objects merge recursively, arrays and
 * scalars (including `null`) replace, `undefined` properties of the patch are ignored. Returns a new object.
 */
export function mergeDocument(target: JsonObject, patch: Readonly<Record<string, unknown>>): JsonObject {
  const merged: JsonObject = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const current = merged[key];
    merged[key] =
      isPlainObject(current) && isPlainObject(value)
        ? mergeDocument(current, value)
        : structuredClone(value as JsonValue);
  }
  return merged;
}
