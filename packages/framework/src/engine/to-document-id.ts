import { createHash } from 'node:crypto';

/** Longest document id (UTF-8 bytes) Elasticsearch accepts. */
export const MAX_ID_BYTES = 512;

/** The id to write: the source id, or its md5 hex when longer than 512 UTF-8 bytes (spec 5.5). */
export function toDocumentId(id: string): string {
  if (id.length * 3 <= MAX_ID_BYTES || Buffer.byteLength(id, 'utf8') <= MAX_ID_BYTES) return id;
  return createHash('md5').update(id, 'utf8').digest('hex');
}
