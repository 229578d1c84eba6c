import { createHash } from 'node:crypto';

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${stable(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A digest of a document's fields as the source yielded them (`_timestamp` and content aside). Stored on the
 * document as `_fingerprint`, it lets a sync skip a document only when neither its change marker nor any
 * field changed: a file whose ACL, name or path changed without a new modification time is rewritten.
 */
export function toFingerprint(fields: Readonly<Record<string, unknown>>): string {
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key === '_timestamp' || key === '_id' || key === '_original_filename' || key === '_fingerprint')
      continue;
    rest[key] = value;
  }
  return createHash('sha1').update(stable(rest)).digest('base64url');
}
