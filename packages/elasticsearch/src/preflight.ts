import type { Client } from '@elastic/elasticsearch';
import { AuthError, ConnectorError, UpstreamError, noopLogger, type Logger } from '@connectors/framework';
import { getClusterInfo, parseVersion, type ClusterInfo } from './cluster-info.js';
import { CONNECTORS_INDEX, JOBS_INDEX } from './connector-api-control-plane.js';
import { DEFAULT_RETRY_POLICY, sleep, withRetry, type RetryPolicy } from './retry-policy.js';
import { toElasticsearchError } from './to-elasticsearch-error.js';

/** The oldest cluster the package supports: sync-job `_claim` and `_features` arrived in 8.15. */
export const MINIMUM_CLUSTER_VERSION = '8.15.0';

/** Options of {@link waitForElasticsearch}. */
export interface WaitOptions {
  /** Give up after this long (`elasticsearch.max_wait_duration`). @default 240000 */
  readonly maxWaitMs?: number;
  /** First delay (`elasticsearch.initial_backoff_duration`). @default 1000 */
  readonly initialBackoffMs?: number;
  /** Delay growth (`elasticsearch.backoff_multiplier`). @default 2 */
  readonly backoffMultiplier?: number;
  readonly signal: AbortSignal;
  readonly logger?: Logger;
}

/**
 * Pings the cluster (`GET /`) with exponential backoff until it answers (spec framework 5.1 step 1).
 * Rejected credentials (401/403) and a server that is not Elasticsearch fail at once; an unreachable
 * cluster fails after `maxWaitMs` with a message naming the cause.
 */
export async function waitForElasticsearch(client: Client, options: WaitOptions): Promise<ClusterInfo> {
  const maxWaitMs = options.maxWaitMs ?? 240_000;
  const multiplier = options.backoffMultiplier ?? 2;
  const logger = options.logger ?? noopLogger;
  const started = Date.now();
  let delay = options.initialBackoffMs ?? 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await getClusterInfo(client, {
        policy: { ...DEFAULT_RETRY_POLICY, maxRetries: 0 },
        signal: options.signal,
      });
    } catch (raw) {
      const error = toElasticsearchError(raw, 'Connecting to Elasticsearch');
      if (AuthError.isInstance(error) || !error.retryable || options.signal.aborted) throw error;
      const elapsed = Date.now() - started;
      if (elapsed + delay > maxWaitMs) {
        throw new UpstreamError(
          `[elasticsearch] Elasticsearch did not answer within ${Math.round(maxWaitMs / 1000)} s ` +
            `(${attempt} attempts): ${error.message}`,
          { cause: error, retryable: true },
        );
      }
      logger.warn(
        { attempt, delayMs: delay, error: error.message },
        'Elasticsearch is not reachable yet; retrying',
      );
      await sleep(delay, options.signal);
      delay = Math.round(delay * multiplier);
    }
  }
}

/** The outcome of a version check: `error` stops the service, `warning` is logged. */
export interface VersionCheck {
  readonly level: 'ok' | 'warning' | 'error';
  readonly message: string;
}

/**
 * Checks the cluster version (spec framework 5.1 step 2): serverless skips the checks; a cluster older
 * than {@link MINIMUM_CLUSTER_VERSION} is an error. With `stackVersion` (the stack release the service
 * targets) the Python rules apply too: majors must match, an older minor is an error, a newer minor or a
 * different patch a warning. `allowMismatch` (`ALLOW_ES_VERSION_MISMATCH`) turns errors into warnings.
 */
export function checkClusterVersion(
  info: Pick<ClusterInfo, 'version' | 'serverless'>,
  options: { stackVersion?: string; allowMismatch?: boolean } = {},
): VersionCheck {
  if (info.serverless) return { level: 'ok', message: 'Serverless Elasticsearch: version checks skipped' };
  const cluster = parseVersion(info.version);
  const error = (message: string): VersionCheck => ({
    level: options.allowMismatch ? 'warning' : 'error',
    message: options.allowMismatch ? `${message} (allowed by ALLOW_ES_VERSION_MISMATCH)` : message,
  });
  if (!cluster) return error(`Elasticsearch reported an unreadable version "${info.version}"`);
  const minimum = parseVersion(MINIMUM_CLUSTER_VERSION);
  if (minimum && compare(cluster, minimum) < 0) {
    return error(
      `Elasticsearch ${info.version} is too old: the connector service needs ${MINIMUM_CLUSTER_VERSION} or later ` +
        '(Connector API with sync-job _claim)',
    );
  }
  const stack = options.stackVersion ? parseVersion(options.stackVersion) : undefined;
  if (stack) {
    if (stack.major !== cluster.major) {
      return error(
        `Elasticsearch ${info.version} and the service (stack ${options.stackVersion}) differ in major version`,
      );
    }
    if (cluster.minor < stack.minor) {
      return error(
        `Elasticsearch ${info.version} is older than the service's stack version ${options.stackVersion}`,
      );
    }
    if (cluster.minor > stack.minor || cluster.patch !== stack.patch) {
      return {
        level: 'warning',
        message: `Elasticsearch ${info.version} differs from the service's stack version ${options.stackVersion}`,
      };
    }
  }
  return { level: 'ok', message: `Elasticsearch ${info.version}` };
}

function compare(a: { major: number; minor: number; patch: number }, b: typeof a): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/**
 * Creates `.elastic-connectors-v1` and `.elastic-connectors-sync-jobs-v1` (with their aliases) when the
 * aliases do not exist (spec framework 5.1 step 5; the cluster's templates supply the mappings).
 */
export async function ensureSystemIndices(
  client: Client,
  options: { signal: AbortSignal; policy?: RetryPolicy },
): Promise<void> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const { signal } = options;
  for (const alias of [CONNECTORS_INDEX, JOBS_INDEX]) {
    const exists = await withRetry(
      `Checking [${alias}]`,
      () => client.indices.exists({ index: alias, expand_wildcards: 'all' }, { signal }),
      { policy, signal },
    );
    if (exists) continue;
    try {
      await withRetry(
        `Creating [${alias}-v1]`,
        () =>
          client.indices.create(
            // The cluster's connector templates supply mappings and the alias; naming the alias too keeps
            // it right where no template applies.
            { index: `${alias}-v1`, aliases: { [alias]: { is_hidden: true } } },
            { signal },
          ),
        { policy, signal },
      );
    } catch (error) {
      const body = (error as { cause?: { body?: { error?: { type?: unknown } } } }).cause?.body;
      if (body?.error?.type !== 'resource_already_exists_exception') throw error;
    }
  }
}

/** Options of {@link preflight}. */
export interface PreflightOptions extends WaitOptions {
  readonly stackVersion?: string;
  readonly allowVersionMismatch?: boolean;
  readonly policy?: RetryPolicy;
  /**
   * Create the two connector indices when missing (the Python service's step 5). Off by default: from 8.12
   * the cluster creates them on first write from its built-in templates (right mappings and aliases), and
   * every read here treats a missing index as empty.
   * @default false
   */
  readonly createSystemIndices?: boolean;
}

/**
 * The start-up checks of the service (spec framework 5.1): wait for the cluster, check its version, and
 * (with `createSystemIndices`) create the connector indices. Throws a ConnectorError naming the cause;
 * returns the cluster info.
 */
export async function preflight(client: Client, options: PreflightOptions): Promise<ClusterInfo> {
  const logger = options.logger ?? noopLogger;
  const info = await waitForElasticsearch(client, options);
  const check = checkClusterVersion(info, {
    ...(options.stackVersion ? { stackVersion: options.stackVersion } : {}),
    allowMismatch: options.allowVersionMismatch ?? false,
  });
  if (check.level === 'error') throw new ConnectorError('CONFIG_INVALID', `[elasticsearch] ${check.message}`);
  if (check.level === 'warning') logger.warn({ version: info.version }, check.message);
  logger.info(
    { version: info.version, flavor: info.buildFlavor, cluster: info.clusterName },
    'Connected to Elasticsearch',
  );
  if (options.createSystemIndices) {
    await ensureSystemIndices(client, {
      signal: options.signal,
      ...(options.policy ? { policy: options.policy } : {}),
    });
  }
  return info;
}
