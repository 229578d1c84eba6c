import type { files, sharing } from 'dropbox';
import {
  CursorExpiredError,
  ELASTIC_SUPPORTED_EXTENSIONS,
  createLimiter,
  readAhead,
  throwIfAborted,
  UpstreamError,
  checkpoint as checkpointEvent,
  cursor as cursorEvent,
  remove,
  skip,
  upsert,
  type ContentSource,
  type JsonObject,
  type JsonValue,
  type ListingEvent,
  type ReadAhead,
} from '@connectors/framework';
import type { DropboxAdvancedRule } from './advanced-rules.js';
import type { DropboxClient } from './dropbox-client.js';
import {
  isPaperEntry,
  mapEntry,
  mapSharedLink,
  type DropboxEntry,
  type DropboxSharedLink,
} from './map-entry.js';
import { mapMembers, toSortedAcl, type DropboxMembers } from './map-members.js';
import { PathIndex } from './path-index.js';

/** Extensions worth downloading for extraction: the framework's list (the reference's Tika list, spec 7). */
export const EXTRACTABLE_EXTENSIONS: ReadonlySet<string> = ELASTIC_SUPPORTED_EXTENSIONS;

/** Shared folders whose members are listed at once. */
const FOLDER_MEMBERS_CONCURRENCY = 4;

/** Received files whose metadata is fetched at once. */
const RECEIVED_CONCURRENCY = 8;

/** Received-file events (and page marks) read ahead of the tree listing at most: a few pages of 300. */
const RECEIVED_READ_AHEAD = 1000;

/** Pages of changes whose old paths are looked up by a walk of the path index, before a map of every id. */
const PAGES_BEFORE_PATH_MAP = 4;

/** Times the received-files list is read again from the start after Dropbox refused its page cursor. */
const MAX_RECEIVED_RESTARTS = 3;

/** Who the source acts as, resolved once per instance. */
export interface DropboxSession {
  readonly accountId: string;
  readonly memberId: string | undefined;
  readonly rootNamespaceId: string | undefined;
  readonly team: boolean;
}

/** What the listing functions need. */
export interface ListingContext {
  readonly client: DropboxClient;
  readonly session: DropboxSession;
  readonly path: string;
  readonly dls: boolean;
  readonly includeGroups: boolean;
  readonly maxFileSize: number;
  /** Builds a checkpoint when one is due (see `checkpointPacer`), else returns undefined. */
  readonly takeCheckpoint: CheckpointPacer;
}

/** Builds a checkpoint with `build` when one is due; undefined when not. */
export type CheckpointPacer = (build: () => JsonValue) => JsonValue | undefined;

/** With adaptive pacing, the wait after a checkpoint is this many times what building it took. */
const ADAPTIVE_CHECKPOINT_FACTOR = 50;

/**
 * Paces checkpoints. A Dropbox checkpoint holds the path index of everything listed so far, so one after
 * every page would make a listing's cost grow with the square of its size.
 * - With `intervalMs`, a checkpoint is due once that long has passed since the listing started or since the
 *   last one (0: after every page).
 * - Without it (the default), the wait after a checkpoint is 50 times what building it took. Checkpoints
 *   then cost at most about 2% of the listing: after every page on a small Dropbox, every few seconds on
 *   one of 100,000 files.
 */
export function checkpointPacer(clock: { now(): number }, intervalMs?: number): CheckpointPacer {
  let last = clock.now();
  let wait = intervalMs ?? 0;
  return (build) => {
    if (clock.now() - last < wait) return undefined;
    const started = clock.now();
    const value = build();
    last = clock.now();
    if (intervalMs === undefined) wait = (last - started) * ADAPTIVE_CHECKPOINT_FACTOR;
    return value;
  };
}

/** A checkpoint event when one is due. */
function* dueCheckpoint(pace: CheckpointPacer, build: () => JsonValue): Generator<ListingEvent> {
  const value = pace(build);
  if (value !== undefined) yield checkpointEvent(value);
}

/** The stored incremental state (the `cursor` event's value). */
interface ChangeState {
  v: 2;
  account: string;
  path: string;
  dls: boolean;
  groups: boolean;
  /** Final `list_folder` cursor (a change cursor). */
  listCursor: string;
  /** Trie of path_lower → id of every listed item (Dropbox `deleted` entries carry only a path). */
  index: JsonObject;
  /** Received file id → preview URL. */
  received: Record<string, string>;
  /** Shared folder id → {id of its folder, ACL digest} (DLS: re-shares are detected through these). */
  shared: Record<string, { id: string; acl: string }>;
}

/** A stored resume point of a listing. */
interface StoredCheckpoint extends Omit<ChangeState, 'listCursor'> {
  phase: 'files' | 'received';
  listCursor?: string;
  receivedCursor?: string;
}

/** The in-memory state of a running listing. */
interface Work extends Omit<StoredCheckpoint, 'index'> {
  index: PathIndex;
}

/**
 * A snapshot of the listing state. The engine serializes it later (once the writes before it are
 * acknowledged), so the maps the listing keeps adding to are copied now; the index's stored form shares
 * nothing mutable.
 */
function toCheckpoint(work: Work): JsonValue {
  return {
    ...work,
    received: { ...work.received },
    shared: { ...work.shared },
    index: work.index.toJSON(),
  } as unknown as JsonValue;
}

function toChangeState(work: Work): JsonValue {
  const state: ChangeState = {
    v: 2,
    account: work.account,
    path: work.path,
    dls: work.dls,
    groups: work.groups,
    listCursor: work.listCursor ?? '',
    index: work.index.toJSON(),
    received: work.received,
    shared: work.shared,
  };
  return state as unknown as JsonValue;
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

/** Lazy content of a tree entry, or undefined when it is not worth downloading. */
function entryContent(ctx: ListingContext, entry: DropboxEntry): ContentSource | undefined {
  if (entry['.tag'] !== 'file' || !entry.id) return undefined;
  const size = entry.size ?? 0;
  const paper = isPaperEntry(entry);
  if (size <= 0 || size > ctx.maxFileSize || !EXTRACTABLE_EXTENSIONS.has(extensionOf(entry.name)))
    return undefined;
  if (entry.is_downloadable === false && !paper) return undefined;
  const id = entry.id;
  return {
    filename: paper ? entry.name.replace(/\.paper$/i, '.md') : entry.name,
    size,
    download: async (signal) => {
      const download = paper
        ? await ctx.client.download(
            'member',
            `export of "${entry.name}"`,
            'files/export',
            { path: id, export_format: 'markdown' },
            signal,
          )
        : await ctx.client.download(
            'member',
            `download of "${entry.name}"`,
            'files/download',
            { path: id },
            signal,
          );
      return download.body;
    },
  };
}

function linkContent(ctx: ListingContext, link: DropboxSharedLink): ContentSource | undefined {
  const size = link.size ?? 0;
  if (size <= 0 || size > ctx.maxFileSize || !EXTRACTABLE_EXTENSIONS.has(extensionOf(link.name)))
    return undefined;
  return {
    filename: link.name,
    size,
    download: async (signal) => {
      const download = await ctx.client.download(
        'member',
        `download of shared file "${link.name}"`,
        'sharing/get_shared_link_file',
        { url: link.url },
        signal,
      );
      return download.body;
    },
  };
}

/** Resolves ACLs: shared-folder members once per folder per run, explicit file members in batches. */
class AclResolver {
  private readonly folders = new Map<string, Promise<string[]>>();
  private readonly limiter = createLimiter(FOLDER_MEMBERS_CONCURRENCY);
  constructor(private readonly ctx: ListingContext) {}

  get owner(): string[] {
    return [`user_id:${this.ctx.session.accountId}`];
  }

  /** All members of a shared folder (every page), as ACL values. */
  folderAcl(sharedFolderId: string, signal: AbortSignal): Promise<string[]> {
    let pending = this.folders.get(sharedFolderId);
    if (!pending) {
      pending = this.readFolder(sharedFolderId, signal);
      // A failure is kept for the run: every item of that folder is skipped, without one call per item.
      pending.catch(() => undefined);
      this.folders.set(sharedFolderId, pending);
    }
    return pending;
  }

  private async readFolder(sharedFolderId: string, signal: AbortSignal): Promise<string[]> {
    const what = `members of shared folder ${sharedFolderId}`;
    const { client } = this.ctx;
    let page = await client.call(
      'member',
      what,
      (dbx, o) => dbx.sharingListFolderMembers({ shared_folder_id: sharedFolderId, limit: 1000 }, o),
      signal,
    );
    const acl = mapMembers(page as DropboxMembers, this.ctx.includeGroups);
    while (page.cursor) {
      const next: string = page.cursor;
      page = await client.call(
        'member',
        what,
        (dbx, o) => dbx.sharingListFolderMembersContinue({ cursor: next }, o),
        signal,
      );
      acl.push(...mapMembers(page as DropboxMembers, this.ctx.includeGroups));
    }
    return acl;
  }

  /** Every page of a file's members (starting from a batch result's page, or a fresh call). */
  async fileMembers(
    fileId: string,
    first: (DropboxMembers & { cursor?: string }) | undefined,
    inherited: boolean,
    signal: AbortSignal,
  ): Promise<string[]> {
    const what = `members of file ${fileId}`;
    const { client } = this.ctx;
    let page: DropboxMembers & { cursor?: string } =
      first ??
      ((await client.call(
        'member',
        what,
        (dbx, o) => dbx.sharingListFileMembers({ file: fileId, include_inherited: inherited, limit: 300 }, o),
        signal,
      )) as DropboxMembers & { cursor?: string });
    const acl = mapMembers(page, this.ctx.includeGroups);
    while (page.cursor) {
      const next: string = page.cursor;
      page = (await client.call(
        'member',
        what,
        (dbx, o) => dbx.sharingListFileMembersContinue({ cursor: next }, o),
        signal,
      )) as DropboxMembers & { cursor?: string };
      acl.push(...mapMembers(page, this.ctx.includeGroups));
    }
    return acl;
  }

  /** ACL per entry id, or an Error (the entry is then skipped: never indexed as public). */
  async resolve(
    entries: readonly DropboxEntry[],
    signal: AbortSignal,
  ): Promise<Map<string, string[] | Error>> {
    const out = new Map<string, string[] | Error>();
    const explicit: DropboxEntry[] = [];
    const sidOf = (entry: DropboxEntry): string | undefined => {
      const own =
        entry['.tag'] === 'folder'
          ? (entry.sharing_info?.shared_folder_id ?? entry.shared_folder_id)
          : undefined;
      return own ?? entry.sharing_info?.parent_shared_folder_id ?? entry.parent_shared_folder_id;
    };
    // Start the member listings of this page's shared folders together (cached, a few at a time).
    const sids = new Set(
      entries.map(sidOf).filter((sid): sid is string => !!sid && sid !== this.ctx.session.rootNamespaceId),
    );
    await Promise.allSettled(
      [...sids].map((sid) => this.limiter.run(() => this.folderAcl(sid, signal), signal)),
    );
    for (const entry of entries) {
      if (!entry.id) continue;
      const sid = sidOf(entry);
      try {
        const base =
          sid && sid !== this.ctx.session.rootNamespaceId ? await this.folderAcl(sid, signal) : this.owner;
        out.set(entry.id, base);
      } catch (error) {
        out.set(entry.id, error as Error);
        continue;
      }
      if (entry['.tag'] === 'file' && entry.has_explicit_shared_members) explicit.push(entry);
    }
    for (let i = 0; i < explicit.length; i += 100) {
      const batch = explicit.slice(i, i + 100);
      let results: sharing.ListFileMembersBatchResult[];
      try {
        results = await this.ctx.client.call(
          'member',
          'members of shared files',
          (dbx, o) =>
            dbx.sharingListFileMembersBatch({ files: batch.map((e) => e.id as string), limit: 20 }, o),
          signal,
        );
      } catch (error) {
        for (const entry of batch) out.set(entry.id as string, error as Error);
        continue;
      }
      for (const item of results) {
        const base = out.get(item.file);
        if (!Array.isArray(base)) continue;
        const result = item.result as { '.tag': string; members?: DropboxMembers & { cursor?: string } };
        if (result['.tag'] !== 'result' || !result.members) {
          out.set(item.file, new Error(`members of file ${item.file}: ${result['.tag']}`));
          continue;
        }
        try {
          out.set(item.file, [
            ...base,
            ...(await this.fileMembers(item.file, result.members, false, signal)),
          ]);
        } catch (error) {
          out.set(item.file, error as Error);
        }
      }
    }
    for (const [id, acl] of out) if (Array.isArray(acl)) out.set(id, toSortedAcl(acl));
    return out;
  }
}

function aclDigest(acl: readonly string[]): string {
  return [...acl].sort().join('|');
}

/** Emits the events of one page of tree entries (files and folders; deleted entries are handled by callers). */
async function* entriesPage(
  ctx: ListingContext,
  acls: AclResolver,
  entries: readonly DropboxEntry[],
  state: Pick<Work, 'index' | 'shared'>,
  signal: AbortSignal,
): AsyncGenerator<ListingEvent> {
  const live = entries.filter((e) => (e['.tag'] === 'file' || e['.tag'] === 'folder') && e.id);
  const resolved = ctx.dls ? await acls.resolve(live, signal) : undefined;
  for (const entry of live) {
    const id = entry.id as string;
    if (entry.path_lower) state.index.set(entry.path_lower, id);
    let acl: string[] | undefined;
    if (resolved) {
      const value = resolved.get(id);
      if (!Array.isArray(value) || value.length === 0) {
        yield skip(
          `[dropbox] permissions of "${entry.path_display ?? entry.name}" could not be read: ${value instanceof Error ? value.message : 'empty ACL'}`,
          id,
        );
        continue;
      }
      acl = value;
      const sid =
        entry['.tag'] === 'folder'
          ? (entry.sharing_info?.shared_folder_id ?? entry.shared_folder_id)
          : undefined;
      if (sid) state.shared[sid] = { id, acl: aclDigest(acl) };
    }
    try {
      yield upsert(mapEntry(entry, acl), entryContent(ctx, entry));
    } catch (error) {
      yield skip(`[dropbox] unreadable entry "${entry.name}": ${(error as Error).message}`, id);
    }
  }
}

/** True when a mounted item's path is inside the configured path (so the tree listing covers it). */
function inListedPath(ctx: ListingContext, pathLower: string | undefined): boolean {
  if (!pathLower) return false;
  const root = ctx.path.toLowerCase();
  return root === '' || pathLower === root || pathLower.startsWith(`${root}/`);
}

/** Reads one received file: its link metadata and (with DLS) its members; a skip when either fails. */
async function receivedFile(
  ctx: ListingContext,
  acls: AclResolver,
  entry: sharing.SharedFileMetadata,
  signal: AbortSignal,
): Promise<ListingEvent> {
  let link: DropboxSharedLink;
  try {
    link = (await ctx.client.call(
      'member',
      `metadata of shared file "${entry.name}"`,
      (dbx, o) => dbx.sharingGetSharedLinkMetadata({ url: entry.preview_url }, o),
      signal,
    )) as DropboxSharedLink;
  } catch (error) {
    return skip((error as Error).message, entry.id);
  }
  const withId = { ...link, id: link.id ?? entry.id };
  let acl: string[] | undefined;
  if (ctx.dls) {
    try {
      acl = toSortedAcl(await acls.fileMembers(entry.id, undefined, true, signal));
    } catch (error) {
      return skip(
        `[dropbox] permissions of shared file "${entry.name}" could not be read: ${(error as Error).message}`,
        entry.id,
      );
    }
    if (acl.length === 0)
      return skip(`[dropbox] shared file "${entry.name}" has no readable members`, entry.id);
  }
  return upsert(mapSharedLink(withId, acl), linkContent(ctx, withId));
}

/** What the received-files reader yields: events, then after each page the files it listed and the next cursor. */
type ReceivedStep =
  | { readonly kind: 'event'; readonly event: ListingEvent }
  | { readonly kind: 'page'; readonly listed: Record<string, string>; readonly cursor: string | undefined };

/**
 * Reads received files (shared with the account) from the start or from a page cursor: metadata through
 * their shared link, ACL from their members, a few files at a time, events in listing order. Files in
 * `known` with the same preview URL are not read again (incremental runs). Touches no listing state, so it
 * can run ahead of the tree listing (see `readAhead`).
 *
 * Running ahead, it can hold a page cursor for as long as the tree takes. When Dropbox no longer accepts
 * it (409 `invalid_cursor`), the list is read again from the start, skipping the files already handled (3
 * times at most; then the error ends the listing).
 */
async function* receivedSteps(
  ctx: ListingContext,
  startCursor: string | undefined,
  known: Readonly<Record<string, string>> | undefined,
  signal: AbortSignal,
): AsyncGenerator<ReceivedStep> {
  const { client } = ctx;
  // Its own resolver: received files only list file members, and the tree's folder cache must not hold
  // calls made under this reader's signal.
  const acls = new AclResolver(ctx);
  const limiter = createLimiter(RECEIVED_CONCURRENCY);
  const handled = new Set<string>();
  const firstPage = () =>
    client.call(
      'member',
      'list of received files',
      (dbx, o) => dbx.sharingListReceivedFiles({ limit: 300 }, o),
      signal,
    );
  let restarts = 0;
  const nextPage = async (cursor: string): Promise<sharing.ListFilesResult> => {
    try {
      return await client.call(
        'member',
        'list of received files',
        (dbx, o) => dbx.sharingListReceivedFilesContinue({ cursor }, o),
        signal,
      );
    } catch (error) {
      // A few restarts at most: a Dropbox that refuses every cursor fails the listing instead of looping.
      if (!isInvalidCursor(error) || restarts >= MAX_RECEIVED_RESTARTS) throw error;
      restarts += 1;
      return firstPage();
    }
  };
  let page: sharing.ListFilesResult = startCursor ? await nextPage(startCursor) : await firstPage();
  for (;;) {
    // A received file added to the account's Dropbox inside the listed path is already in the tree listing.
    const entries = page.entries.filter(
      (entry) => !inListedPath(ctx, entry.path_lower) && !handled.has(entry.id),
    );
    for (const entry of entries) handled.add(entry.id);
    const fresh = entries.filter((entry) => !(known && known[entry.id] === entry.preview_url));
    const listed: Record<string, string> = {};
    for (const entry of entries) listed[entry.id] = entry.preview_url;
    const outcomes = fresh.map((entry) => limiter.run(() => receivedFile(ctx, acls, entry, signal), signal));
    for (const outcome of outcomes) outcome.catch(() => undefined); // awaited below; never unhandled
    for (const [i, outcome] of outcomes.entries()) {
      const event = await outcome;
      throwIfAborted(signal);
      if (event.kind === 'skip') {
        // An unreadable file keeps its previous state (so an incremental run does not delete its document);
        // a new one is not recorded, and is read again next time.
        const id = (fresh[i] as sharing.SharedFileMetadata).id;
        const previous = known?.[id];
        if (previous === undefined) delete listed[id];
        else listed[id] = previous;
      }
      yield { kind: 'event', event };
    }
    yield { kind: 'page', listed, cursor: page.cursor || undefined };
    if (!page.cursor) break;
    page = await nextPage(page.cursor);
  }
}

/** A 409 `invalid_cursor` from a `/continue` call (the cursor is no longer accepted). */
function isInvalidCursor(error: unknown): boolean {
  if (!UpstreamError.isInstance(error) || error.status !== 409) return false;
  const tag = (error.details as { tag?: unknown } | undefined)?.tag;
  return typeof tag === 'string' && tag.split('/')[0] === 'invalid_cursor';
}

/** Starts reading received files now, to be emitted after the tree (`receivedFiles`). */
function readReceivedAhead(
  ctx: ListingContext,
  startCursor: string | undefined,
  known: Readonly<Record<string, string>> | undefined,
  signal: AbortSignal,
): ReadAhead<ReceivedStep> {
  return readAhead((ahead) => receivedSteps(ctx, startCursor, known, ahead), {
    limit: RECEIVED_READ_AHEAD,
    signal,
  });
}

/** Emits the received files' events and records them in the listing state; a checkpoint after a page when due. */
async function* receivedFiles(
  steps: AsyncIterable<ReceivedStep>,
  state: Work,
  pace: CheckpointPacer | undefined,
): AsyncGenerator<ListingEvent> {
  for await (const step of steps) {
    if (step.kind === 'event') {
      yield step.event;
      continue;
    }
    Object.assign(state.received, step.listed);
    if (!step.cursor) break;
    state.receivedCursor = step.cursor;
    if (pace) yield* dueCheckpoint(pace, () => toCheckpoint(state));
  }
}

function listFolderArg(ctx: ListingContext): files.ListFolderArg {
  return {
    path: ctx.path,
    recursive: true,
    include_deleted: false,
    include_has_explicit_shared_members: ctx.dls,
    include_non_downloadable_files: true,
    limit: 2000,
  };
}

/** A full listing: the tree at the configured path, then received files; ends with the change cursor. */
export async function* listAllEntries(
  ctx: ListingContext,
  resume: JsonValue | undefined,
  signal: AbortSignal,
): AsyncGenerator<ListingEvent> {
  const acls = new AclResolver(ctx);
  const resumed = isCheckpoint(resume, ctx) ? resume : undefined;
  const state: Work = resumed
    ? { ...resumed, index: PathIndex.fromJSON(resumed.index) }
    : {
        v: 2,
        account: ctx.session.accountId,
        path: ctx.path,
        dls: ctx.dls,
        groups: ctx.includeGroups,
        index: new PathIndex(),
        received: {},
        shared: {},
        phase: 'files',
      };
  const { client } = ctx;
  // Received files are read while the tree is listed (and its content downloaded): their metadata comes one
  // call per file, which would otherwise leave the job waiting at the end.
  const received = readReceivedAhead(
    ctx,
    state.phase === 'received' ? state.receivedCursor : undefined,
    undefined,
    signal,
  );
  try {
    if (state.phase === 'files') {
      const what = `list_folder at "${ctx.path || '/'}"`;
      let page: files.ListFolderResult = state.listCursor
        ? await client.call(
            'member',
            what,
            (dbx, o) => dbx.filesListFolderContinue({ cursor: state.listCursor as string }, o),
            signal,
          )
        : await client.call('member', what, (dbx, o) => dbx.filesListFolder(listFolderArg(ctx), o), signal);
      for (;;) {
        yield* entriesPage(ctx, acls, page.entries as DropboxEntry[], state, signal);
        state.listCursor = page.cursor;
        if (!page.has_more) break;
        yield* dueCheckpoint(ctx.takeCheckpoint, () => toCheckpoint(state));
        const next = page.cursor;
        page = await client.call(
          'member',
          what,
          (dbx, o) => dbx.filesListFolderContinue({ cursor: next }, o),
          signal,
        );
      }
      state.phase = 'received';
      yield* dueCheckpoint(ctx.takeCheckpoint, () => toCheckpoint(state));
    }
    yield* receivedFiles(received, state, ctx.takeCheckpoint);
  } finally {
    await received.close();
  }
  yield cursorEvent(toChangeState(state));
}

function isCheckpoint(
  value: JsonValue | undefined,
  ctx: ListingContext,
): value is StoredCheckpoint & JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return (
    value.v === 2 &&
    typeof value.index === 'object' &&
    (value.phase === 'files' || value.phase === 'received') &&
    value.account === ctx.session.accountId &&
    value.path === ctx.path &&
    value.dls === ctx.dls &&
    value.groups === ctx.includeGroups
  );
}

/** An incremental listing from a stored change cursor: only the changes, deletions included. */
export async function* listChangedEntries(
  ctx: ListingContext,
  stored: JsonValue,
  resume: JsonValue | undefined,
  signal: AbortSignal,
): AsyncGenerator<ListingEvent> {
  const state = parseChangeState(stored, ctx);
  const acls = new AclResolver(ctx);
  // A checkpoint of an interrupted incremental run carries the page cursor and the index at that point.
  const resumed = isCheckpoint(resume, ctx) && resume.phase === 'files' ? resume : undefined;
  const base = resumed ?? state;

  // Received files have no change cursor: they are re-listed (cheap), and only new or changed ones are
  // read, while the tree changes are listed. Nothing before the received phase touches `work.received`.
  const previous = base.received;
  const received = readReceivedAhead(ctx, undefined, previous, signal);
  try {
    const work: Work = { ...base, index: PathIndex.fromJSON(base.index), phase: 'files' };
    yield* treeChanges(ctx, acls, work, state.listCursor, signal);
    if (ctx.dls) yield* reshared(ctx, acls, work, signal);
    work.received = {};
    work.receivedCursor = undefined;
    yield* receivedFiles(received, work, undefined);
    // Gone from the received list, unless it is now a tree item (a received file added inside the listed
    // path).
    const gone = new Set(Object.keys(previous).filter((id) => !(id in work.received)));
    const inTree = work.index.pathsOf(gone);
    for (const id of gone) if (!inTree.has(id)) yield remove(id);
    delete work.receivedCursor;
    yield cursorEvent(toChangeState(work));
  } finally {
    await received.close();
  }
}

/** The tree's changes since a change cursor (or a checkpoint's page cursor), deletions included. */
async function* treeChanges(
  ctx: ListingContext,
  acls: AclResolver,
  work: Work,
  storedCursor: string,
  signal: AbortSignal,
): AsyncGenerator<ListingEvent> {
  const { client } = ctx;
  const what = `list_folder/continue at "${ctx.path || '/'}"`;
  let walks = 0;
  let allPaths: Map<string, string> | undefined;
  let page = await client.call(
    'member',
    what,
    (dbx, o) => dbx.filesListFolderContinue({ cursor: work.listCursor ?? storedCursor }, o),
    signal,
  );
  for (;;) {
    const entries = page.entries as DropboxEntry[];
    const upserted = new Set(
      entries.filter((e) => e['.tag'] !== 'deleted' && e.id).map((e) => e.id as string),
    );
    // Where this page's items were, so that a moved item's old path is cleared (not its new one deleted).
    // For the first pages, one walk looks up this page's ids only (a map of every id would cost more than a
    // few changes); past those, one map of every id, kept up to date, costs less than a walk per page.
    let pathById: Map<string, string>;
    if (allPaths) pathById = allPaths;
    else if (walks < PAGES_BEFORE_PATH_MAP) {
      walks += 1;
      pathById = work.index.pathsOf(upserted);
    } else {
      const map = new Map<string, string>();
      work.index.forEach((path, id) => map.set(id, path));
      allPaths = map;
      pathById = map;
    }
    const deletions: string[] = [];
    for (const entry of entries) {
      if (entry['.tag'] === 'deleted' && entry.path_lower) {
        for (const id of work.index.takeSubtree(entry.path_lower)) {
          pathById.delete(id);
          if (!upserted.has(id)) deletions.push(id);
        }
      } else if (entry.id) {
        if (entry['.tag'] === 'file' && entry.path_lower) {
          // A file replaces whatever was at its path, children included.
          for (const id of work.index.takeSubtree(entry.path_lower)) {
            if (id === entry.id) continue;
            pathById.delete(id);
            if (!upserted.has(id)) deletions.push(id);
          }
        }
        const old = pathById.get(entry.id);
        if (old && old !== entry.path_lower) work.index.clear(old);
        if (entry.path_lower) pathById.set(entry.id, entry.path_lower);
      }
    }
    yield* entriesPage(ctx, acls, entries, work, signal);
    for (const id of new Set(deletions)) yield remove(id);
    work.listCursor = page.cursor;
    if (!page.has_more) break;
    yield* dueCheckpoint(ctx.takeCheckpoint, () => toCheckpoint(work));
    const next = page.cursor;
    page = await client.call(
      'member',
      what,
      (dbx, o) => dbx.filesListFolderContinue({ cursor: next }, o),
      signal,
    );
  }
}

/** Re-emits the content of shared folders whose members changed (permissions are not list_folder changes). */
async function* reshared(
  ctx: ListingContext,
  acls: AclResolver,
  state: Work,
  signal: AbortSignal,
): AsyncGenerator<ListingEvent> {
  for (const [sid, known] of Object.entries(state.shared)) {
    let acl: string[];
    try {
      acl = toSortedAcl(await acls.folderAcl(sid, signal));
    } catch {
      // Keep the known digest: the folder is compared again on the next run (dropping it would stop its
      // permission changes from ever being noticed).
      continue;
    }
    if (aclDigest(acl) === known.acl) continue;
    const what = `list_folder of re-shared folder ${known.id}`;
    let page = await ctx.client.call(
      'member',
      what,
      (dbx, o) => dbx.filesListFolder({ ...listFolderArg(ctx), path: known.id }, o),
      signal,
    );
    for (;;) {
      yield* entriesPage(ctx, acls, page.entries as DropboxEntry[], state, signal);
      if (!page.has_more) break;
      const next = page.cursor;
      page = await ctx.client.call(
        'member',
        what,
        (dbx, o) => dbx.filesListFolderContinue({ cursor: next }, o),
        signal,
      );
    }
  }
}

function parseChangeState(value: JsonValue, ctx: ListingContext): ChangeState {
  const state = value as unknown as Partial<ChangeState> & { mode?: string };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CursorExpiredError(
      '[dropbox] The stored cursor is not a Dropbox cursor; a full sync is needed',
    );
  }
  if (state.mode === 'rules') {
    throw new CursorExpiredError(
      '[dropbox] Advanced sync rules use search, which has no change cursor; running a full sync',
    );
  }
  if (
    state.v !== 2 ||
    typeof state.listCursor !== 'string' ||
    !state.listCursor ||
    typeof state.index !== 'object'
  ) {
    throw new CursorExpiredError('[dropbox] The stored cursor has an unknown format; a full sync is needed');
  }
  if (
    state.account !== ctx.session.accountId ||
    state.path !== ctx.path ||
    state.dls !== ctx.dls ||
    state.groups !== ctx.includeGroups
  ) {
    throw new CursorExpiredError(
      '[dropbox] The configuration (account, path or permissions settings) changed since the last sync; a full sync is needed',
    );
  }
  return {
    ...(state as ChangeState),
    received: { ...(state.received ?? {}) },
    shared: { ...(state.shared ?? {}) },
  };
}

/** A listing driven by advanced rules: the union of `files/search_v2` results, each item once. */
export async function* listByRules(
  ctx: ListingContext,
  rules: readonly DropboxAdvancedRule[],
  signal: AbortSignal,
): AsyncGenerator<ListingEvent> {
  const acls = new AclResolver(ctx);
  const seen = new Set<string>();
  const state: Pick<Work, 'index' | 'shared'> = { index: new PathIndex(), shared: {} };
  for (const [index, rule] of rules.entries()) {
    const what = `search for advanced rule ${index} ("${rule.query}")`;
    let page = await ctx.client.call(
      'member',
      what,
      (dbx, o) => dbx.filesSearchV2(rule as unknown as files.SearchV2Arg, o),
      signal,
    );
    for (;;) {
      const entries: DropboxEntry[] = [];
      for (const match of page.matches) {
        const meta = match.metadata as { '.tag': string; metadata?: DropboxEntry & { preview_url?: string } };
        const data = meta.metadata;
        if (
          meta['.tag'] !== 'metadata' ||
          !data ||
          data['.tag'] === 'deleted' ||
          !data.id ||
          seen.has(data.id)
        )
          continue;
        seen.add(data.id);
        entries.push(data);
      }
      yield* entriesPage(ctx, acls, entries, state, signal);
      state.index = new PathIndex();
      if (!page.has_more || !page.cursor) break;
      const next = page.cursor;
      page = await ctx.client.call(
        'member',
        what,
        (dbx, o) => dbx.filesSearchContinueV2({ cursor: next }, o),
        signal,
      );
    }
  }
  yield cursorEvent({ v: 1, mode: 'rules' });
}
