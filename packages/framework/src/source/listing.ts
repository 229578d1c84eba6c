import type { ContentSource, SourceDocument } from '../document/document.js';
import type { JsonValue } from '../document/json.js';

/** A new or changed document, with its lazily downloadable content. */
export interface UpsertEvent {
  readonly kind: 'upsert';
  readonly document: SourceDocument;
  readonly content?: ContentSource;
}

/** A document that no longer exists in the source (incremental listings only). */
export interface DeleteEvent {
  readonly kind: 'delete';
  readonly id: string;
}

/** An item the source could not read; counted on the job with its reason, never deleted because of it. */
export interface SkipEvent {
  readonly kind: 'skip';
  /** Id of the item, when known: an existing document with this id is kept. */
  readonly id?: string;
  readonly reason: string;
}

/**
 * A resume point: everything yielded before it may be forgotten once written. The engine persists it only
 * after the sink acknowledged every preceding write, and hands it back to resume a crashed or suspended job.
 */
export interface CheckpointEvent {
  readonly kind: 'checkpoint';
  readonly checkpoint: JsonValue;
}

/** The change cursor to store for the next incremental sync (persisted when the job succeeds). */
export interface CursorEvent {
  readonly kind: 'cursor';
  readonly cursor: JsonValue;
}

/** What a content listing yields. */
export type ListingEvent = UpsertEvent | DeleteEvent | SkipEvent | CheckpointEvent | CursorEvent;

/** A new or changed document, with optional lazy content. */
export function upsert(document: SourceDocument, content?: ContentSource): UpsertEvent {
  return content ? { kind: 'upsert', document, content } : { kind: 'upsert', document };
}

/** A deleted document. */
export function remove(id: string): DeleteEvent {
  return { kind: 'delete', id };
}

/** An item that could not be read. */
export function skip(reason: string, id?: string): SkipEvent {
  return id === undefined ? { kind: 'skip', reason } : { kind: 'skip', id, reason };
}

/** A resume point. */
export function checkpoint(value: JsonValue): CheckpointEvent {
  return { kind: 'checkpoint', checkpoint: value };
}

/** The next incremental cursor. */
export function cursor(value: JsonValue): CursorEvent {
  return { kind: 'cursor', cursor: value };
}
