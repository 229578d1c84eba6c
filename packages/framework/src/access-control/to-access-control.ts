/** Prefixes sources commonly use for `_allow_access_control` values (spec 8). */
export const ACCESS_CONTROL_PREFIXES = {
  user: 'user',
  group: 'group',
  email: 'email',
  domain: 'domain',
  userId: 'user_id',
  groupId: 'group_id',
  accountId: 'account_id',
  roleKey: 'role_key',
  emailAddress: 'email_address',
} as const;

type Raw = string | null | undefined;

/**
 * Prefixes identities for `_allow_access_control` / identity `access_control`: `toAccessControl('user', 'alice')`
 * → `['user:alice']`. Accepts one value or many, drops null/undefined/empty values and de-duplicates
 * (first occurrence order). A trailing `:` on the prefix is accepted.
 */
export function toAccessControl(prefix: string, value: Raw | Iterable<Raw>): string[] {
  const bare = prefix.endsWith(':') ? prefix.slice(0, -1) : prefix;
  if (bare === '') throw new TypeError('toAccessControl: prefix must not be empty');
  const values: Iterable<Raw> = typeof value === 'string' || value == null ? [value] : value;
  const out = new Set<string>();
  for (const item of values) {
    if (item === null || item === undefined || item === '') continue;
    out.add(`${bare}:${item}`);
  }
  return [...out];
}

/** Merges access-control lists into one, dropping null/empty entries and duplicates (first occurrence order). */
export function combineAccessControl(...lists: readonly (readonly Raw[] | null | undefined)[]): string[] {
  const out = new Set<string>();
  for (const list of lists) {
    for (const item of list ?? []) if (item !== null && item !== undefined && item !== '') out.add(item);
  }
  return [...out];
}
