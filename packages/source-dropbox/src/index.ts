// The public surface of @connectors/source-dropbox: an explicit list, nothing else.
export { dropboxSource, createDropboxInstance } from './dropbox-source.js';
export type { DropboxInstanceOptions } from './dropbox-source.js';
export { DROPBOX_HOSTS, dropboxConfigFields, normalizeDropboxPath } from './dropbox-config.js';
export type { DropboxConfig } from './dropbox-config.js';
export { createDropboxClient } from './dropbox-client.js';
export type {
  CallOptions,
  ClientKind,
  ContentRoute,
  DropboxClient,
  DropboxClientOptions,
  DropboxDownload,
} from './dropbox-client.js';
export { parseAdvancedRules } from './advanced-rules.js';
export type { DropboxAdvancedRule } from './advanced-rules.js';
export { isPaperEntry, mapEntry, mapSharedLink, toFolderTimestamp } from './map-entry.js';
export type { DropboxEntry, DropboxSharedLink } from './map-entry.js';
export { mapMembers, toSortedAcl } from './map-members.js';
export type { DropboxMembers } from './map-members.js';
export { mapIdentity } from './map-identity.js';
export type { DropboxProfile } from './map-identity.js';
export { dropboxErrorTags, toDropboxError } from './to-dropbox-error.js';
export { EXTRACTABLE_EXTENSIONS } from './dropbox-listing.js';
