import type { team, users } from 'dropbox';
import {
  AbortError,
  ConfigError,
  UpstreamError,
  defineSource,
  type IdentityDocument,
  type SourceContext,
  type SourceInstance,
} from '@connectors/framework';
import { parseAdvancedRules } from './advanced-rules.js';
import { createDropboxClient, type DropboxClient } from './dropbox-client.js';
import { dropboxConfigFields, normalizeDropboxPath, type DropboxConfig } from './dropbox-config.js';
import {
  checkpointPacer,
  listAllEntries,
  listByRules,
  listChangedEntries,
  type DropboxSession,
  type ListingContext,
} from './dropbox-listing.js';
import { mapIdentity, type DropboxProfile } from './map-identity.js';

/** Options for tests and embedders (not part of the Kibana configuration). */
export interface DropboxInstanceOptions {
  /** Upper bound of one API call, retries included. @default 120000 */
  readonly callTimeoutMs?: number;
  /**
   * Least time between two checkpoints of a listing (0: after every page). Each one holds the path index of
   * everything listed so far. By default the pacing follows their cost: the wait after a checkpoint is 50
   * times what building it took (after every page on a small Dropbox, every few seconds on a large one).
   */
  readonly checkpointIntervalMs?: number;
}

/** Resolves who the token acts as: the team's authenticated admin, or (user token) the account itself. */
async function resolveSession(client: DropboxClient, signal: AbortSignal): Promise<DropboxSession> {
  let admin: team.TokenGetAuthenticatedAdminResult | undefined;
  try {
    admin = await client.call(
      'team',
      'team/token/get_authenticated_admin',
      (dbx, o) => dbx.teamTokenGetAuthenticatedAdmin(o),
      signal,
    );
  } catch (error) {
    // A user token gets a 400 on team routes: that is the signal to fall back (never the URL, unlike D14).
    if (!(UpstreamError.isInstance(error) && error.status === 400)) throw error;
  }
  if (admin) {
    const profile = admin.admin_profile as team.TeamMemberProfile & { root_folder_id?: string };
    if (!profile.account_id)
      throw new ConfigError('[dropbox] The authenticated team admin has no account id');
    client.actAs(profile.team_member_id, profile.root_folder_id);
    return {
      accountId: profile.account_id,
      memberId: profile.team_member_id,
      rootNamespaceId: profile.root_folder_id,
      team: true,
    };
  }
  client.actAs(undefined, undefined);
  const account: users.FullAccount = await client.call(
    'member',
    'users/get_current_account',
    (dbx, o) => dbx.usersGetCurrentAccount(o),
    signal,
  );
  const root = account.root_info.root_namespace_id;
  client.actAs(undefined, root);
  return { accountId: account.account_id, memberId: undefined, rootNamespaceId: root, team: false };
}

/** Creates a live Dropbox source instance. */
export function createDropboxInstance(
  config: DropboxConfig,
  ctx: SourceContext,
  options: DropboxInstanceOptions = {},
): SourceInstance {
  ctx.registerSecrets([config.app_key, config.app_secret, config.refresh_token]);
  const checkpointIntervalMs = options.checkpointIntervalMs;
  if (
    checkpointIntervalMs !== undefined &&
    !(Number.isFinite(checkpointIntervalMs) && checkpointIntervalMs >= 0)
  ) {
    throw new RangeError(
      `[dropbox] checkpointIntervalMs must be a non-negative number of milliseconds, got ${String(checkpointIntervalMs)}`,
    );
  }
  const lifetime = new AbortController();
  const client = createDropboxClient({
    signal: AbortSignal.any([ctx.signal, lifetime.signal]),
    appKey: config.app_key,
    appSecret: config.app_secret,
    refreshToken: config.refresh_token,
    fetch: ctx.fetch,
    clock: ctx.clock,
    registerSecrets: (values) => ctx.registerSecrets(values),
    hosts: { api: config.api_base_url, content: config.content_base_url, oauth: config.oauth_base_url },
    ...(options.callTimeoutMs === undefined ? {} : { timeoutMs: options.callTimeoutMs }),
  });
  const path = normalizeDropboxPath(config.path);
  const dls = config.use_document_level_security;
  const includeGroups = dls && config.include_inherited_users_and_groups;
  let session: Promise<DropboxSession> | undefined;
  const ensureSession = (signal: AbortSignal): Promise<DropboxSession> => {
    session ??= resolveSession(client, signal);
    session.catch(() => {
      session = undefined;
    });
    return session;
  };
  const listingContext = async (signal: AbortSignal): Promise<ListingContext> => ({
    client,
    session: await ensureSession(signal),
    path,
    dls,
    includeGroups,
    maxFileSize: ctx.maxFileSize,
    takeCheckpoint: checkpointPacer(ctx.clock, checkpointIntervalMs),
  });
  /** Checks a path with files/get_metadata; returns a problem or undefined. */
  const checkPath = async (target: string, signal: AbortSignal): Promise<string | undefined> => {
    if (target === '') return undefined;
    try {
      const meta = await client.call(
        'member',
        `files/get_metadata of "${target}"`,
        (dbx, o) => dbx.filesGetMetadata({ path: target }, o),
        signal,
      );
      return meta['.tag'] === 'folder' ? undefined : `"${target}" is not a folder`;
    } catch (error) {
      if (UpstreamError.isInstance(error) && error.status === 409)
        return `"${target}" was not found in Dropbox`;
      throw error;
    }
  };

  return {
    async check(signal) {
      await ensureSession(signal);
      const problem = await checkPath(path, signal);
      if (problem) throw new ConfigError(`[dropbox] Configured path is invalid`, [`path: ${problem}`]);
    },
    async *listAll(options) {
      const context = await listingContext(options.signal);
      const { rules, errors } = parseAdvancedRules(options.advancedRules);
      if (errors.length) throw new ConfigError('[dropbox] Invalid advanced sync rules', errors);
      if (rules.length > 0) yield* listByRules(context, rules, options.signal);
      else yield* listAllEntries(context, options.checkpoint, options.signal);
    },
    async *listChanges(options) {
      const context = await listingContext(options.signal);
      const { rules } = parseAdvancedRules(options.advancedRules);
      if (rules.length > 0) {
        yield* listChangedEntries(context, { v: 1, mode: 'rules' }, undefined, options.signal);
        return;
      }
      yield* listChangedEntries(context, options.cursor, options.checkpoint, options.signal);
    },
    async *listIdentities(options) {
      const s = await ensureSession(options.signal);
      if (!s.team) {
        const account = await client.call(
          'member',
          'users/get_current_account',
          (dbx, o) => dbx.usersGetCurrentAccount(o),
          options.signal,
        );
        yield mapIdentity(account as unknown as DropboxProfile, false);
        return;
      }
      const what = 'team/members/list_v2';
      let page = await client.call(
        'team',
        what,
        (dbx, o) => dbx.teamMembersListV2({ limit: 1000, include_removed: false }, o),
        options.signal,
      );
      for (;;) {
        for (const member of page.members) {
          const profile = member.profile as unknown as DropboxProfile;
          if (profile.status?.['.tag'] === 'removed') continue;
          yield mapIdentity(profile, includeGroups) satisfies IdentityDocument;
        }
        if (!page.has_more) break;
        const next = page.cursor;
        page = await client.call(
          'team',
          what,
          (dbx, o) => dbx.teamMembersListContinueV2({ cursor: next }, o),
          options.signal,
        );
      }
    },
    async validateAdvancedRules(value, signal) {
      const { rules, errors } = parseAdvancedRules(value);
      if (errors.length) return { errors };
      await ensureSession(signal);
      const invalid: string[] = [];
      for (const rule of rules) {
        const rulePath =
          typeof rule.options?.path === 'string' ? normalizeDropboxPath(rule.options.path) : '';
        if (await checkPath(rulePath, signal)) invalid.push(rule.options?.path as string);
      }
      return { errors: invalid.length ? [`Invalid paths '${invalid.join(', ')}'.`] : [] };
    },
    async close() {
      session = undefined;
      lifetime.abort(new AbortError('[dropbox] The source instance was closed'));
    },
  };
}

/**
 * The Dropbox source: files, folders, Paper docs and received files, with permissions, identities, advanced
 * rules (search) and cursor-based incremental syncs.
 * @example
 * const instance = await dropboxSource.create(parseConfig(dropboxSource.configuration, values), context);
 */
export const dropboxSource = defineSource({
  apiVersion: 1,
  id: 'dropbox',
  name: 'Dropbox',
  description:
    'Files, folders, Paper docs and files shared with you, with permissions and real incremental syncs.',
  capabilities: { incrementalSync: true, accessControl: true, advancedRules: true, binaryContent: true },
  configuration: dropboxConfigFields,
  create: (config, ctx) => createDropboxInstance(config, ctx),
});
