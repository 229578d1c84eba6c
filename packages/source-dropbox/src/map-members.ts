/** Membership lists as the sharing routes return them (users, groups, invitees). */
export interface DropboxMembers {
  readonly users?: readonly { readonly user?: { readonly account_id?: string } }[];
  readonly groups?: readonly { readonly group?: { readonly group_id?: string } }[];
  readonly invitees?: readonly { readonly invitee?: { readonly '.tag'?: string; readonly email?: string } }[];
}

/**
 * Maps sharing members to prefixed ACL values: `user_id:<account_id>`, `email:<invitee>`, and
 * `group:<group_id>` when `includeGroups` is on. Entries without an identifier are dropped.
 */
export function mapMembers(members: DropboxMembers, includeGroups: boolean): string[] {
  const out: string[] = [];
  for (const entry of members.users ?? []) {
    if (entry.user?.account_id) out.push(`user_id:${entry.user.account_id}`);
  }
  for (const entry of members.invitees ?? []) {
    if (entry.invitee?.email) out.push(`email:${entry.invitee.email}`);
  }
  if (includeGroups) {
    for (const entry of members.groups ?? []) {
      if (entry.group?.group_id) out.push(`group:${entry.group.group_id}`);
    }
  }
  return out;
}

/** Sorted, de-duplicated ACL (compact and stable across syncs). */
export function toSortedAcl(...lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())].sort();
}
