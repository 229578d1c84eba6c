/** Prefix of access-control (identity) index names. */
export const ACCESS_CONTROL_INDEX_PREFIX = '.search-acl-filter-';

/**
 * Name of the identity index that goes with a content index: `search-docs` → `.search-acl-filter-search-docs`.
 * A name that already carries the prefix (job snapshots of ACL jobs do) is returned unchanged.
 */
export function accessControlIndexName(indexName: string): string {
  if (indexName === '') throw new TypeError('accessControlIndexName: index name must not be empty');
  return indexName.startsWith(ACCESS_CONTROL_INDEX_PREFIX)
    ? indexName
    : `${ACCESS_CONTROL_INDEX_PREFIX}${indexName}`;
}
