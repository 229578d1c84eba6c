import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createFaultInjector,
  type FaultInjector,
  type FaultInjectorOptions,
} from '@connectors/framework/testing';
import { computeGroundTruth, type GroundTruth, type GroundTruthOptions } from './ground-truth.js';
import { createRandom, ALPHABETS } from './random.js';
import { createSearchPredicate, tagOf } from './search-match.js';
import {
  exportPaper,
  isPaper,
  renderMembers,
  renderMetadata,
  renderProfile,
  viewPath,
  viewPathOf,
  type View,
} from './render.js';
import { SimTenant, type SimItem, type SimMember, type SimMembers, type TenantSize } from './tenant.js';
import { headerSafeJson } from '../header-safe-json.js';

/** Options of {@link createDropboxSimulator}. */
export interface DropboxSimulatorOptions {
  /** Tenant seed: the same seed gives the same ids, names, contents. @default 1 */
  readonly seed?: number;
  /** Tenant size. @default 'small' */
  readonly size?: TenantSize;
  /** Port to listen on (loopback). @default 0 (ephemeral) */
  readonly port?: number;
  /** Fault rate (0..1) or full fault-injector options; admin routes never fail. */
  readonly faults?: number | Omit<FaultInjectorOptions, 'match'>;
  /** Latency added to every API call. @default 0 */
  readonly latencyMs?: number;
  /** Most entries per listing page (Dropbox's `limit` is approximate). @default 25 */
  readonly pageSize?: number;
  /** Lifetime of issued access tokens. @default 14400 */
  readonly tokenLifetimeSeconds?: number;
  /** Share of mid-listing pages answered empty with `has_more: true` (Dropbox may do so). @default 0 */
  readonly emptyPageRate?: number;
}

/** Mutations of the simulated tenant (each recorded like Dropbox records changes). */
export interface DropboxSimulatorAdmin {
  /** The tenant itself (items, members, received files, change log). */
  readonly tenant: SimTenant;
  /** Adds a file under a folder path (`''` = root); returns its id. */
  addFile(parentPath: string, name: string, content?: string | Uint8Array): string;
  /** Adds a folder; returns its id. */
  addFolder(parentPath: string, name: string): string;
  /** Replaces a file's content (new rev, size, server_modified). */
  modifyFile(path: string, content?: string | Uint8Array): void;
  /** Deletes a file, or a folder with everything under it. */
  deleteItem(path: string): void;
  /** Moves (and optionally renames) an item. */
  moveItem(path: string, newParentPath: string, newName?: string): void;
  /** Replaces the members of the shared folder at `path`. */
  reshareFolder(path: string, members: SimMembers): void;
  /** Sets (or removes) a file's explicit members. */
  shareFile(path: string, members: SimMembers | undefined): void;
  /** Revokes a received file's shared link (its metadata then answers 409 shared_link_not_found). */
  revokeReceivedFile(id: string): void;
  /** Adds a received file to the admin's Dropbox under a folder (then listed both ways, with its path). */
  mountReceivedFile(id: string, parentPath: string): void;
  /** Expires a received file's link: still listed, but its metadata and file answer 409. */
  expireReceivedLink(id: string): void;
  /** Invalidates every list_folder cursor (continue answers 409 reset). */
  expireCursors(): void;
  /** Invalidates every list_received_files cursor issued so far (continue answers 409 invalid_cursor). */
  expireReceivedCursors(): void;
  /** While on, every list_received_files/continue answers 409 invalid_cursor, whatever the cursor. */
  refuseReceivedCursors(refuse: boolean): void;
  /** Expires every issued access token now (calls answer 401 expired_access_token). */
  expireAccessTokens(): void;
  /** Revokes the refresh tokens (refresh answers 400 invalid_grant). */
  revokeRefreshTokens(): void;
  /** Makes the next N calls of a route answer 500 (a listing that fails for good with a large N). */
  failRoute(route: string, times: number): void;
  /** Changes the fault rate. */
  setFaultRate(rate: number): void;
}

/** A running simulated Dropbox tenant. */
export interface DropboxSimulator extends AsyncDisposable {
  /** Base URL (`http://127.0.0.1:PORT`); API under `/api`, content under `/content`. */
  readonly url: string;
  /** Tenant mutations and fault controls. */
  readonly admin: DropboxSimulatorAdmin;
  /** The documents, contents and identities a correct sync must produce. */
  groundTruth(options?: GroundTruthOptions): GroundTruth;
  /** API calls received per route (`files/list_folder`, `oauth2/token`, ...), faulted ones included. */
  callCounts(): Record<string, number>;
  /** Forgets the call counts. */
  resetCallCounts(): void;
  /** Config values pointing the Dropbox source at this simulator. */
  configFor(options?: { tokenKind?: 'team' | 'user' }): Record<string, unknown>;
  /** The fault injector (stats), when faults are on. */
  readonly faults: FaultInjector | undefined;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

const TEAM_ROUTES = new Set([
  'team/token/get_authenticated_admin',
  'team/members/list_v2',
  'team/members/list/continue_v2',
  'team/groups/list',
  'team/groups/list/continue',
]);
const CONTENT_ROUTES = new Set(['files/download', 'files/export', 'sharing/get_shared_link_file']);
const VOID_ROUTES = new Set(['users/get_current_account', 'team/token/get_authenticated_admin']);

/** Error raised by a route handler, rendered as Dropbox renders it. */
class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly contentType: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(body);
  }
}

interface Token {
  kind: 'team' | 'user';
  expiresAt: number;
}

interface Caller {
  kind: 'team' | 'user';
  member: SimMember | undefined;
  view: View;
}

function encodeCursor(value: Record<string, unknown>): string {
  return `AAH${Buffer.from(JSON.stringify(value)).toString('base64url')}`;
}

/**
 * Starts a simulated Dropbox API v2 tenant on loopback: OAuth token endpoint, RPC and content routes the
 * Dropbox source uses, team routes, paging and change cursors, Dropbox-shaped errors, fault injection,
 * latency, call counts, admin mutations and ground truth.
 * @example
 * await using sim = await createDropboxSimulator({ seed: 7, size: 'small' });
 * const config = sim.configFor();
 */
export async function createDropboxSimulator(
  options: DropboxSimulatorOptions = {},
): Promise<DropboxSimulator> {
  const seed = options.seed ?? 1;
  const tenant = new SimTenant(seed, options.size ?? 'small');
  const random = createRandom(seed + 1);
  const pageSize = Math.max(1, options.pageSize ?? 25);
  const tokenLifetime = options.tokenLifetimeSeconds ?? 14_400;
  const latencyMs = options.latencyMs ?? 0;
  const emptyPageRate = options.emptyPageRate ?? 0;
  const appKey = `simkey${random.chars(10, ALPHABETS.token)}`;
  const appSecret = `simsecret${random.chars(14, ALPHABETS.token)}`;
  const refreshTokens = {
    team: `simrt-team-${random.chars(30, ALPHABETS.token)}`,
    user: `simrt-user-${random.chars(30, ALPHABETS.token)}`,
  };
  let refreshRevoked = false;
  const tokens = new Map<string, Token>();
  const counts = new Map<string, number>();
  const routeFailures = new Map<string, number>();
  const faultOptions = typeof options.faults === 'number' ? { rate: options.faults } : options.faults;
  const faults =
    faultOptions && faultOptions.rate > 0
      ? createFaultInjector({
          seed,
          ...faultOptions,
          match: (req) => !(req.url ?? '').startsWith('/__admin'),
          bodies: {
            '429': {
              contentType: 'application/json',
              body: JSON.stringify({
                error_summary: 'too_many_requests/..',
                error: {
                  reason: { '.tag': 'too_many_requests' },
                  retry_after: faultOptions.retryAfterSeconds ?? 1,
                },
              }),
            },
            ...faultOptions.bodies,
          },
        })
      : undefined;

  const dots = (): string => '.'.repeat(random.int(0, 3));
  const fail409 = (error: Record<string, unknown>, tags: string[]): HttpFailure =>
    new HttpFailure(
      409,
      JSON.stringify({ error_summary: `${tags.join('/')}/${dots()}`, error }),
      'application/json',
    );
  const bad400 = (route: string, detail: string): HttpFailure =>
    new HttpFailure(400, `Error in call to API function "${route}": ${detail}`, 'text/plain; charset=utf-8');
  const auth401 = (tag: string): HttpFailure =>
    new HttpFailure(
      401,
      JSON.stringify({ error_summary: `${tag}/${dots()}`, error: { '.tag': tag } }),
      'application/json',
      {
        'WWW-Authenticate': 'Bearer realm="Dropbox-API"',
      },
    );
  const notFound = (): HttpFailure =>
    fail409({ '.tag': 'path', path: { '.tag': 'not_found' } }, ['path', 'not_found']);

  // A member's home folder, looked up on every member call: remembered, and checked to be still current.
  const homes = new Map<string, SimItem>();
  const homeItemOf = (member: SimMember): SimItem | undefined => {
    const known = homes.get(member.teamMemberId);
    if (known && tenant.items.get(known.id) === known && known.homeOf === member.teamMemberId) return known;
    for (const item of tenant.items.values()) {
      if (item.homeOf === member.teamMemberId) {
        homes.set(member.teamMemberId, item);
        return item;
      }
    }
    return undefined;
  };

  // ---- argument helpers -------------------------------------------------------------------------------
  const checkKeys = (route: string, arg: Record<string, unknown>, allowed: readonly string[]): void => {
    for (const key of Object.keys(arg)) {
      if (!allowed.includes(key)) throw bad400(route, `request body: unknown field '${key}'`);
    }
  };
  const limitOf = (route: string, value: unknown, max: number, fallback: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
      throw bad400(route, `request body: limit: value must be an integer between 1 and ${max}`);
    }
    return value;
  };
  const decodeCursor = (route: string, cursor: unknown): Record<string, unknown> => {
    if (typeof cursor !== 'string' || !cursor.startsWith('AAH'))
      throw bad400(route, 'request body: cursor: invalid cursor');
    try {
      return JSON.parse(Buffer.from(cursor.slice(3), 'base64url').toString()) as Record<string, unknown>;
    } catch {
      throw bad400(route, 'request body: cursor: invalid cursor');
    }
  };

  /** Resolves a path argument (`""`, `/a/b`, `id:…`) inside the caller's view. */
  const resolvePath = (route: string, path: unknown, caller: Caller, allowRoot: boolean): SimItem | null => {
    if (typeof path !== 'string') throw bad400(route, 'request body: path: expected string');
    if (path === '') {
      if (!allowRoot) throw bad400(route, 'request body: path: The root folder is unsupported.');
      return caller.view.rootId === null ? null : tenant.requireItem(caller.view.rootId);
    }
    if (path === '/')
      throw bad400(
        route,
        'request body: path: Specify the root folder as an empty string rather than as "/".',
      );
    if (path.startsWith('id:')) {
      const item = tenant.items.get(path);
      if (!item || (caller.view.rootId !== null && viewPath(tenant, item, caller.view) === undefined))
        throw notFound();
      return item;
    }
    if (!path.startsWith('/')) {
      throw bad400(
        route,
        `request body: path: '${path}' did not match pattern '(/(.|[\\r\\n])*|id:.*)|(rev:[0-9a-f]{9,})|(ns:[0-9]+(/.*)?)'`,
      );
    }
    const lower = path.toLowerCase().replace(/\/$/, '');
    for (const item of tenant.items.values()) {
      if (viewPath(tenant, item, caller.view)?.toLowerCase() === lower) return item;
    }
    throw notFound();
  };

  // Listings are recomputed only when the tree changed (pages of one listing share the sorted list).
  const listingCache = new Map<string, SimItem[]>();
  let listingCacheSeq = -1;
  const itemsUnder = (root: SimItem | null, caller: Caller, recursive: boolean): SimItem[] => {
    if (listingCacheSeq !== tenant.sequence) {
      listingCache.clear();
      listingCacheSeq = tenant.sequence;
    }
    const key = `${caller.view.rootId ?? ''}|${root?.id ?? ''}|${String(recursive)}`;
    const cached = listingCache.get(key);
    if (cached) return cached;
    const sorted = sortedItemsUnder(root, caller, recursive);
    listingCache.set(key, sorted);
    return sorted;
  };
  const sortedItemsUnder = (root: SimItem | null, caller: Caller, recursive: boolean): SimItem[] => {
    const all = root === null ? [...tenant.items.values()] : [root, ...tenant.descendants(root.id)];
    return all
      .filter((item) => viewPath(tenant, item, caller.view) !== undefined)
      .filter((item) => recursive || item === root || item.parentId === (root?.id ?? null))
      .map((item) => ({ item, path: (viewPath(tenant, item, caller.view) as string).toLowerCase() }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      .map((x) => x.item);
  };

  // ---- list_folder and its change cursors -------------------------------------------------------------
  interface ListCursor {
    e: number;
    v: string | null;
    r: string | null;
    rec: boolean;
    x: boolean;
    o: number;
    s: number;
  }
  const listPage = (caller: Caller, state: ListCursor): Record<string, unknown> => {
    const root = state.r === null ? null : (tenant.items.get(state.r) ?? null);
    if (state.o >= 0) {
      const items = itemsUnder(root, caller, state.rec);
      if (emptyPageRate > 0 && random.next() < emptyPageRate && state.o < items.length) {
        return { entries: [], cursor: encodeCursor({ ...state }), has_more: true };
      }
      const page = items.slice(state.o, state.o + pageSize);
      const next = state.o + page.length;
      const done = next >= items.length;
      return {
        entries: page.map((item) => renderMetadata(tenant, item, caller.view, { explicitMembers: state.x })),
        cursor: encodeCursor({ ...state, o: done ? -1 : next }),
        has_more: !done,
      };
    }
    // Change mode: replay the change log after sequence `s`.
    const rootPath = root === null ? undefined : tenant.pathOf(root.id).toLowerCase();
    const pending = tenant.changes.filter((c) => c.seq > state.s);
    const entries: unknown[] = [];
    let last = state.s;
    for (const change of pending) {
      if (entries.length >= pageSize) break;
      last = change.seq;
      if (change.kind === 'deleted') {
        if (rootPath !== undefined && !change.pathLower.startsWith(`${rootPath}/`)) continue;
        const display = viewPathOf(tenant, change.pathDisplay, caller.view);
        if (display === undefined) continue;
        entries.push({
          '.tag': 'deleted',
          name: change.name,
          path_lower: display.toLowerCase(),
          path_display: display,
        });
        continue;
      }
      const item = tenant.items.get(change.itemId);
      if (!item) continue;
      if (rootPath !== undefined && !`${tenant.pathOf(item.id).toLowerCase()}/`.startsWith(`${rootPath}/`))
        continue;
      const rendered = renderMetadata(tenant, item, caller.view, { explicitMembers: state.x });
      if (rendered) entries.push(rendered);
    }
    const hasMore = pending.some((c) => c.seq > last);
    return { entries, cursor: encodeCursor({ ...state, o: -1, s: last }), has_more: hasMore };
  };

  // ---- search ---------------------------------------------------------------------------------------
  const searchMatches = (route: string, arg: Record<string, unknown>, caller: Caller): SimItem[] => {
    checkKeys(route, arg, ['query', 'options', 'match_field_options']);
    const query = arg.query;
    if (typeof query !== 'string' || query.length > 1000)
      throw bad400(route, 'request body: query: expected string');
    const opts = (arg.options ?? {}) as Record<string, unknown>;
    checkKeys(route, opts, [
      'path',
      'max_results',
      'order_by',
      'file_status',
      'filename_only',
      'file_extensions',
      'file_categories',
      'account_id',
    ]);
    if (opts.max_results !== undefined) limitOf(route, opts.max_results, 1000, 100);
    for (const key of ['order_by', 'file_status'] as const) {
      if (opts[key] !== undefined && tagOf(opts[key]) === undefined)
        throw bad400(route, `request body: options.${key}: expected union`);
    }
    if (tagOf(opts.file_status) === 'deleted') return [];
    const root = opts.path === undefined ? null : resolvePath(route, opts.path, caller, true);
    const matches = createSearchPredicate(query, opts);
    return itemsUnder(root, caller, true).filter((item) => !(root && item === root) && matches(item));
  };

  // ---- members ----------------------------------------------------------------------------------------
  const pageMembers = (
    members: { users: unknown[]; groups: unknown[]; invitees: unknown[] },
    offset: number,
    limit: number,
  ): { page: { users: unknown[]; groups: unknown[]; invitees: unknown[] }; next: number | undefined } => {
    const all = [
      ...members.users.map((m) => ['users', m] as const),
      ...members.groups.map((m) => ['groups', m] as const),
      ...members.invitees.map((m) => ['invitees', m] as const),
    ];
    const slice = all.slice(offset, offset + limit);
    const page = { users: [] as unknown[], groups: [] as unknown[], invitees: [] as unknown[] };
    for (const [kind, entry] of slice) page[kind].push(entry);
    return { page, next: offset + slice.length < all.length ? offset + slice.length : undefined };
  };

  const fileMembers = (fileArg: unknown, caller: Caller, includeInherited: boolean) => {
    const received = tenant.received.find((r) => r.id === fileArg);
    if (received) return renderMembers(tenant, received.members, false);
    const item = resolvePath('sharing/list_file_members', fileArg, caller, false);
    if (!item || item.kind !== 'file') {
      throw fail409({ '.tag': 'access_error', access_error: { '.tag': 'is_folder' } }, [
        'access_error',
        'is_folder',
      ]);
    }
    const direct = item.explicitMembers
      ? renderMembers(tenant, item.explicitMembers, false)
      : { users: [], groups: [], invitees: [] };
    if (!includeInherited) return direct;
    const sid = tenant.sharedFolderOf(item.id, false);
    const inherited = sid
      ? renderMembers(tenant, tenant.sharedFolders.get(sid) as SimMembers, true)
      : renderMembers(
          tenant,
          { users: [{ accountId: tenant.admin.accountId, access: 'owner' }], groups: [], invitees: [] },
          true,
        );
    return {
      users: [...direct.users, ...inherited.users],
      groups: [...direct.groups, ...inherited.groups],
      invitees: [...direct.invitees, ...inherited.invitees],
    };
  };

  // ---- route table ------------------------------------------------------------------------------------
  type Handler = (arg: Record<string, unknown>, caller: Caller, req: IncomingMessage) => unknown;
  const rpc: Record<string, Handler> = {
    'users/get_current_account': (_arg, caller) => {
      const member = caller.member ?? tenant.admin;
      const team = caller.kind === 'team';
      return {
        account_id: member.accountId,
        name: {
          given_name: member.givenName,
          surname: member.surname,
          familiar_name: member.givenName,
          display_name: member.displayName,
          abbreviated_name: `${member.givenName[0] ?? ''}${member.surname[0] ?? ''}`,
        },
        email: member.email,
        email_verified: true,
        disabled: false,
        locale: 'en',
        referral_link: 'https://db.tt/simulated',
        is_paired: false,
        account_type: { '.tag': team ? 'business' : 'basic' },
        ...(team
          ? { team: { id: tenant.teamId, name: 'Simulated Team' }, team_member_id: member.teamMemberId }
          : {}),
        root_info: team
          ? {
              '.tag': 'team',
              root_namespace_id: tenant.rootNamespaceId,
              home_namespace_id: member.homeNamespaceId,
              home_path: `/${member.displayName}`,
            }
          : {
              '.tag': 'user',
              root_namespace_id: member.homeNamespaceId,
              home_namespace_id: member.homeNamespaceId,
            },
      };
    },
    'team/token/get_authenticated_admin': () => ({
      admin_profile: renderProfile(tenant.admin, tenant.rootNamespaceId),
    }),
    'team/members/list_v2': (arg) => {
      checkKeys('team/members/list_v2', arg, ['limit', 'include_removed']);
      const limit = limitOf('team/members/list_v2', arg.limit, 1000, 1000);
      return membersPage(0, Math.min(limit, pageSize), arg.include_removed === true);
    },
    'team/members/list/continue_v2': (arg) => {
      checkKeys('team/members/list/continue_v2', arg, ['cursor']);
      const state = decodeCursor('team/members/list/continue_v2', arg.cursor);
      return membersPage(Number(state.o), Number(state.l), state.i === true);
    },
    'team/groups/list': (arg) => {
      checkKeys('team/groups/list', arg, ['limit']);
      return {
        groups: tenant.groups.map((g) => ({
          group_name: g.name,
          group_id: g.groupId,
          group_management_type: { '.tag': 'company_managed' },
          member_count: g.memberIds.length,
        })),
        cursor: encodeCursor({ g: 'done' }),
        has_more: false,
      };
    },
    'files/list_folder': (arg, caller) => {
      checkKeys('files/list_folder', arg, [
        'path',
        'recursive',
        'include_deleted',
        'include_has_explicit_shared_members',
        'include_mounted_folders',
        'include_non_downloadable_files',
        'limit',
        'include_media_info',
      ]);
      limitOf('files/list_folder', arg.limit, 2000, 2000);
      const root = resolvePath('files/list_folder', arg.path, caller, true);
      if (root && root.kind !== 'folder') {
        throw fail409({ '.tag': 'path', path: { '.tag': 'not_folder' } }, ['path', 'not_folder']);
      }
      const state: ListCursor = {
        e: tenant.cursorEpoch,
        v: caller.view.rootId,
        r: arg.path === '' ? null : (root?.id ?? null),
        rec: arg.recursive === true,
        x: arg.include_has_explicit_shared_members === true,
        o: 0,
        s: tenant.sequence,
      };
      return listPage(caller, state);
    },
    'files/list_folder/continue': (arg, caller) => {
      checkKeys('files/list_folder/continue', arg, ['cursor']);
      const state = decodeCursor('files/list_folder/continue', arg.cursor) as unknown as ListCursor;
      if (state.e !== tenant.cursorEpoch) throw fail409({ '.tag': 'reset' }, ['reset']);
      if (state.r !== null && !tenant.items.has(state.r)) throw notFound();
      return listPage(caller, state);
    },
    'files/list_folder/get_latest_cursor': (arg, caller) => {
      const root = resolvePath('files/list_folder/get_latest_cursor', arg.path, caller, true);
      const state: ListCursor = {
        e: tenant.cursorEpoch,
        v: caller.view.rootId,
        r: arg.path === '' ? null : (root?.id ?? null),
        rec: arg.recursive === true,
        x: arg.include_has_explicit_shared_members === true,
        o: -1,
        s: tenant.sequence,
      };
      return { cursor: encodeCursor({ ...state }) };
    },
    'files/get_metadata': (arg, caller) => {
      checkKeys('files/get_metadata', arg, [
        'path',
        'include_media_info',
        'include_deleted',
        'include_has_explicit_shared_members',
      ]);
      const item = resolvePath('files/get_metadata', arg.path, caller, false) as SimItem;
      return renderMetadata(tenant, item, caller.view, {
        explicitMembers: arg.include_has_explicit_shared_members === true,
      });
    },
    'files/search_v2': (arg, caller) => {
      const matches = searchMatches('files/search_v2', arg, caller);
      const max = limitOf(
        'files/search_v2',
        (arg.options as Record<string, unknown> | undefined)?.max_results,
        1000,
        100,
      );
      return searchPage(arg, matches, 0, Math.min(max, pageSize), caller);
    },
    'files/search/continue_v2': (arg, caller) => {
      checkKeys('files/search/continue_v2', arg, ['cursor']);
      const state = decodeCursor('files/search/continue_v2', arg.cursor);
      const original = state.a as Record<string, unknown>;
      const matches = searchMatches('files/search_v2', original, caller);
      return searchPage(original, matches, Number(state.o), Number(state.l), caller);
    },
    'sharing/list_received_files': (arg, caller) => {
      checkKeys('sharing/list_received_files', arg, ['limit', 'actions']);
      const limit = limitOf('sharing/list_received_files', arg.limit, 300, 100);
      return receivedPage(0, Math.min(limit, pageSize), caller);
    },
    'sharing/list_received_files/continue': (arg, caller) => {
      checkKeys('sharing/list_received_files/continue', arg, ['cursor']);
      const state = decodeCursor('sharing/list_received_files/continue', arg.cursor);
      if (refuseReceived || (state.r ?? 0) !== receivedCursorEpoch)
        throw fail409({ '.tag': 'invalid_cursor' }, ['invalid_cursor']);
      return receivedPage(Number(state.o), Number(state.l), caller);
    },
    'sharing/get_shared_link_metadata': (arg) => {
      checkKeys('sharing/get_shared_link_metadata', arg, ['url', 'path', 'link_password']);
      return linkMetadata(arg.url);
    },
    'sharing/list_folder_members': (arg) => {
      checkKeys('sharing/list_folder_members', arg, ['shared_folder_id', 'actions', 'limit']);
      const limit = limitOf('sharing/list_folder_members', arg.limit, 1000, 1000);
      const members = tenant.sharedFolders.get(String(arg.shared_folder_id));
      if (!members) throw fail409({ '.tag': 'invalid_id' }, ['invalid_id']);
      return folderMembersPage(
        String(arg.shared_folder_id),
        0,
        Math.min(limit, Math.max(2, Math.floor(pageSize / 5))),
      );
    },
    'sharing/list_folder_members/continue': (arg) => {
      checkKeys('sharing/list_folder_members/continue', arg, ['cursor']);
      const state = decodeCursor('sharing/list_folder_members/continue', arg.cursor);
      return folderMembersPage(String(state.f), Number(state.o), Number(state.l));
    },
    'sharing/list_file_members': (arg, caller) => {
      checkKeys('sharing/list_file_members', arg, ['file', 'actions', 'include_inherited', 'limit']);
      const limit = limitOf('sharing/list_file_members', arg.limit, 300, 100);
      const all = fileMembers(arg.file, caller, arg.include_inherited !== false);
      const { page, next } = pageMembers(all, 0, Math.min(limit, 2));
      return {
        ...page,
        ...(next === undefined
          ? {}
          : {
              cursor: encodeCursor({
                f: arg.file,
                i: arg.include_inherited !== false,
                o: next,
                l: Math.min(limit, 2),
              }),
            }),
      };
    },
    'sharing/list_file_members/continue': (arg, caller) => {
      checkKeys('sharing/list_file_members/continue', arg, ['cursor']);
      const state = decodeCursor('sharing/list_file_members/continue', arg.cursor);
      const all = fileMembers(state.f, caller, state.i === true);
      const { page, next } = pageMembers(all, Number(state.o), Number(state.l));
      return {
        ...page,
        ...(next === undefined ? {} : { cursor: encodeCursor({ ...state, o: next }) }),
      };
    },
    'sharing/list_file_members/batch': (arg, caller) => {
      checkKeys('sharing/list_file_members/batch', arg, ['files', 'limit']);
      if (!Array.isArray(arg.files) || arg.files.length > 100) {
        throw bad400(
          'sharing/list_file_members/batch',
          'request body: files: expected a list of at most 100 items',
        );
      }
      const limit = limitOf('sharing/list_file_members/batch', arg.limit, 3000, 1000);
      return (arg.files as unknown[]).map((file) => {
        try {
          const all = fileMembers(file, caller, false);
          const { page, next } = pageMembers(all, 0, Math.min(limit, 2));
          return {
            file,
            result: {
              '.tag': 'result',
              member_count: all.users.length + all.groups.length + all.invitees.length,
              members: {
                ...page,
                ...(next === undefined
                  ? {}
                  : { cursor: encodeCursor({ f: file, i: false, o: next, l: Math.min(limit, 2) }) }),
              },
            },
          };
        } catch {
          return { file, result: { '.tag': 'access_error', access_error: { '.tag': 'invalid_file' } } };
        }
      });
    },
  };

  const membersPage = (offset: number, limit: number, includeRemoved: boolean): Record<string, unknown> => {
    const all = tenant.members.filter((m) => includeRemoved || m.status !== 'removed');
    const slice = all.slice(offset, offset + limit);
    const next = offset + slice.length;
    return {
      members: slice.map((m) => ({ profile: renderProfile(m, tenant.rootNamespaceId) })),
      cursor: encodeCursor({ o: next, l: limit, i: includeRemoved }),
      has_more: next < all.length,
    };
  };

  const searchPage = (
    arg: Record<string, unknown>,
    matches: SimItem[],
    offset: number,
    limit: number,
    caller: Caller,
  ): Record<string, unknown> => {
    const capped = matches.slice(0, 10_000);
    const slice = capped.slice(offset, offset + limit);
    const next = offset + slice.length;
    const hasMore = next < capped.length;
    return {
      matches: slice.map((item) => ({
        metadata: { '.tag': 'metadata', metadata: renderMetadata(tenant, item, caller.view) },
        match_type: { '.tag': 'filename' },
      })),
      has_more: hasMore,
      ...(hasMore ? { cursor: encodeCursor({ a: arg, o: next, l: limit }) } : {}),
    };
  };

  /** Bumped by `admin.expireReceivedCursors()`: older received-files cursors are then refused. */
  let receivedCursorEpoch = 0;
  /** Set by `admin.refuseReceivedCursors()`: every received-files cursor is then refused. */
  let refuseReceived = false;
  const receivedPage = (offset: number, limit: number, caller: Caller): Record<string, unknown> => {
    const all = tenant.received.filter((r) => !r.revoked);
    const slice = all.slice(offset, offset + limit);
    const next = offset + slice.length;
    return {
      entries: slice.map((r) => ({
        id: r.id,
        name: r.name,
        preview_url: r.url,
        policy: { acl_update_policy: { '.tag': 'editors' }, shared_link_policy: { '.tag': 'anyone' } },
        access_type: { '.tag': 'viewer' },
        owner_display_names: [tenant.memberByAccount(r.ownerAccountId)?.displayName ?? 'Someone'],
        time_invited: r.clientModified,
        ...mountedPath(r.id, caller),
      })),
      ...(next < all.length ? { cursor: encodeCursor({ o: next, l: limit, r: receivedCursorEpoch }) } : {}),
    };
  };

  /** `path_lower`/`path_display` of a mounted received file, in the caller's view. */
  const mountedPath = (id: string, caller: Caller): Record<string, string> => {
    const item = tenant.received.find((r) => r.id === id)?.mounted ? tenant.items.get(id) : undefined;
    const path = item ? viewPath(tenant, item, caller.view) : undefined;
    return path ? { path_lower: path.toLowerCase(), path_display: path } : {};
  };

  const findLink = (url: unknown) => {
    const link = tenant.received.find((r) => r.url === url);
    if (!link || link.revoked || link.expired)
      throw fail409({ '.tag': 'shared_link_not_found' }, ['shared_link_not_found']);
    return link;
  };
  const linkMetadata = (url: unknown): Record<string, unknown> => {
    const link = findLink(url);
    return {
      '.tag': 'file',
      url: link.url,
      id: link.id,
      name: link.name,
      link_permissions: {
        can_revoke: false,
        allow_download: true,
        resolved_visibility: { '.tag': 'team_only' },
      },
      client_modified: link.clientModified,
      server_modified: link.serverModified,
      rev: link.rev,
      size: link.content.length,
    };
  };

  const folderMembersPage = (sid: string, offset: number, limit: number): Record<string, unknown> => {
    const members = tenant.sharedFolders.get(sid);
    if (!members) throw fail409({ '.tag': 'invalid_cursor' }, ['invalid_cursor']);
    const { page, next } = pageMembers(renderMembers(tenant, members, false), offset, limit);
    return {
      ...page,
      ...(next === undefined ? {} : { cursor: encodeCursor({ f: sid, o: next, l: limit }) }),
    };
  };

  const content: Record<
    string,
    (arg: Record<string, unknown>, caller: Caller) => { result: unknown; body: Buffer }
  > = {
    'files/download': (arg, caller) => {
      checkKeys('files/download', arg, ['path', 'rev']);
      const item = resolvePath('files/download', arg.path, caller, false) as SimItem;
      if (item.kind !== 'file')
        throw fail409({ '.tag': 'path', path: { '.tag': 'not_file' } }, ['path', 'not_file']);
      if (isPaper(item)) throw fail409({ '.tag': 'unsupported_file' }, ['unsupported_file']);
      const meta = renderMetadata(tenant, item, caller.view) as Record<string, unknown>;
      delete meta['.tag'];
      return { result: meta, body: item.content ?? Buffer.alloc(0) };
    },
    'files/export': (arg, caller) => {
      checkKeys('files/export', arg, ['path', 'export_format']);
      const item = resolvePath('files/export', arg.path, caller, false) as SimItem;
      if (!isPaper(item)) throw fail409({ '.tag': 'non_exportable' }, ['non_exportable']);
      const format = arg.export_format ?? 'html';
      if (format !== 'markdown' && format !== 'html') {
        throw fail409({ '.tag': 'invalid_export_format' }, ['invalid_export_format']);
      }
      const body = exportPaper(item);
      return {
        result: {
          export_metadata: {
            name: item.name.replace(/\.paper$/i, format === 'markdown' ? '.md' : '.html'),
            size: body.length,
          },
          file_metadata: renderMetadata(tenant, item, caller.view),
        },
        body,
      };
    },
    'sharing/get_shared_link_file': (arg) => {
      checkKeys('sharing/get_shared_link_file', arg, ['url', 'path', 'link_password']);
      const link = findLink(arg.url);
      return { result: linkMetadata(arg.url), body: link.content };
    },
  };

  // ---- auth -------------------------------------------------------------------------------------------
  const authenticate = (route: string, req: IncomingMessage): Caller => {
    const header = req.headers.authorization;
    if (!header)
      throw bad400(route, 'Must provide HTTP header "Authorization" or URL parameter "authorization".');
    const match = /^Bearer (\S+)$/.exec(header);
    if (!match) {
      throw bad400(
        route,
        'Invalid authorization value in HTTP header "Authorization". Expecting "Bearer <oauth2-access-token>".',
      );
    }
    const token = tokens.get(match[1] as string);
    if (!token) throw auth401('invalid_access_token');
    if (Date.now() >= token.expiresAt) throw auth401('expired_access_token');
    const isTeamRoute = TEAM_ROUTES.has(route);
    const selectUser = req.headers['dropbox-api-select-user'];
    if (token.kind === 'user') {
      if (isTeamRoute) {
        throw bad400(
          route,
          'This is a DfB team management function. The OAuth 2 access token you provided is for a specific Dropbox user account.',
        );
      }
      const home = homeItemOf(tenant.admin);
      return {
        kind: 'user',
        member: tenant.admin,
        view: { rootId: pathRoot(route, req, tenant.admin, 'user') ?? home?.id ?? null },
      };
    }
    if (isTeamRoute) {
      if (selectUser !== undefined)
        throw bad400(route, 'Dropbox-API-Select-User is not supported on team routes.');
      return { kind: 'team', member: undefined, view: { rootId: null } };
    }
    const selectAdmin = req.headers['dropbox-api-select-admin'];
    if (typeof selectUser !== 'string' && typeof selectAdmin === 'string') {
      const adminMember = tenant.memberById(selectAdmin);
      if (!adminMember || !adminMember.isAdmin || adminMember.status !== 'active')
        throw auth401('invalid_select_admin');
      const rooted = pathRoot(route, req, adminMember, 'team');
      return {
        kind: 'team',
        member: adminMember,
        view: { rootId: rooted === undefined ? (homeItemOf(adminMember)?.id ?? null) : rooted },
      };
    }
    if (typeof selectUser !== 'string') {
      throw bad400(
        route,
        'This API function operates on a single Dropbox account, but the OAuth 2 access token you provided is for an entire Dropbox Business team. Since your API app key has team member file access permissions, you can operate on a team member\'s Dropbox by providing the "Dropbox-API-Select-User" HTTP header or "select_user" URL parameter to specify the exact user <https://www.dropbox.com/developers/documentation/http/teams>.',
      );
    }
    const member = tenant.memberById(selectUser);
    if (!member || member.status === 'removed') throw auth401('invalid_select_user');
    const home = homeItemOf(member);
    const rooted = pathRoot(route, req, member, 'team');
    return { kind: 'team', member, view: { rootId: rooted === undefined ? (home?.id ?? null) : rooted } };
  };

  /** Dropbox-API-Path-Root → view root item id (null = team root), or undefined for "home". */
  const pathRoot = (
    route: string,
    req: IncomingMessage,
    member: SimMember,
    kind: 'team' | 'user',
  ): string | null | undefined => {
    const header = req.headers['dropbox-api-path-root'];
    if (typeof header !== 'string') return undefined;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(header) as Record<string, unknown>;
    } catch {
      throw bad400(route, 'HTTP header "Dropbox-API-Path-Root": could not decode input as JSON');
    }
    const tag = parsed['.tag'];
    if (tag === 'home') return undefined;
    const ns = tag === 'root' ? parsed.root : tag === 'namespace_id' ? parsed.namespace_id : undefined;
    if (typeof ns !== 'string') throw bad400(route, 'HTTP header "Dropbox-API-Path-Root": unknown tag');
    if (ns === tenant.rootNamespaceId && kind === 'team') return null;
    if (ns === member.homeNamespaceId) return homeItemOf(member)?.id ?? null;
    if (tag === 'namespace_id') {
      for (const item of tenant.items.values()) if (item.sharedFolderId === ns) return item.id;
    }
    const rootInfo =
      kind === 'team'
        ? {
            '.tag': 'team',
            root_namespace_id: tenant.rootNamespaceId,
            home_namespace_id: member.homeNamespaceId,
            home_path: `/${member.displayName}`,
          }
        : {
            '.tag': 'user',
            root_namespace_id: member.homeNamespaceId,
            home_namespace_id: member.homeNamespaceId,
          };
    const error =
      tag === 'root' ? { '.tag': 'invalid_root', invalid_root: rootInfo } : { '.tag': 'no_permission' };
    throw new HttpFailure(
      422,
      JSON.stringify({ error_summary: `${String(error['.tag'])}/${dots()}`, error }),
      'application/json',
    );
  };

  // ---- token endpoint ---------------------------------------------------------------------------------
  const oauthToken = (req: IncomingMessage, rawBody: Buffer): { status: number; body: unknown } => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const params = new URLSearchParams(url.search);
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('application/x-www-form-urlencoded')) {
      for (const [k, v] of new URLSearchParams(rawBody.toString())) params.set(k, v);
    }
    let clientId = params.get('client_id');
    let clientSecret = params.get('client_secret');
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    if (basic) {
      const [id, ...secret] = Buffer.from(basic[1] as string, 'base64')
        .toString()
        .split(':');
      clientId = id ?? null;
      clientSecret = secret.join(':');
    }
    if (params.get('grant_type') !== 'refresh_token') {
      return {
        status: 400,
        body: { error: 'unsupported_grant_type', error_description: 'grant_type must be refresh_token' },
      };
    }
    if (!clientId || !clientSecret) {
      return {
        status: 400,
        body: { error: 'invalid_request', error_description: 'No auth function available for given request' },
      };
    }
    if (clientId !== appKey || clientSecret !== appSecret) {
      return { status: 400, body: { error: 'invalid_client: Invalid client_id or client_secret' } };
    }
    const refresh = params.get('refresh_token') ?? '';
    if (!/^[A-Za-z0-9_-]+$/.test(refresh)) {
      return {
        status: 400,
        body: { error: 'invalid_grant', error_description: 'refresh token is malformed' },
      };
    }
    const kind =
      refresh === refreshTokens.team ? 'team' : refresh === refreshTokens.user ? 'user' : undefined;
    if (!kind || refreshRevoked) {
      return {
        status: 400,
        body: { error: 'invalid_grant', error_description: 'refresh token is invalid or revoked' },
      };
    }
    const accessToken = `sl.SIM${randomBytes(24).toString('base64url')}`;
    tokens.set(accessToken, { kind, expiresAt: Date.now() + tokenLifetime * 1000 });
    return {
      status: 200,
      body: { access_token: accessToken, token_type: 'bearer', expires_in: tokenLifetime },
    };
  };

  // ---- HTTP plumbing ----------------------------------------------------------------------------------
  const send = (
    res: ServerResponse,
    status: number,
    body: string | Buffer,
    type: string,
    headers: Record<string, string> = {},
  ): void => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, {
      'Content-Type': type,
      'Content-Length': bytes.length,
      'Cache-Control': 'no-cache',
      'X-Dropbox-Request-Id': randomBytes(16).toString('hex'),
      ...headers,
    });
    res.end(bytes);
  };

  const readBody = async (req: IncomingMessage): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };

  const admin = createAdmin();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const rawBody = await readBody(req);
    if (url.pathname.startsWith('/__admin/')) {
      handleAdmin(url, rawBody, res);
      return;
    }
    const host = url.pathname.startsWith('/api/')
      ? 'api'
      : url.pathname.startsWith('/content/')
        ? 'content'
        : undefined;
    const rest = host ? url.pathname.slice(host.length + 1) : url.pathname;
    const route = rest.startsWith('/2/') ? rest.slice(3) : rest.slice(1);
    counts.set(route, (counts.get(route) ?? 0) + 1);
    if (faults?.inject(req, res)) return;
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    try {
      if (req.method !== 'POST')
        throw new HttpFailure(405, 'Method Not Allowed', 'text/plain; charset=utf-8');
      const failures = routeFailures.get(route) ?? 0;
      if (failures > 0) {
        routeFailures.set(route, failures - 1);
        throw new HttpFailure(500, 'Internal Server Error', 'text/html');
      }
      if (host === 'api' && rest === '/oauth2/token') {
        const outcome = oauthToken(req, rawBody);
        send(res, outcome.status, JSON.stringify(outcome.body), 'application/json');
        return;
      }
      if (!host || !rest.startsWith('/2/'))
        throw new HttpFailure(404, 'Not Found', 'text/plain; charset=utf-8');
      if (CONTENT_ROUTES.has(route)) {
        if (host !== 'content') throw bad400(route, 'this route must be called on content.dropboxapi.com');
        if (req.headers['content-type'])
          throw bad400(route, 'Content-Type must be missing or empty for this route');
        const caller = authenticate(route, req);
        const raw = req.headers['dropbox-api-arg'];
        const argText = typeof raw === 'string' ? raw : url.searchParams.get('arg');
        if (argText === null)
          throw bad400(route, 'Must provide HTTP header "Dropbox-API-Arg" or URL parameter "arg".');
        if (typeof raw === 'string' && /[^\x20-\x7e]/.test(raw)) {
          throw bad400(route, 'HTTP header "Dropbox-API-Arg": could not decode input as JSON');
        }
        let arg: Record<string, unknown>;
        try {
          arg = JSON.parse(argText) as Record<string, unknown>;
        } catch {
          throw bad400(route, 'HTTP header "Dropbox-API-Arg": could not decode input as JSON');
        }
        const { result, body } = (content[route] as NonNullable<(typeof content)[string]>)(arg, caller);
        send(res, 200, body, 'application/octet-stream', {
          'Dropbox-API-Result': headerSafeJson(result),
          'Accept-Ranges': 'bytes',
        });
        return;
      }
      const handler = rpc[route];
      if (!handler)
        throw new HttpFailure(404, `Unknown API function: "${route}"`, 'text/plain; charset=utf-8');
      if (host !== 'api') throw bad400(route, 'this route must be called on api.dropboxapi.com');
      const caller = authenticate(route, req);
      let arg: Record<string, unknown> = {};
      const text = rawBody.toString('utf8');
      if (VOID_ROUTES.has(route)) {
        if (text !== '' && text !== 'null') throw bad400(route, 'request body: expected null, got value');
      } else {
        const type = req.headers['content-type'] ?? '';
        if (!/^application\/json(;|$)/.test(type)) {
          throw bad400(
            route,
            `Bad HTTP "Content-Type" header: "${type}".  Expecting one of "application/json", "application/json; charset=utf-8", "text/plain; charset=dropbox-cors-hack".`,
          );
        }
        try {
          arg = JSON.parse(text) as Record<string, unknown>;
        } catch {
          throw bad400(route, 'request body: could not decode input as JSON');
        }
        if (arg === null || typeof arg !== 'object') throw bad400(route, 'request body: expected object');
      }
      send(res, 200, JSON.stringify(handler(arg, caller, req)), 'application/json');
    } catch (error) {
      if (error instanceof HttpFailure) {
        send(res, error.status, error.body, error.contentType, error.headers);
        return;
      }
      send(res, 500, `Internal simulator error: ${(error as Error).message}`, 'text/plain; charset=utf-8');
    }
  };

  function handleAdmin(url: URL, rawBody: Buffer, res: ServerResponse): void {
    try {
      const body = rawBody.length ? (JSON.parse(rawBody.toString()) as Record<string, unknown>) : {};
      const op = url.pathname.slice('/__admin/'.length);
      let result: unknown = { ok: true };
      if (op === 'ground-truth') result = computeGroundTruth(tenant, body as GroundTruthOptions);
      else if (op === 'calls') result = Object.fromEntries(counts);
      else if (op === 'add-file')
        result = {
          id: admin.addFile(String(body.parent), String(body.name), body.content as string | undefined),
        };
      else if (op === 'add-folder') result = { id: admin.addFolder(String(body.parent), String(body.name)) };
      else if (op === 'modify') admin.modifyFile(String(body.path), body.content as string | undefined);
      else if (op === 'delete') admin.deleteItem(String(body.path));
      else if (op === 'move')
        admin.moveItem(String(body.path), String(body.parent), body.name as string | undefined);
      else if (op === 'reshare') admin.reshareFolder(String(body.path), body.members as SimMembers);
      else if (op === 'expire-cursors') admin.expireCursors();
      else throw new Error(`unknown admin operation "${op}"`);
      send(
        res,
        200,
        JSON.stringify(result, (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v)),
        'application/json',
      );
    } catch (error) {
      send(res, 400, JSON.stringify({ error: (error as Error).message }), 'application/json');
    }
  }

  function createAdmin(): DropboxSimulatorAdmin {
    const byPath = (path: string): SimItem => {
      const lower = path.toLowerCase();
      for (const item of tenant.items.values())
        if (tenant.pathOf(item.id).toLowerCase() === lower) return item;
      throw new Error(`no item at "${path}"`);
    };
    const parentId = (path: string): string | null => (path === '' || path === '/' ? null : byPath(path).id);
    const bytes = (value: string | Uint8Array | undefined): Buffer | undefined =>
      value === undefined ? undefined : Buffer.from(value);
    return {
      tenant,
      addFile: (parent, name, value) =>
        tenant.addFile(name, parentId(parent), 100, bytes(value ?? `${name} content`)).id,
      addFolder: (parent, name) => tenant.addFolder(name, parentId(parent)).id,
      modifyFile: (path, value) => void tenant.modifyFile(byPath(path).id, bytes(value)),
      deleteItem: (path) => tenant.deleteItem(byPath(path).id),
      moveItem: (path, newParent, newName) =>
        void tenant.moveItem(byPath(path).id, parentId(newParent), newName),
      reshareFolder: (path, members) => {
        const item = byPath(path);
        if (!item.sharedFolderId) throw new Error(`"${path}" is not a shared folder`);
        tenant.reshareFolder(item.sharedFolderId, members);
      },
      shareFile: (path, members) => tenant.shareFile(byPath(path).id, members),
      revokeReceivedFile: (id) => {
        const link = tenant.received.find((r) => r.id === id);
        if (!link) throw new Error(`no received file ${id}`);
        link.revoked = true;
      },
      mountReceivedFile: (id, parentPath) => void tenant.mountReceived(id, parentId(parentPath)),
      expireReceivedLink: (id) => {
        const link = tenant.received.find((r) => r.id === id);
        if (!link) throw new Error(`no received file ${id}`);
        link.expired = true;
      },
      expireCursors: () => {
        tenant.cursorEpoch += 1;
      },
      expireReceivedCursors: () => {
        receivedCursorEpoch += 1;
      },
      refuseReceivedCursors: (refuse) => {
        refuseReceived = refuse;
      },
      expireAccessTokens: () => {
        for (const token of tokens.values()) token.expiresAt = 0;
      },
      revokeRefreshTokens: () => {
        refreshRevoked = true;
      },
      failRoute: (route, times) => {
        routeFailures.set(route, times);
      },
      setFaultRate: (rate) => faults?.setRate(rate),
    };
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, String(error), 'text/plain; charset=utf-8');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  return {
    url,
    admin,
    faults,
    groundTruth: (gtOptions) => computeGroundTruth(tenant, gtOptions),
    callCounts: () => Object.fromEntries(counts),
    resetCallCounts: () => counts.clear(),
    configFor: (configOptions) => ({
      path: '',
      app_key: appKey,
      app_secret: appSecret,
      refresh_token: refreshTokens[configOptions?.tokenKind ?? 'team'],
      api_base_url: `${url}/api`,
      content_base_url: `${url}/content`,
      oauth_base_url: `${url}/api`,
    }),
    close,
    [Symbol.asyncDispose]: close,
  };
}
