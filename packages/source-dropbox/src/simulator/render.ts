import {
  dropboxContentHash,
  type SimItem,
  type SimMember,
  type SimMembers,
  type SimTenant,
} from './tenant.js';

/** The acting view: which item is the root of paths (null = team root namespace). */
export interface View {
  readonly rootId: string | null;
}

/** Display path of an item inside a view, or undefined when the item is outside it. */
export function viewPath(tenant: SimTenant, item: SimItem, view: View): string | undefined {
  const full = tenant.pathOf(item.id);
  if (view.rootId === null) return full;
  if (item.id === view.rootId) return undefined;
  const rootPath = tenant.pathOf(view.rootId);
  if (!full.toLowerCase().startsWith(`${rootPath.toLowerCase()}/`)) return undefined;
  return full.slice(rootPath.length);
}

/** Converts a root-relative path to a view path (for `deleted` change entries). */
export function viewPathOf(tenant: SimTenant, rootPath: string, view: View): string | undefined {
  if (view.rootId === null) return rootPath;
  const prefix = tenant.pathOf(view.rootId);
  if (!rootPath.toLowerCase().startsWith(`${prefix.toLowerCase()}/`)) return undefined;
  return rootPath.slice(prefix.length);
}

/** True for Paper docs. */
export function isPaper(item: SimItem): boolean {
  return item.kind === 'file' && item.name.toLowerCase().endsWith('.paper');
}

/** Markdown export of a Paper doc. */
export function exportPaper(item: SimItem): Buffer {
  return Buffer.from(
    `# ${item.name.replace(/\.paper$/i, '')}\n\n${(item.content ?? Buffer.alloc(0)).toString()}`,
  );
}

/** Renders `Metadata` for an item as Dropbox does (optional fields omitted). */
export function renderMetadata(
  tenant: SimTenant,
  item: SimItem,
  view: View,
  options: { explicitMembers?: boolean } = {},
): Record<string, unknown> | undefined {
  const path = viewPath(tenant, item, view);
  if (path === undefined) return undefined;
  const parentShared = tenant.sharedFolderOf(item.id, false);
  const modifiedBy = tenant.admin.accountId;
  if (item.kind === 'folder') {
    const out: Record<string, unknown> = {
      '.tag': 'folder',
      name: item.name,
      path_lower: path.toLowerCase(),
      path_display: path,
      id: item.id,
    };
    if (item.sharedFolderId || parentShared) {
      const sharing: Record<string, unknown> = { read_only: false };
      if (parentShared) sharing.parent_shared_folder_id = parentShared;
      if (item.sharedFolderId) sharing.shared_folder_id = item.sharedFolderId;
      sharing.traverse_only = false;
      sharing.no_access = false;
      out.sharing_info = sharing;
      if (item.sharedFolderId) out.shared_folder_id = item.sharedFolderId;
      if (parentShared) out.parent_shared_folder_id = parentShared;
    }
    return out;
  }
  const content = item.content ?? Buffer.alloc(0);
  const out: Record<string, unknown> = {
    '.tag': 'file',
    name: item.name,
    path_lower: path.toLowerCase(),
    path_display: path,
    id: item.id,
    client_modified: item.clientModified,
    server_modified: item.serverModified,
    rev: item.rev,
    size: content.length,
    is_downloadable: !isPaper(item),
  };
  if (isPaper(item)) out.export_info = { export_as: 'html', export_options: ['html', 'markdown'] };
  if (parentShared) {
    out.sharing_info = { read_only: false, parent_shared_folder_id: parentShared, modified_by: modifiedBy };
    out.parent_shared_folder_id = parentShared;
  }
  if (options.explicitMembers) out.has_explicit_shared_members = Boolean(item.explicitMembers);
  out.content_hash = dropboxContentHash(content);
  return out;
}

const ACCESS = (tag: string): Record<string, string> => ({ '.tag': tag });

/** Renders membership entries (users, groups, invitees) in Dropbox's shapes. */
export function renderMembers(
  tenant: SimTenant,
  members: SimMembers,
  inherited: boolean,
): { users: unknown[]; groups: unknown[]; invitees: unknown[] } {
  return {
    users: members.users.map((u) => {
      const member = tenant.memberByAccount(u.accountId);
      return {
        access_type: ACCESS(u.access),
        is_inherited: inherited,
        permissions: [],
        user: {
          account_id: u.accountId,
          email: member?.email ?? 'unknown@example.com',
          display_name: member?.displayName ?? 'Unknown',
          same_team: Boolean(member),
          ...(member ? { team_member_id: member.teamMemberId } : {}),
        },
      };
    }),
    groups: members.groups.map((g) => {
      const group = tenant.groups.find((x) => x.groupId === g.groupId);
      return {
        access_type: ACCESS(g.access),
        is_inherited: inherited,
        permissions: [],
        group: {
          group_name: group?.name ?? 'Unknown',
          group_id: g.groupId,
          group_management_type: ACCESS('company_managed'),
          group_type: ACCESS('team'),
          member_count: group?.memberIds.length ?? 0,
          is_member: false,
          is_owner: false,
          same_team: true,
        },
      };
    }),
    invitees: members.invitees.map((i) => ({
      access_type: ACCESS(i.access),
      is_inherited: inherited,
      permissions: [],
      invitee: { '.tag': 'email', email: i.email },
    })),
  };
}

/** TeamMemberProfile. */
export function renderProfile(member: SimMember, rootNamespaceId: string): Record<string, unknown> {
  const status: Record<string, unknown> =
    member.status === 'removed'
      ? { '.tag': 'removed', is_recoverable: false, is_disconnected: false }
      : { '.tag': member.status };
  const out: Record<string, unknown> = {
    team_member_id: member.teamMemberId,
    email: member.email,
    email_verified: member.status !== 'invited',
    status,
    name: {
      given_name: member.givenName,
      surname: member.surname,
      familiar_name: member.givenName,
      display_name: member.displayName,
      abbreviated_name: `${member.givenName[0] ?? ''}${member.surname[0] ?? ''}`,
    },
    membership_type: { '.tag': 'full' },
    groups: member.groups,
    member_folder_id: member.homeNamespaceId,
    root_folder_id: rootNamespaceId,
  };
  if (member.status !== 'invited') {
    out.account_id = member.accountId;
    out.joined_on = member.joinedOn;
  }
  return out;
}
