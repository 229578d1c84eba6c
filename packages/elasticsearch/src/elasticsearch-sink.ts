import type { Client, estypes } from '@elastic/elasticsearch';
import {
  RateLimitError,
  AbortError,
  ConnectorError,
  SinkError,
  noopLogger,
  type BatchOutcome,
  type ExistingDocument,
  type IndexWriter,
  type Logger,
  type OpenIndexOptions,
  type Sink,
  type SinkItemFailure,
  type SinkOperation,
} from '@connectors/framework';
import { chunkBulkItems, pipelineFlags, toBulkItems, type BulkItem } from './bulk-request.js';
import { getClusterInfo } from './cluster-info.js';
import { ensureContentIndex } from './content-index.js';
import { toBulkLimits, type BulkLimits, type ElasticsearchSettings } from './elasticsearch-settings.js';
import { assertValidIndexName } from './index-name.js';
import { DEFAULT_RETRY_POLICY, backoffDelay, sleep, withRetry, type RetryPolicy } from './retry-policy.js';
import { Semaphore } from './semaphore.js';
import { paginateWithPit } from './paginate-with-pit.js';
import { describeErrorBody, errorStatus } from './to-elasticsearch-error.js';

/** Options of {@link createElasticsearchSink}. */
export interface ElasticsearchSinkOptions {
  /** `elasticsearch.bulk.*` settings (limits come from chunk_size, chunk_max_mem_size, max_concurrency...). */
  readonly bulk?: ElasticsearchSettings['bulk'];
  /** Overrides of the limits derived from `bulk`. */
  readonly limits?: Partial<BulkLimits>;
  /** Retries of request-level failures and of item-level 429s. @default DEFAULT_RETRY_POLICY */
  readonly retry?: RetryPolicy;
  /** Whether the cluster is serverless (no `_refresh`); read from `GET /` when omitted. */
  readonly serverless?: boolean;
  /** Hits per page when streaming existing ids. @default 1000 */
  readonly pageSize?: number;
  /** Language of new 8.x content indices (`connector.language`). @default 'en' */
  readonly language?: string | null;
  readonly logger?: Logger;
}

const DEFAULT_LIMITS: BulkLimits = {
  maxOperations: 500,
  maxBytes: 3 * 1024 * 1024,
  maxInFlight: 5,
  maxDocumentBytes: 3 * 1024 * 1024,
};

/** The sink plus the limits it enforces. */
export interface ElasticsearchSink extends Sink {
  /** Every limit, including the per-document cap. */
  readonly limits: BulkLimits;
}

/**
 * Creates the Elasticsearch sink: `openIndex` creates a missing content index (8.x analysis on 8.x, no body
 * on 9.x), checks index names locally, and returns a writer that sends `_bulk` requests bounded by
 * operations and bytes (several in flight), retries 429/5xx/unreachable with backoff honouring
 * `Retry-After`, re-sends items rejected with 429, splits a batch the cluster answers with 413, drops
 * oversized documents and reports every refused item with its reason. Access-control indices
 * (`.search-acl-filter-*`) are auto-created by their first bulk, as with the Python service.
 * @example
 * const sink = createElasticsearchSink(client, { bulk: settings.bulk });
 * const writer = await sink.openIndex({ indexName: 'search-docs', kind: 'content', pipeline, signal });
 */
export function createElasticsearchSink(
  client: Client,
  options: ElasticsearchSinkOptions = {},
): ElasticsearchSink {
  const limits: BulkLimits = {
    ...(options.bulk ? toBulkLimits(options.bulk) : DEFAULT_LIMITS),
    ...options.limits,
  };
  const policy = options.retry ?? DEFAULT_RETRY_POLICY;
  const logger = options.logger ?? noopLogger;
  const inFlight = new Semaphore(limits.maxInFlight);
  const context: WriterContext = {
    client,
    limits,
    policy,
    logger,
    inFlight,
    pageSize: options.pageSize ?? 1000,
    serverless: async (signal) =>
      options.serverless ?? (await getClusterInfo(client, { policy, signal })).serverless,
  };
  return {
    limits,
    batchLimits: {
      maxOperations: limits.maxOperations,
      maxBytes: limits.maxBytes,
      maxInFlight: limits.maxInFlight,
    },
    async openIndex(open: OpenIndexOptions): Promise<IndexWriter> {
      assertValidIndexName(open.indexName);
      if (open.kind === 'content') {
        await ensureContentIndex(client, open.indexName, {
          signal: open.signal,
          policy,
          logger,
          language: options.language ?? 'en',
        });
      }
      return createIndexWriter(context, open);
    },
  };
}

interface WriterContext {
  readonly client: Client;
  readonly limits: BulkLimits;
  readonly policy: RetryPolicy;
  readonly logger: Logger;
  readonly inFlight: Semaphore;
  readonly pageSize: number;
  readonly serverless: (signal: AbortSignal) => Promise<boolean>;
}

interface MutableOutcome {
  indexed: number;
  deleted: number;
  volumeBytes: number;
  failures: SinkItemFailure[];
}

function createIndexWriter(context: WriterContext, open: OpenIndexOptions): IndexWriter {
  const { client, limits, policy, logger } = context;
  const indexName = open.indexName;
  const flags = open.kind === 'content' && open.pipeline ? pipelineFlags(open.pipeline) : undefined;
  // Only what the per-item handling reads comes back: parsing full bulk responses is most of the cost.
  // Items answer in request order (the bulk API guarantees it), so neither `_id` nor `result` is needed:
  // `status` tells created/updated (2xx), deleted (200) and not found (404) apart, `error` says why not.
  const querystring = {
    ...(open.pipeline?.name ? { pipeline: open.pipeline.name } : {}),
    filter_path: 'errors,items.*.status,items.*.error',
  };
  const log = logger.child({ index: indexName });

  async function sendBulk(items: readonly BulkItem[], signal: AbortSignal): Promise<estypes.BulkResponse> {
    return withRetry(
      `Bulk request to [${indexName}]`,
      () =>
        client.transport.request<estypes.BulkResponse>(
          { method: 'POST', path: '/_bulk', querystring, bulkBody: items.map((item) => item.lines).join('') },
          { signal },
        ),
      {
        policy,
        signal,
        onRetry: ({ attempt, delayMs, error }) =>
          log.warn({ attempt, delayMs, error: error.message }, 'Retrying a bulk request'),
      },
    );
  }

  /** Sends one chunk, re-sending item-level 429s and splitting on 413. */
  async function sendChunk(
    items: readonly BulkItem[],
    outcome: MutableOutcome,
    signal: AbortSignal,
  ): Promise<void> {
    let pending = items;
    for (let attempt = 1; pending.length; attempt++) {
      let response: estypes.BulkResponse;
      try {
        response = await sendBulk(pending, signal);
      } catch (error) {
        if (errorStatus(unwrap(error)) === 413) {
          if (pending.length > 1) {
            const half = Math.ceil(pending.length / 2);
            log.warn(
              { items: pending.length },
              'Elasticsearch answered 413 (body too large); splitting the batch',
            );
            await sendChunk(pending.slice(0, half), outcome, signal);
            await sendChunk(pending.slice(half), outcome, signal);
          } else {
            const [item] = pending;
            if (item) {
              outcome.failures.push({
                id: item.id,
                op: item.op,
                status: 413,
                reason: `rejected by Elasticsearch as too large (413: ${item.bytes} bytes exceed http.max_content_length)`,
              });
            }
          }
          return;
        }
        throw toSinkError(error, indexName);
      }
      const throttled: BulkItem[] = [];
      const results = response.items;
      const resultAt = (index: number) => {
        const entry = results[index];
        return entry ? Object.values(entry)[0] : undefined;
      };
      // An id throttled once is re-sent with every later operation on it, so their order is kept.
      const throttledIds = new Set<string>();
      pending.forEach((item, index) => {
        const result = resultAt(index);
        if (result?.status === 429 || throttledIds.has(item.id)) {
          throttledIds.add(item.id);
          throttled.push(item);
          return;
        }
        if (!result) {
          outcome.failures.push({
            id: item.id,
            op: item.op,
            reason: 'no result for this item in the bulk response',
          });
          return;
        }
        const status = result.status;
        if (result.error) {
          outcome.failures.push({
            id: item.id,
            op: item.op,
            status,
            reason: describeErrorBody(result.error),
          });
          return;
        }
        if (item.op === 'delete' && (status === 200 || status === 404)) {
          outcome.deleted++;
        } else if (item.op !== 'delete' && status >= 200 && status < 300) {
          outcome.indexed++;
          outcome.volumeBytes += item.documentBytes;
        } else {
          outcome.failures.push({
            id: item.id,
            op: item.op,
            status,
            reason: `unexpected bulk item status ${status} for ${item.op}`,
          });
        }
      });
      if (!throttled.length) return;
      if (attempt > policy.maxRetries) {
        // Throttling must never turn into missing documents: the whole batch fails with a retryable error,
        // so the engine repeats it (index and delete are idempotent) or ends the job without moving its
        // checkpoint past these items.
        throw new RateLimitError(
          `[elasticsearch] ${throttled.length} bulk item(s) rejected with 429 (overloaded) ${attempt} times`,
          { details: { index: indexName, items: throttled.length } },
        );
      }
      const delayMs = backoffDelay(policy, attempt);
      log.warn({ items: throttled.length, attempt, delayMs }, 'Re-sending bulk items rejected with 429');
      await sleep(delayMs, signal);
      pending = throttled;
    }
  }

  return {
    indexName,

    async write(operations: readonly SinkOperation[], signal: AbortSignal): Promise<BatchOutcome> {
      const { items, dropped } = toBulkItems(indexName, operations, {
        maxDocumentBytes: limits.maxDocumentBytes,
        ...(flags ? { flags } : {}),
      });
      if (dropped.length) {
        // One line per batch (the failures themselves are data on the outcome).
        log.warn(
          { count: dropped.length, ids: dropped.slice(0, 5).map((failure) => failure.id) },
          'Dropped documents over the size cap (elasticsearch.bulk.max_text_document_size)',
        );
      }
      const outcome: MutableOutcome = { indexed: 0, deleted: 0, volumeBytes: 0, failures: [...dropped] };
      const chunks = chunkBulkItems(items, limits);
      const controller = new AbortController();
      const onAbort = (): void => controller.abort(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) controller.abort(signal.reason);
      const send = async (chunk: BulkItem[]): Promise<void> => {
        await context.inFlight.acquire(controller.signal);
        try {
          await sendChunk(chunk, outcome, controller.signal);
        } catch (error) {
          controller.abort(error);
          throw error;
        } finally {
          context.inFlight.release();
        }
      };
      // Requests run concurrently unless one id spans two of them: then in order, so writes keep theirs.
      const run = async (): Promise<void> => {
        if (!idSpansChunks(chunks)) {
          await Promise.all(chunks.map(send));
          return;
        }
        for (const chunk of chunks) await send(chunk);
      };
      try {
        await run().catch((error: unknown) => {
          if (signal.aborted) throw new AbortError(`[elasticsearch] Bulk write to [${indexName}] aborted`);
          throw firstRealError(error, controller.signal.reason);
        });
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
      return outcome;
    },

    async *existing(signal: AbortSignal): AsyncIterable<ExistingDocument> {
      if (!(await context.serverless(signal))) {
        await withRetry(
          `Refreshing [${indexName}]`,
          () => client.indices.refresh({ index: indexName, ignore_unavailable: true }, { signal }),
          { policy, signal },
        );
      }
      for await (const hit of paginateWithPit<{ id?: unknown; _timestamp?: unknown; _fingerprint?: unknown }>(
        client,
        {
          index: indexName,
          source: ['id', '_timestamp', '_fingerprint'],
          pageSize: context.pageSize,
          policy,
          signal,
          logger: log,
        },
      )) {
        const source = hit._source ?? {};
        const id = typeof source.id === 'string' ? source.id : hit._id;
        if (typeof id !== 'string') continue;
        const timestamp = typeof source._timestamp === 'string' ? source._timestamp : undefined;
        yield typeof source._fingerprint === 'string'
          ? { id, timestamp, fingerprint: source._fingerprint }
          : { id, timestamp };
      }
    },

    async count(signal: AbortSignal): Promise<number> {
      const result = await withRetry(
        `Counting documents of [${indexName}]`,
        () => client.count({ index: indexName, ignore_unavailable: true }, { signal }),
        { policy, signal },
      );
      return result.count;
    },

    async refresh(signal: AbortSignal): Promise<void> {
      if (await context.serverless(signal)) return;
      await withRetry(
        `Refreshing [${indexName}]`,
        () => client.indices.refresh({ index: indexName, ignore_unavailable: true }, { signal }),
        { policy, signal },
      );
    },

    close(): Promise<void> {
      return Promise.resolve();
    },
  };
}

/** True when operations on one id fall into two different requests. */
function idSpansChunks(chunks: readonly (readonly BulkItem[])[]): boolean {
  if (chunks.length < 2) return false;
  const owner = new Map<string, number>();
  for (const [index, chunk] of chunks.entries()) {
    for (const item of chunk) {
      const seen = owner.get(item.id);
      if (seen !== undefined && seen !== index) return true;
      owner.set(item.id, index);
    }
  }
  return false;
}

function unwrap(error: unknown): unknown {
  return ConnectorError.isInstance(error) && error.cause !== undefined ? error.cause : error;
}

function toSinkError(error: unknown, indexName: string): ConnectorError {
  if (!ConnectorError.isInstance(error)) {
    return new SinkError(`[elasticsearch] Bulk write to [${indexName}] failed`, { cause: error });
  }
  if (error.code === 'ABORTED' || error.code === 'SINK_FAILED') return error;
  const status = (error as { status?: number }).status ?? errorStatus(unwrap(error));
  return new SinkError(error.message, {
    cause: error,
    retryable: error.retryable,
    ...(status === undefined ? {} : { status }),
  });
}

function firstRealError(error: unknown, reason: unknown): unknown {
  if (ConnectorError.isInstance(reason) && reason.code !== 'ABORTED') return reason;
  return error;
}
