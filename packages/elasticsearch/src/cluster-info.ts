import type { Client } from '@elastic/elasticsearch';
import { withRetry, type RetryPolicy } from './retry-policy.js';

/** What the service reads from `GET /`. */
export interface ClusterInfo {
  /** `version.number`, e.g. `8.15.0`. */
  readonly version: string;
  /** `version.build_flavor` (`default`, `serverless`...). */
  readonly buildFlavor: string;
  readonly serverless: boolean;
  readonly clusterName: string;
}

const cache = new WeakMap<Client, Promise<ClusterInfo>>();

/** `GET /` once per client (cached; a failed call is not cached). */
export function getClusterInfo(
  client: Client,
  options: { policy: RetryPolicy; signal: AbortSignal },
): Promise<ClusterInfo> {
  const cached = cache.get(client);
  if (cached) return cached;
  const pending = withRetry(
    'Reading the cluster version (GET /)',
    () => client.info({}, { signal: options.signal }),
    options,
  ).then((info) => {
    const flavor = info.version.build_flavor ?? 'default';
    return {
      version: info.version.number,
      buildFlavor: flavor,
      serverless: flavor === 'serverless',
      clusterName: info.cluster_name,
    };
  });
  cache.set(client, pending);
  pending.catch(() => cache.delete(client));
  return pending;
}

/** Parses `major.minor.patch` (pre-release suffixes ignored). */
export function parseVersion(version: string): { major: number; minor: number; patch: number } | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}
