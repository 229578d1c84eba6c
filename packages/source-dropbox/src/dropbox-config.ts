import { defineConfigFields, field, type ConfigOf } from '@connectors/framework';

/** Dropbox's production hosts (what the base-URL fields default to). */
export const DROPBOX_HOSTS = {
  api: 'https://api.dropboxapi.com',
  content: 'https://content.dropboxapi.com',
  oauth: 'https://api.dropboxapi.com',
} as const;

/** The Dropbox source's configuration fields, in Kibana order (spec section 1), plus hidden host overrides. */
export const dropboxConfigFields = defineConfigFields({
  /** Folder to sync (`/` or empty = everything); ignored when advanced sync rules are set. */
  path: field.str({
    label: 'Path to fetch files/folders',
    order: 1,
    required: false,
    tooltip: 'This configurable field is ignored when Advanced Sync Rules are used.',
  }),
  /** App key of the Dropbox app. */
  app_key: field.str({ label: 'App Key', order: 2, sensitive: true }),
  /** App secret of the Dropbox app. */
  app_secret: field.str({ label: 'App secret', order: 3, sensitive: true }),
  /** Long-lived refresh token (offline access) of a team or user app. */
  refresh_token: field.str({ label: 'Refresh token', order: 4, sensitive: true }),
  /** Attempts per request (used by the framework's retrying fetch). @default 3 */
  retry_count: field.int({
    label: 'Retries per request',
    order: 5,
    required: false,
    default: 3,
    uiRestrictions: ['advanced'],
  }),
  /** Parallel downloads (handed to the engine). @default 100 */
  concurrent_downloads: field.int({
    label: 'Maximum concurrent downloads',
    order: 6,
    required: false,
    default: 100,
    uiRestrictions: ['advanced'],
  }),
  /** Extract text with the separately deployed extraction service. @default false */
  use_text_extraction_service: field.bool({
    label: 'Use text extraction service',
    order: 7,
    default: false,
    uiRestrictions: ['advanced'],
    tooltip:
      'Requires a separate deployment of the Elastic Text Extraction Service. Requires that pipeline settings disable text extraction.',
  }),
  /** Index Dropbox permissions (`_allow_access_control`) and identities. @default false */
  use_document_level_security: field.bool({
    label: 'Enable document level security',
    order: 8,
    default: false,
    tooltip:
      'Document level security ensures identities and permissions set in Dropbox are maintained in Elasticsearch. This enables you to restrict and personalize read-access users and groups have to documents in this index. Access control syncs ensure this metadata is kept up to date in your Elasticsearch documents.',
  }),
  /** Put group tokens on ACLs and identities (groups and inherited users). @default false */
  include_inherited_users_and_groups: field.bool({
    label: 'Include groups and inherited users',
    order: 9,
    default: false,
    dependsOn: [{ field: 'use_document_level_security', value: true }],
    tooltip:
      'Include groups and inherited users when indexing permissions. Enabling this configurable field will cause a significant performance degradation.',
  }),
  /** Base URL of the API host (for tests and proxies). @default https://api.dropboxapi.com */
  api_base_url: field.str({
    label: 'API base URL',
    order: 10,
    required: false,
    default: DROPBOX_HOSTS.api,
    uiRestrictions: ['advanced'],
    tooltip: 'Override only to reach Dropbox through a proxy or a simulator.',
  }),
  /** Base URL of the content host. @default https://content.dropboxapi.com */
  content_base_url: field.str({
    label: 'Content base URL',
    order: 11,
    required: false,
    default: DROPBOX_HOSTS.content,
    uiRestrictions: ['advanced'],
    tooltip: 'Override only to reach Dropbox through a proxy or a simulator.',
  }),
  /** Base URL of the OAuth token endpoint host. @default https://api.dropboxapi.com */
  oauth_base_url: field.str({
    label: 'OAuth base URL',
    order: 12,
    required: false,
    default: DROPBOX_HOSTS.oauth,
    uiRestrictions: ['advanced'],
    tooltip: 'Override only to reach Dropbox through a proxy or a simulator.',
  }),
});

/** The validated Dropbox configuration. */
export type DropboxConfig = ConfigOf<typeof dropboxConfigFields>;

/** The configured path as Dropbox wants it: `""` for the root (`/`, empty or unset), else without a trailing `/`. */
export function normalizeDropboxPath(path: string | undefined): string {
  const trimmed = (path ?? '').trim();
  if (trimmed === '' || trimmed === '/') return '';
  const withSlash = trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
  return withSlash.replace(/\/+$/, '');
}
