import { hash } from 'node:crypto';

/**
 * A digest of a document's fields as the source yielded them (`_id`, `_timestamp` and content aside). Stored
 * on the document as `_fingerprint`, it lets a sync skip a document only when neither its change marker nor
 * any field changed: a file whose ACL, name or path changed without a new modification time is rewritten.
 * Fields are hashed in the order the source builds them (a source that reorders its fields causes one
 * rewrite of every document, nothing worse).
 */
export function toFingerprint(fields: Readonly<Record<string, unknown>>): string {
  const { _id, _timestamp, _original_filename, _fingerprint, ...rest } = fields;
  void _id;
  void _timestamp;
  void _original_filename;
  void _fingerprint;
  // One-shot `hash` (no Hash object per document): same digest as createHash('sha1'), half the CPU.
  return hash('sha1', JSON.stringify(rest), 'base64url');
}
