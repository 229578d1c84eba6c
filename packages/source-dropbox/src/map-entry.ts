import { createHash } from 'node:crypto';
import type { SourceDocument } from '@connectors/framework';

/** The fields of a Dropbox file/folder `Metadata` entry the source reads. */
export interface DropboxEntry {
  readonly '.tag': string;
  readonly id?: string;
  readonly name: string;
  readonly path_display?: string;
  readonly path_lower?: string;
  readonly size?: number;
  readonly server_modified?: string;
  readonly client_modified?: string;
  readonly is_downloadable?: boolean;
  readonly export_info?: { readonly export_as?: string; readonly export_options?: readonly string[] };
  readonly has_explicit_shared_members?: boolean;
  readonly shared_folder_id?: string;
  readonly parent_shared_folder_id?: string;
  readonly sharing_info?: {
    readonly shared_folder_id?: string;
    readonly parent_shared_folder_id?: string;
  };
}

/** The fields of a `SharedLinkMetadata` (file) the source reads. */
export interface DropboxSharedLink {
  readonly '.tag'?: string;
  readonly id?: string;
  readonly url: string;
  readonly name: string;
  readonly size?: number;
  readonly server_modified?: string;
}

const YEAR_SECONDS = 365 * 24 * 3600;

/**
 * A stable `_timestamp` for a folder. Dropbox folders have no modification time; the reference used "now",
 * which rewrote every folder on every sync. This marker is an ISO date inside 1970 derived from the folder's
 * id, path and ACL, so it changes exactly when an indexed field of the folder changes.
 */
export function toFolderTimestamp(id: string, pathDisplay: string, acl?: readonly string[]): string {
  const digest = createHash('sha256')
    .update(`${id}\n${pathDisplay}\n${acl ? [...acl].sort().join('\n') : ''}`)
    .digest();
  const seconds = digest.readUInt32BE(0) % YEAR_SECONDS;
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** True for Paper documents (exported, not downloaded). Case-insensitive, unlike the reference (D16). */
export function isPaperEntry(entry: Pick<DropboxEntry, 'name' | 'is_downloadable'>): boolean {
  return entry.is_downloadable === false && /\.paper$/i.test(entry.name);
}

/**
 * Maps a `file`/`folder` entry to a document (spec 6.1): `_id`, `type` (`File`/`Folder`), `name`,
 * `file_path`, `size`, `_timestamp`, plus `_allow_access_control` when an ACL is given.
 */
export function mapEntry(entry: DropboxEntry, acl?: readonly string[]): SourceDocument {
  const id = entry.id;
  if (!id) throw new TypeError(`[dropbox] entry "${entry.name}" has no id`);
  const isFile = entry['.tag'] === 'file';
  const path = entry.path_display ?? entry.name;
  const doc: Record<string, string | number | readonly string[]> = {
    _id: id,
    type: isFile ? 'File' : 'Folder',
    name: entry.name,
    file_path: path,
    size: isFile ? (entry.size ?? 0) : 0,
    _timestamp: isFile
      ? (entry.server_modified ?? entry.client_modified ?? '')
      : toFolderTimestamp(id, path, acl),
  };
  if (acl) doc._allow_access_control = acl;
  return doc as SourceDocument;
}

/** Maps the link metadata of a received file (spec 6.2): no `file_path`, a `url` instead. */
export function mapSharedLink(link: DropboxSharedLink, acl?: readonly string[]): SourceDocument {
  if (!link.id) throw new TypeError(`[dropbox] shared link "${link.name}" has no id`);
  const doc: Record<string, string | number | readonly string[]> = {
    _id: link.id,
    type: 'File',
    name: link.name,
    url: link.url,
    size: link.size ?? 0,
    _timestamp: link.server_modified ?? '',
  };
  if (acl) doc._allow_access_control = acl;
  return doc as SourceDocument;
}
