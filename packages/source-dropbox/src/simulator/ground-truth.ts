import type { IdentityDocument, SourceDocument } from '@connectors/framework';
import { mapEntry, mapSharedLink, type DropboxEntry } from '../map-entry.js';
import { exportPaper, isPaper, renderMetadata } from './render.js';
import { createSearchPredicate } from './search-match.js';
import type { SimItem, SimMembers, SimTenant } from './tenant.js';

/** What a sync is configured with, as far as the expected result depends on it. */
export interface GroundTruthOptions {
  /** The configured `path` (`''` or `/` = everything). */
  readonly path?: string;
  /** `use_document_level_security`. */
  readonly dls?: boolean;
  /** `include_inherited_users_and_groups`: group tokens on ACLs and identities. */
  readonly includeGroups?: boolean;
  /** Advanced rules (`[{query, options}]`); when set, only their union is expected (no received files). */
  readonly rules?: readonly Readonly<Record<string, unknown>>[];
}

/** The exact result a correct sync produces. */
export interface GroundTruth {
  /** Documents sorted by `_id`; ACLs sorted. */
  readonly documents: SourceDocument[];
  /** Expected content bytes per document id (files and exported Paper docs; not folders). */
  readonly contents: Map<string, Buffer>;
  /** Identity documents of the team (access-control sync), sorted by `_id`. */
  readonly identities: IdentityDocument[];
}

/** ACL values of a membership list: `user_id:`, `email:`, and `group:` (only with groups on). */
export function membersAcl(members: SimMembers, includeGroups: boolean): string[] {
  return [
    ...members.users.map((u) => `user_id:${u.accountId}`),
    ...members.invitees.map((i) => `email:${i.email}`),
    ...(includeGroups ? members.groups.map((g) => `group:${g.groupId}`) : []),
  ];
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

/** Computes the ground truth of the tenant for the given configuration. */
export function computeGroundTruth(tenant: SimTenant, options: GroundTruthOptions = {}): GroundTruth {
  const includeGroups = options.includeGroups === true;
  const owner = [`user_id:${tenant.admin.accountId}`];
  const view = { rootId: null };
  const aclOf = (item: SimItem): string[] => {
    const sid =
      item.kind === 'folder'
        ? (item.sharedFolderId ?? tenant.sharedFolderOf(item.id, false))
        : tenant.sharedFolderOf(item.id, false);
    const base = sid ? membersAcl(tenant.sharedFolders.get(sid) as SimMembers, includeGroups) : owner;
    const explicit =
      item.kind === 'file' && item.explicitMembers ? membersAcl(item.explicitMembers, includeGroups) : [];
    return sortedUnique([...base, ...explicit]);
  };
  const documents = new Map<string, SourceDocument>();
  const contents = new Map<string, Buffer>();
  const addItem = (item: SimItem): void => {
    const entry = renderMetadata(tenant, item, view) as unknown as DropboxEntry;
    documents.set(item.id, mapEntry(entry, options.dls ? aclOf(item) : undefined));
    if (item.kind === 'file')
      contents.set(item.id, isPaper(item) ? exportPaper(item) : (item.content ?? Buffer.alloc(0)));
  };

  const path = options.path === '/' ? '' : (options.path ?? '');
  const inScope = (item: SimItem, scope: string): boolean => {
    if (scope === '') return true;
    const lower = tenant.pathOf(item.id).toLowerCase();
    const root = scope.toLowerCase().replace(/\/$/, '');
    return lower === root || lower.startsWith(`${root}/`);
  };

  if (options.rules && options.rules.length > 0) {
    for (const rule of options.rules) {
      const ruleOptions = (rule.options ?? {}) as Record<string, unknown>;
      const scope = typeof ruleOptions.path === 'string' ? ruleOptions.path : '';
      const matches = createSearchPredicate(String(rule.query), ruleOptions);
      for (const item of tenant.items.values()) {
        if (!inScope(item, scope)) continue;
        if (scope !== '' && tenant.pathOf(item.id).toLowerCase() === scope.toLowerCase()) continue;
        if (matches(item)) addItem(item);
      }
    }
  } else {
    for (const item of tenant.items.values()) if (inScope(item, path)) addItem(item);
    for (const link of tenant.received) {
      if (link.revoked || link.expired) continue;
      const mounted = link.mounted ? tenant.items.get(link.id) : undefined;
      if (mounted && inScope(mounted, path)) continue; // listed in the tree already
      const acl = options.dls ? sortedUnique(membersAcl(link.members, includeGroups)) : undefined;
      documents.set(
        link.id,
        mapSharedLink(
          {
            id: link.id,
            url: link.url,
            name: link.name,
            size: link.content.length,
            server_modified: link.serverModified,
          },
          acl,
        ),
      );
      contents.set(link.id, link.content);
    }
  }

  const identities: IdentityDocument[] = tenant.members
    .filter((m) => m.status !== 'removed')
    .map((m) => {
      const identity: Record<string, string> = {
        email: `email:${m.email}`,
        username: `user:${m.displayName}`,
      };
      if (m.status !== 'invited') identity.user_id = `user_id:${m.accountId}`;
      const accessControl = [
        ...Object.values(identity),
        ...(includeGroups ? m.groups.map((g) => `group:${g}`) : []),
      ];
      return { _id: m.email, identity, access_control: accessControl };
    })
    .sort((a, b) => (a._id < b._id ? -1 : 1));

  return {
    documents: [...documents.values()].sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0)),
    contents,
    identities,
  };
}
