import type { Client, estypes } from '@elastic/elasticsearch';
import { ConnectorError, noopLogger, type Logger } from '@connectors/framework';
import { withRetry, type RetryPolicy } from './retry-policy.js';

/** Options of {@link paginateWithPit}. */
export interface PitOptions {
  readonly index: string;
  readonly query?: estypes.QueryDslQueryContainer;
  /** Sort before the implicit `_shard_doc` tie-breaker. @default [{ _shard_doc: 'asc' }] */
  readonly sort?: estypes.Sort;
  readonly source?: estypes.SearchSourceConfig;
  readonly seqNoPrimaryTerm?: boolean;
  readonly pageSize: number;
  readonly policy: RetryPolicy;
  readonly signal: AbortSignal;
  readonly logger?: Logger;
}

/**
 * Streams every hit of `index` matching `query` through a point in time and `search_after`, one page in
 * memory at a time. A missing index yields nothing. The point in time is closed at the end, on error and
 * when the consumer stops early or aborts.
 */
export async function* paginateWithPit<T>(
  client: Client,
  options: PitOptions,
): AsyncIterable<estypes.SearchHit<T>> {
  const { index, policy, signal, pageSize } = options;
  const logger = options.logger ?? noopLogger;
  let pitId: string;
  try {
    const opened = await withRetry(
      `Opening a point in time on [${index}]`,
      () => client.openPointInTime({ index, keep_alive: '5m' }, { signal }),
      { policy, signal },
    );
    pitId = opened.id;
  } catch (error) {
    if (isIndexNotFound(error)) return;
    throw error;
  }
  try {
    let searchAfter: estypes.SortResults | undefined;
    for (;;) {
      const pit = pitId;
      const after = searchAfter;
      const page = await withRetry(
        `Searching [${index}]`,
        () =>
          client.search<T>(
            {
              pit: { id: pit, keep_alive: '5m' },
              size: pageSize,
              sort: options.sort ?? [{ _shard_doc: 'asc' }],
              track_total_hits: false,
              ...(options.query ? { query: options.query } : {}),
              ...(options.source === undefined ? {} : { _source: options.source }),
              ...(options.seqNoPrimaryTerm ? { seq_no_primary_term: true } : {}),
              ...(after ? { search_after: after } : {}),
            },
            { signal },
          ),
        { policy, signal },
      );
      if (page.pit_id) pitId = page.pit_id;
      const hits = page.hits.hits;
      for (const hit of hits) yield hit;
      const last = hits[hits.length - 1];
      if (hits.length < pageSize || !last?.sort) return;
      searchAfter = last.sort;
    }
  } finally {
    try {
      await client.closePointInTime({ id: pitId }, { signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      logger.debug(
        { error: error instanceof Error ? error.message : String(error) },
        'Closing a point in time failed',
      );
    }
  }
}

/** True when `error` (or its cause) is Elasticsearch's `index_not_found_exception`. */
export function isIndexNotFound(error: unknown): boolean {
  const raw = (ConnectorError.isInstance(error) ? error.cause : error) as
    { statusCode?: number; body?: { error?: { type?: unknown } } } | undefined;
  return raw?.statusCode === 404 && raw.body?.error?.type === 'index_not_found_exception';
}
