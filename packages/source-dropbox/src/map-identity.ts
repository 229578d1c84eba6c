import type { IdentityDocument } from '@connectors/framework';

/** The fields of a `TeamMemberProfile` (or a `FullAccount`) an identity is built from. */
export interface DropboxProfile {
  readonly email: string;
  readonly account_id?: string;
  readonly name?: { readonly display_name?: string };
  readonly status?: { readonly '.tag': string };
  readonly groups?: readonly string[];
}

/**
 * Maps a team member to its identity document (spec 9.2): `_id` = email; identity `email:`, `user:` (display
 * name) and `user_id:` (account id); `access_control` = those values plus `group:<id>` when `includeGroups`.
 */
export function mapIdentity(profile: DropboxProfile, includeGroups: boolean): IdentityDocument {
  const identity: Record<string, string> = { email: `email:${profile.email}` };
  if (profile.name?.display_name) identity.username = `user:${profile.name.display_name}`;
  if (profile.account_id) identity.user_id = `user_id:${profile.account_id}`;
  const groups = includeGroups ? (profile.groups ?? []).map((g) => `group:${g}`) : [];
  return { _id: profile.email, identity, access_control: [...Object.values(identity), ...groups] };
}
