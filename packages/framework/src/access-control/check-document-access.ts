import type { SourceDocument } from '../document/document.js';

/** Why a document is skipped when DLS is on and its ACL is unknown. */
export const ACCESS_CONTROL_UNDETERMINED = 'access control could not be determined';

/**
 * The fail-closed rule of DLS: with `dls` on, a document is indexed only when it carries a non-empty
 * `_allow_access_control` array of non-empty strings; otherwise it would become visible to everyone.
 * Returns the skip reason, or undefined when the document may be indexed.
 */
export function checkDocumentAccess(document: SourceDocument, dls: boolean): string | undefined {
  if (!dls) return undefined;
  const acl: unknown = document._allow_access_control;
  if (!Array.isArray(acl)) return ACCESS_CONTROL_UNDETERMINED;
  const usable = acl.some((entry) => typeof entry === 'string' && entry !== '');
  return usable ? undefined : ACCESS_CONTROL_UNDETERMINED;
}
