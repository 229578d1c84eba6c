import type { IdentityDocument } from '../document/document.js';
import type { JsonObject } from '../document/json.js';
import { combineAccessControl } from './to-access-control.js';

/**
 * The DLS query template stored in every identity: a document is visible when it has no
 * `_allow_access_control`, or when any of its `_allow_access_control.keyword` values is in `access_control`.
 */
export const ACCESS_CONTROL_QUERY_TEMPLATE =
  '{"bool":{"should":[{"bool":{"must_not":{"exists":{"field":"_allow_access_control"}}}},' +
  '{"terms":{"_allow_access_control.keyword":{{#toJson}}access_control{{/toJson}}}}]}}';

/** The identity document as written to `.search-acl-filter-<index>` (without `_id`, which is the write's id). */
export interface IdentityRecord extends JsonObject {
  id: string;
  identity: { [key: string]: string };
  query: { template: { params: { access_control: string[] }; source: string } };
}

/**
 * Maps an identity to its access-control index document (spec 8): `identity`, the query template with
 * `params.access_control` (null entries removed, de-duplicated), `id` and `_timestamp` when known.
 */
export function toIdentityRecord(identity: IdentityDocument): IdentityRecord {
  if (typeof identity._id !== 'string' || identity._id === '') {
    throw new TypeError('toIdentityRecord: identity _id must be a non-empty string');
  }
  const keys: { [key: string]: string } = {};
  for (const [key, value] of Object.entries(identity.identity ?? {})) {
    if (typeof value === 'string' && value !== '') keys[key] = value;
  }
  const record: IdentityRecord = {
    id: identity._id,
    identity: keys,
    query: {
      template: {
        params: { access_control: combineAccessControl(identity.access_control) },
        source: ACCESS_CONTROL_QUERY_TEMPLATE,
      },
    },
  };
  if (identity._timestamp !== undefined) record['_timestamp'] = identity._timestamp;
  return record;
}
