import { createHash } from 'node:crypto';
import { ALPHABETS, createRandom, type Random } from './random.js';

/** A team member of the simulated tenant. */
export interface SimMember {
  teamMemberId: string;
  accountId: string;
  email: string;
  givenName: string;
  surname: string;
  displayName: string;
  status: 'active' | 'invited' | 'suspended' | 'removed';
  groups: string[];
  joinedOn: string;
  isAdmin: boolean;
  homeNamespaceId: string;
}

/** A team group. */
export interface SimGroup {
  groupId: string;
  name: string;
  memberIds: string[];
}

/** Who may access a shared folder or an individually shared file. */
export interface SimMembers {
  users: { accountId: string; access: 'owner' | 'editor' | 'viewer' }[];
  groups: { groupId: string; access: 'editor' | 'viewer' }[];
  invitees: { email: string; access: 'editor' | 'viewer' }[];
}

/** A file or folder of the tenant's tree (seen from the team root namespace). */
export interface SimItem {
  id: string;
  kind: 'file' | 'folder';
  name: string;
  /** Parent folder id; null for items directly in the team root. */
  parentId: string | null;
  /** Set on shared-folder mount points (team folders, shared folders). */
  sharedFolderId?: string;
  /** Files: bytes, times, revision. */
  content?: Buffer;
  clientModified?: string;
  serverModified?: string;
  rev?: string;
  /** Files shared individually (not through a folder). */
  explicitMembers?: SimMembers;
  /** The member home folder this item is (mount of a home namespace). */
  homeOf?: string;
}

/** A file shared individually with the admin (a received file, reached through its shared link). */
export interface SimReceivedFile {
  id: string;
  name: string;
  url: string;
  content: Buffer;
  clientModified: string;
  serverModified: string;
  rev: string;
  ownerAccountId: string;
  members: SimMembers;
  /** Revoked: no longer listed. */
  revoked: boolean;
  /** Expired link: still listed, but its metadata and file answer 409 shared_link_not_found. */
  expired?: boolean;
  /** Added to the admin's Dropbox: also a tree item with the same id (listed with its path). */
  mounted?: boolean;
}

/** One recorded change of the tree, replayed by `list_folder/continue`. */
export type SimChange =
  | { seq: number; kind: 'upsert'; itemId: string }
  | { seq: number; kind: 'deleted'; name: string; pathLower: string; pathDisplay: string };

/** Tenant size: a preset or an exact number of files. */
export type TenantSize = 'small' | 'medium' | 'large' | number;

const SIZES: Record<'small' | 'medium' | 'large', number> = { small: 40, medium: 400, large: 4000 };

/** Extensions the generator uses (some extractable, some not). */
const EXTENSIONS = ['txt', 'md', 'json', 'csv', 'html', 'py', 'pdf', 'png', 'docx', 'paper', ''];

const WORDS = [
  'report',
  'plan',
  'notes',
  'budget',
  'Café',
  'résumé',
  '日本語',
  'naïve',
  'draft "final"',
  "it's",
  'R&D',
  '100% done',
  'a+b',
  '#1',
  'emoji 😀',
  'Übersicht',
  'back\\slash',
  'données',
];

/** Deterministic time: seconds after 2025-01-01 → `YYYY-MM-DDTHH:MM:SSZ`. */
function isoAt(seconds: number): string {
  return new Date(Date.UTC(2025, 0, 1) + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Dropbox content hash (4 MiB blocks, SHA-256 of the block digests). */
export function dropboxContentHash(bytes: Uint8Array): string {
  const block = 4 * 1024 * 1024;
  const digests: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += block) {
    digests.push(
      createHash('sha256')
        .update(bytes.subarray(offset, offset + block))
        .digest(),
    );
  }
  return createHash('sha256').update(Buffer.concat(digests)).digest('hex');
}

/** The simulated Dropbox Business tenant: team, groups, tree, sharing, change log. */
export class SimTenant {
  readonly teamId: string;
  readonly rootNamespaceId: string;
  readonly members: SimMember[] = [];
  readonly groups: SimGroup[] = [];
  readonly items = new Map<string, SimItem>();
  readonly sharedFolders = new Map<string, SimMembers>();
  readonly received: SimReceivedFile[] = [];
  readonly changes: SimChange[] = [];
  /** Incremented to invalidate every list_folder cursor (continue then answers `reset`). */
  cursorEpoch = 1;
  private seq = 0;
  private clock = 0;
  private readonly random: Random;
  private nsCounter = 0;

  constructor(
    readonly seed: number,
    size: TenantSize,
  ) {
    this.random = createRandom(seed);
    this.teamId = `dbtid:${this.random.chars(32, ALPHABETS.base64url)}`;
    this.rootNamespaceId = this.newNamespaceId();
    this.generate(typeof size === 'number' ? Math.max(1, Math.floor(size)) : SIZES[size]);
  }

  /** The admin member (the token's authenticated admin). */
  get admin(): SimMember {
    return this.members[0] as SimMember;
  }

  /** Current change sequence number. */
  get sequence(): number {
    return this.seq;
  }

  newItemId(): string {
    return `id:${this.random.chars(22, ALPHABETS.base64url)}`;
  }

  private newNamespaceId(): string {
    this.nsCounter += 1;
    return String(7_000_000_000 + this.seed * 1000 + this.nsCounter);
  }

  private tick(): string {
    this.clock += this.random.int(60, 86_400);
    return isoAt(this.clock);
  }

  private newRev(): string {
    return this.random.chars(15, ALPHABETS.hex);
  }

  private textContent(name: string, length: number): Buffer {
    const lines: string[] = [`# ${name}`];
    while (lines.join('\n').length < length) {
      lines.push(
        `${this.random.pick(WORDS)} ${this.random.chars(12, ALPHABETS.token)} ${this.random.int(0, 99999)}`,
      );
    }
    return Buffer.from(lines.join('\n').slice(0, length));
  }

  private addMember(given: string, surname: string, status: SimMember['status'], isAdmin = false): SimMember {
    const slug = `${given}.${surname}`
      .toLowerCase()
      .normalize('NFD')
      .replace(/[^a-z.]/g, '');
    const member: SimMember = {
      teamMemberId: `dbmid:${this.random.chars(40, ALPHABETS.base64url)}`,
      accountId: `dbid:${this.random.chars(35, ALPHABETS.base64url)}`,
      email: `${slug}@example.com`,
      givenName: given,
      surname,
      displayName: `${given} ${surname}`,
      status,
      groups: [],
      joinedOn: isoAt(this.random.int(0, 1000)),
      isAdmin,
      homeNamespaceId: this.newNamespaceId(),
    };
    this.members.push(member);
    return member;
  }

  private addGroup(name: string, members: SimMember[]): SimGroup {
    const group: SimGroup = {
      groupId: `g:${this.random.chars(32, ALPHABETS.hex)}`,
      name,
      memberIds: members.map((m) => m.teamMemberId),
    };
    for (const member of members) member.groups.push(group.groupId);
    this.groups.push(group);
    return group;
  }

  private generate(fileCount: number): void {
    const ada = this.addMember('Ada', 'Admin', 'active', true);
    const bob = this.addMember('Bob', 'Builder', 'active');
    const chloe = this.addMember('Chloé', 'Dupré', 'active');
    const dmitri = this.addMember('Dmitri', 'Ivanov', 'active');
    const eve = this.addMember('Eve', 'Invited', 'invited');
    const frank = this.addMember('Frank', 'Suspended', 'suspended');
    this.addMember('Gus', 'Gone', 'removed');
    const extraMembers = Math.floor(fileCount / 200);
    const extras: SimMember[] = [];
    for (let i = 0; i < extraMembers; i += 1) extras.push(this.addMember(`User${i}`, `Number${i}`, 'active'));
    const engineering = this.addGroup('Engineering', [ada, bob, dmitri, ...extras]);
    const marketing = this.addGroup('Marketing & Sales', [chloe, eve]);
    const everyone = this.addGroup('Everyone', [ada, bob, chloe, dmitri, eve, frank, ...extras]);

    const home = this.addFolder(ada.displayName, null);
    home.homeOf = ada.teamMemberId;
    const teamFolders = [
      this.addSharedFolder('Engineering', null, {
        users: [{ accountId: ada.accountId, access: 'owner' }],
        groups: [{ groupId: engineering.groupId, access: 'editor' }],
        invitees: [],
      }),
      this.addSharedFolder('Marketing & Sales', null, {
        users: [
          { accountId: ada.accountId, access: 'owner' },
          { accountId: chloe.accountId, access: 'editor' },
        ],
        groups: [{ groupId: marketing.groupId, access: 'viewer' }],
        invitees: [{ email: 'partner@agency.example.org', access: 'viewer' }],
      }),
      this.addSharedFolder('Café 日本 "Quotes"', null, {
        users: [
          { accountId: ada.accountId, access: 'owner' },
          { accountId: dmitri.accountId, access: 'viewer' },
        ],
        groups: [{ groupId: everyone.groupId, access: 'viewer' }],
        invitees: [],
      }),
    ];
    const sharedWithBob = this.addSharedFolder('Shared with Bob', home.id, {
      users: [
        { accountId: ada.accountId, access: 'owner' },
        { accountId: bob.accountId, access: 'editor' },
      ],
      groups: [],
      invitees: [],
    });
    const privateFolder = this.addFolder('Private', home.id);
    let deep = this.addFolder('deep', privateFolder.id);
    const deepChain = [deep];
    for (const name of ['level 2', 'niveau 3 é', '第4層', 'level 5', 'level 6 😀']) {
      deep = this.addFolder(name, deep.id);
      deepChain.push(deep);
    }
    const folders: SimItem[] = [home, privateFolder, sharedWithBob, ...teamFolders, ...deepChain];
    const subfolders = Math.max(0, Math.floor(fileCount / 10) - folders.length);
    for (let i = 0; i < subfolders; i += 1) {
      const parent = this.random.pick(folders);
      folders.push(this.addFolder(`${this.random.pick(WORDS)} ${i}`, parent.id));
    }
    const shareTargets = [bob, chloe, dmitri];
    for (let i = 0; i < fileCount; i += 1) {
      const parent = this.random.pick(folders);
      const extension = EXTENSIONS[i % EXTENSIONS.length] as string;
      const base = `${this.random.pick(WORDS)} ${i}`;
      const name = extension ? `${base}.${extension}` : base;
      const file = this.addFile(name, parent.id, this.random.int(20, 3000));
      if (i % 9 === 4) {
        const target = this.random.pick(shareTargets);
        file.explicitMembers = {
          users: [{ accountId: target.accountId, access: 'viewer' }],
          groups: i % 18 === 4 ? [{ groupId: marketing.groupId, access: 'viewer' }] : [],
          invitees: i % 27 === 4 ? [{ email: `guest${i}@external.example.net`, access: 'viewer' }] : [],
        };
      }
    }
    const receivedCount = Math.max(3, Math.floor(fileCount / 20));
    for (let i = 0; i < receivedCount; i += 1) {
      const owner = this.random.pick([bob, chloe, dmitri]);
      const name = `${this.random.pick(WORDS)} shared ${i}.${this.random.pick(['txt', 'md', 'pdf', 'png'])}`;
      const slug = this.random.chars(21, 'abcdefghijklmnopqrstuvwxyz0123456789');
      const time = this.tick();
      this.received.push({
        id: this.newItemId(),
        name,
        url: `https://www.dropbox.com/scl/fi/${slug}/${encodeURIComponent(name)}?rlkey=${this.random.chars(25, 'abcdefghijklmnopqrstuvwxyz0123456789')}&dl=0`,
        content: this.textContent(name, this.random.int(50, 1500)),
        clientModified: time,
        serverModified: time,
        rev: this.newRev(),
        ownerAccountId: owner.accountId,
        members: {
          users: [
            { accountId: owner.accountId, access: 'owner' },
            { accountId: ada.accountId, access: 'viewer' },
          ],
          groups: i % 2 === 0 ? [{ groupId: everyone.groupId, access: 'viewer' }] : [],
          invitees: [],
        },
        revoked: false,
      });
    }
    // Generation is history: incremental cursors start after it.
    this.changes.length = 0;
  }

  private record(itemId: string): void {
    this.seq += 1;
    this.changes.push({ seq: this.seq, kind: 'upsert', itemId });
  }

  private recordDeleted(item: SimItem): void {
    this.seq += 1;
    const path = this.pathOf(item.id);
    this.changes.push({
      seq: this.seq,
      kind: 'deleted',
      name: item.name,
      pathLower: path.toLowerCase(),
      pathDisplay: path,
    });
  }

  /** Adds a folder and records the change. */
  addFolder(name: string, parentId: string | null): SimItem {
    const item: SimItem = { id: this.newItemId(), kind: 'folder', name, parentId };
    this.items.set(item.id, item);
    this.record(item.id);
    return item;
  }

  /** Adds a shared folder (a new namespace) with its members. */
  addSharedFolder(name: string, parentId: string | null, members: SimMembers): SimItem {
    const item = this.addFolder(name, parentId);
    item.sharedFolderId = this.newNamespaceId();
    this.sharedFolders.set(item.sharedFolderId, members);
    return item;
  }

  /** Adds a file with generated text content of about `length` bytes. */
  addFile(name: string, parentId: string | null, length: number, content?: Buffer): SimItem {
    const time = this.tick();
    const item: SimItem = {
      id: this.newItemId(),
      kind: 'file',
      name,
      parentId,
      content: content ?? this.textContent(name, length),
      clientModified: time,
      serverModified: time,
      rev: this.newRev(),
    };
    this.items.set(item.id, item);
    this.record(item.id);
    return item;
  }

  /** Replaces a file's content (new rev, size, server_modified). */
  modifyFile(id: string, content?: Buffer): SimItem {
    const item = this.requireItem(id, 'file');
    item.content = content ?? this.textContent(item.name, this.random.int(20, 3000));
    item.serverModified = this.tick();
    item.rev = this.newRev();
    this.record(item.id);
    return item;
  }

  /** Deletes a file or a folder with everything under it. */
  deleteItem(id: string): void {
    const item = this.requireItem(id);
    this.recordDeleted(item);
    for (const descendant of this.descendants(id)) this.items.delete(descendant.id);
    this.items.delete(id);
  }

  /** Moves (and optionally renames) an item; reported as a delete at the old path plus re-adds. */
  moveItem(id: string, newParentId: string | null, newName?: string): SimItem {
    const item = this.requireItem(id);
    if (newParentId !== null) this.requireItem(newParentId, 'folder');
    this.recordDeleted(item);
    item.parentId = newParentId;
    if (newName !== undefined) item.name = newName;
    this.record(item.id);
    for (const descendant of this.descendants(id)) this.record(descendant.id);
    return item;
  }

  /** Adds a received file to the admin's Dropbox under a folder: a tree item with the same id. */
  mountReceived(id: string, parentId: string | null): SimItem {
    const link = this.received.find((r) => r.id === id);
    if (!link) throw new Error(`no received file ${id}`);
    const item: SimItem = {
      id: link.id,
      kind: 'file',
      name: link.name,
      parentId,
      content: link.content,
      clientModified: link.clientModified,
      serverModified: link.serverModified,
      rev: link.rev,
      explicitMembers: link.members,
    };
    this.items.set(item.id, item);
    link.mounted = true;
    this.record(item.id);
    return item;
  }

  /** Replaces a shared folder's members (no list_folder change: permissions are not content). */
  reshareFolder(sharedFolderId: string, members: SimMembers): void {
    if (!this.sharedFolders.has(sharedFolderId)) throw new Error(`unknown shared folder ${sharedFolderId}`);
    this.sharedFolders.set(sharedFolderId, members);
  }

  /** Shares a file individually (or changes its explicit members). */
  shareFile(id: string, members: SimMembers | undefined): void {
    const item = this.requireItem(id, 'file');
    item.explicitMembers = members;
  }

  requireItem(id: string, kind?: 'file' | 'folder'): SimItem {
    const item = this.items.get(id);
    if (!item) throw new Error(`unknown item ${id}`);
    if (kind && item.kind !== kind) throw new Error(`item ${id} is a ${item.kind}, not a ${kind}`);
    return item;
  }

  /** Items under a folder, depth first. */
  descendants(id: string): SimItem[] {
    const out: SimItem[] = [];
    const walk = (parentId: string): void => {
      for (const item of this.items.values()) {
        if (item.parentId === parentId) {
          out.push(item);
          if (item.kind === 'folder') walk(item.id);
        }
      }
    };
    walk(id);
    return out;
  }

  /** Display path from the team root (`/Engineering/x.txt`). */
  pathOf(id: string): string {
    const parts: string[] = [];
    let current = this.items.get(id);
    while (current) {
      parts.unshift(current.name);
      current = current.parentId === null ? undefined : this.items.get(current.parentId);
    }
    return `/${parts.join('/')}`;
  }

  /** The nearest shared folder id at or above an item (the namespace it lives in), if any. */
  sharedFolderOf(id: string, includeSelf: boolean): string | undefined {
    let current = this.items.get(id);
    if (current && !includeSelf)
      current = current.parentId === null ? undefined : this.items.get(current.parentId);
    while (current) {
      if (current.sharedFolderId) return current.sharedFolderId;
      current = current.parentId === null ? undefined : this.items.get(current.parentId);
    }
    return undefined;
  }

  /** A member by team member id (any status). */
  memberById(teamMemberId: string): SimMember | undefined {
    return this.members.find((m) => m.teamMemberId === teamMemberId);
  }

  /** A member by account id. */
  memberByAccount(accountId: string): SimMember | undefined {
    return this.members.find((m) => m.accountId === accountId);
  }
}
