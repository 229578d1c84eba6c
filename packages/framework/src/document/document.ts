import type { JsonValue } from './json.js';

/**
 * A document as a source yields it: `_id` (required), `_timestamp` (change marker, compared verbatim),
 * `_allow_access_control` (DLS identities, prefixed) and any other top-level fields.
 */
export interface SourceDocument {
  /** Stable id of the item in the source. */
  readonly _id: string;
  /** Change marker (ISO date or version string); an unchanged marker lets the engine skip the document. */
  readonly _timestamp?: string;
  /** Prefixed identities allowed to see the document (see `toAccessControl`). */
  readonly _allow_access_control?: readonly string[];
  readonly [field: string]: JsonValue | readonly string[] | undefined;
}

/** A lazily downloadable binary body of a document (a file, an attachment). */
export interface ContentSource {
  /** File name with extension; the extension decides whether text can be extracted. */
  readonly filename: string;
  /** Size in bytes when the source knows it (used by the size gate before downloading). */
  readonly size?: number;
  /** Opens the content. Called only for new or changed documents that pass the extraction gate. */
  download(signal: AbortSignal): Promise<AsyncIterable<Uint8Array> | Uint8Array>;
}

/** One identity of the access-control index (`.search-acl-filter-<index>`). */
export interface IdentityDocument {
  /** Identity id (usually an email address). */
  readonly _id: string;
  /** Source-specific identity keys, each a prefixed value (e.g. `{ email: 'email:a@b.c' }`). */
  readonly identity: Readonly<Record<string, string>>;
  /** Every prefixed value this identity may see documents for (user, groups, domains...). */
  readonly access_control: readonly string[];
  /** Change marker. */
  readonly _timestamp?: string;
}
