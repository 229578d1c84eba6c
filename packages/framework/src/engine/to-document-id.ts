import { createHash } from 'node:crypto';

/** Longest document id (UTF-8 bytes) Elasticsearch accepts. */
export const MAX_ID_BYTES = 512;

/**
 * The id to write: the source id made well-formed (a lone surrogate, as in a name that was not valid UTF-8,
 * becomes U+FFFD, the same id every store and Elasticsearch will keep), or its md5 hex when longer than 512
 * UTF-8 bytes (spec 5.5).
 */
export function toDocumentId(raw: string): string {
  const id = raw.isWellFormed() ? raw : raw.toWellFormed();
  if (id.length * 3 <= MAX_ID_BYTES || Buffer.byteLength(id, 'utf8') <= MAX_ID_BYTES) return id;
  return createHash('md5').update(id, 'utf8').digest('hex');
}
