import { randomBytes } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { ControlPlane, JobQuery, JobStats } from '../control-plane/control-plane.js';
import type {
  ConnectorDoc,
  JobStatus,
  JobType,
  SyncJobDoc,
  TriggerMethod,
  Versioned,
} from '../control-plane/records.js';
import type { JsonObject, JsonValue } from '../document/json.js';
import { throwIfAborted } from '../errors/abort-error.js';
import { ConfigError } from '../errors/config-error.js';
import { ConnectorError } from '../errors/connector-error.js';
import { SinkError } from '../errors/sink-error.js';
import type { Logger } from '../logging/logger.js';
import { noopLogger } from '../logging/logger.js';
import type {
  BatchOutcome,
  IndexKind,
  IndexWriter,
  OpenIndexOptions,
  Sink,
  SinkOperation,
} from '../sink/sink.js';
import {
  DocumentTable,
  hasUpdates,
  type EmbeddedDocumentRow,
  type EmbeddedIndexInfo,
  type EmbeddedSearchResult,
} from './document-table.js';
import { EmbeddedIndexWriter } from './embedded-index-writer.js';
import { accessControlIndexName } from '../access-control/access-control-index-name.js';
import { toIdentityPrincipals } from './identity-principals.js';
import { immediateTransaction } from './immediate-transaction.mjs';
import { mergeDocument } from './merge-document.js';
import { openSqliteDatabase, type StoreSynchronous } from './open-sqlite-database.js';
import { assertConnectorsStore, migrateStoreSchema } from './store-schema.js';
import { toStoreError } from './store-error.js';
import { StoreWriterThread, WriterThreadError, resolveStoreWriterUrl } from './store-writer-thread.js';
import type { SearchOperator } from './to-fts-query.js';
import { toJobConnectorSnapshot } from './to-job-connector-snapshot.js';

/** Jobs fetched per page by `listJobs`. */
const JOB_PAGE_SIZE = 100;
/** Largest page a search returns. */
const MAX_SEARCH_LIMIT = 10_000;

/** Options of {@link openEmbeddedStore}. */
export interface EmbeddedStoreOptions {
  /** Receives lifecycle lines (open, migrations). */
  readonly logger?: Logger;
  /** Commit durability; see `openSqliteDatabase`. @default 'normal' */
  readonly synchronous?: StoreSynchronous;
  /**
   * How long a write waits for another process's lock before failing (retryable). node:sqlite is synchronous,
   * so the wait blocks this thread; keep it short. @default 5000
   */
  readonly busyTimeoutMs?: number;
  /** Clock for record timestamps (tests). @default () => new Date() */
  readonly now?: () => Date;
  /**
   * Write document batches on a worker thread with its own connection to the file, so that the SQLite work
   * of a sync does not block this thread's event loop (downloads, the control plane). Batches still commit
   * one at a time, in order, before `write` resolves. Ignored for `:memory:` stores and when the worker
   * entry is not found beside the bundle. @default true
   */
  readonly writerThread?: boolean;
  /**
   * Where the writer thread's entry is, for bundles that copy it elsewhere (and tests). A thread that cannot
   * start or dies is replaced by writes on the calling thread, with a warning. @default found beside this module
   */
  readonly writerThreadUrl?: URL;
}

/** Options of {@link EmbeddedStore.search}. */
export interface EmbeddedSearchOptions {
  /**
   * Apply DLS as this identity (an `_id` of the index's `.search-acl-filter-` index). An unknown identity sees
   * only unrestricted documents. Omitted: no DLS filter (administrator view).
   */
  readonly user?: string;
  /** Hits per page. @default 10 */
  readonly limit?: number;
  /** Hits to skip. @default 0 */
  readonly offset?: number;
  /** How terms combine. @default 'or' */
  readonly operator?: SearchOperator;
  /** Cancels the search before it starts. */
  readonly signal?: AbortSignal;
}

type Row = { doc: string; version: number };
type JobRow = Row & { seq: number; created_at: string };

function nowIso(now: () => Date): string {
  return now().toISOString();
}

/** Sortable UTC form of an instant, or null when `value` is not a date. */
function toInstant(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

function newJobId(): string {
  // 20 url-safe characters, like Elasticsearch's base64 UUIDs.
  return randomBytes(15).toString('base64url');
}

function checkSearchPaging(limit: number, offset: number): void {
  const issues: string[] = [];
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_SEARCH_LIMIT) {
    issues.push(`limit: must be an integer from 0 to ${MAX_SEARCH_LIMIT}, got ${limit}`);
  }
  if (!Number.isInteger(offset) || offset < 0)
    issues.push(`offset: must be a non-negative integer, got ${offset}`);
  if (issues.length > 0) throw new ConfigError('Invalid search', issues);
}

function notFound(what: string, id: string): ConnectorError {
  return new ConnectorError('NOT_FOUND', `[embedded-store] ${what} '${id}' does not exist`, {
    details: { id },
  });
}

/** Statements of the control-plane tables, prepared once per store handle. */
function prepareControlStatements(db: DatabaseSync) {
  return {
    connectorGet: db.prepare(`SELECT doc, version FROM connectors WHERE id = ?`),
    connectorInsert: db.prepare(`INSERT INTO connectors (id, doc, version) VALUES (?, ?, 1)`),
    connectorReplace: db.prepare(
      `INSERT INTO connectors (id, doc, version) VALUES (?, ?, 1)
       ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, version = connectors.version + 1 RETURNING version`,
    ),
    connectorWrite: db.prepare(
      `UPDATE connectors SET doc = ?, version = version + 1 WHERE id = ? RETURNING version`,
    ),
    connectorDelete: db.prepare(`DELETE FROM connectors WHERE id = ?`),
    jobInsert: db.prepare(
      `INSERT INTO jobs (id, connector_id, job_type, status, created_at, last_seen, doc, version)
       VALUES (?, ?, ?, ?, ?, ?, ?, 1)`,
    ),
    jobGet: db.prepare(`SELECT doc, version, seq, created_at FROM jobs WHERE id = ?`),
    jobWrite: db.prepare(
      `UPDATE jobs SET doc = ?, status = ?, job_type = ?, last_seen = ?, version = version + 1 WHERE id = ?`,
    ),
    jobsDeleteOfConnector: db.prepare(`DELETE FROM jobs WHERE connector_id = ? RETURNING id`),
    checkpointGet: db.prepare(`SELECT checkpoint FROM checkpoints WHERE job_id = ?`),
    checkpointPut: db.prepare(
      `INSERT INTO checkpoints (job_id, checkpoint, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (job_id) DO UPDATE SET checkpoint = excluded.checkpoint, updated_at = excluded.updated_at`,
    ),
    checkpointDelete: db.prepare(`DELETE FROM checkpoints WHERE job_id = ?`),
    jobPage: db.prepare(
      `SELECT id, doc, version, seq, created_at FROM jobs
       WHERE ($statuses IS NULL OR status IN (SELECT value FROM json_each($statuses)))
         AND ($connectors IS NULL OR connector_id IN (SELECT value FROM json_each($connectors)))
         AND ($types IS NULL OR job_type IN (SELECT value FROM json_each($types)))
         AND ($seenBefore IS NULL OR (last_seen IS NOT NULL AND last_seen <= $seenBefore))
         AND (created_at, seq) > ($afterCreated, $afterSeq)
       ORDER BY created_at, seq LIMIT $limit`,
    ),
  };
}

/**
 * The embedded store: content indices, ACL identities, connectors, jobs and checkpoints in one node:sqlite
 * file. It is both the {@link Sink} and the {@link ControlPlane} of embedded mode, and several processes may
 * share one file (WAL, busy timeout, `BEGIN IMMEDIATE` for every read-modify-write).
 */
export class EmbeddedStore implements Sink, ControlPlane {
  /** Control-plane kind. */
  readonly kind = 'embedded' as const;
  /**
   * Batches are bounded to keep transactions short. With the writer thread, a second batch may be handed
   * over while the first commits (they still commit one at a time, in order); without it, one at a time.
   */
  readonly batchLimits: {
    readonly maxOperations: number;
    readonly maxBytes: number;
    readonly maxInFlight: number;
  };
  /** The store file. */
  readonly path: string;
  readonly #now: () => Date;
  #db: DatabaseSync | undefined;
  readonly #documents: DocumentTable;
  readonly #sql: ReturnType<typeof prepareControlStatements>;
  #writer: StoreWriterThread | undefined;
  readonly #logger: Logger;

  /** Use {@link openEmbeddedStore}. */
  constructor(db: DatabaseSync, path: string, options: EmbeddedStoreOptions = {}) {
    this.#db = db;
    this.path = path;
    this.#now = options.now ?? (() => new Date());
    this.#logger = options.logger ?? noopLogger;
    this.#documents = new DocumentTable(db);
    this.#sql = prepareControlStatements(db);
    const writerUrl =
      options.writerThread === false || path === ':memory:'
        ? undefined
        : (options.writerThreadUrl ?? resolveStoreWriterUrl());
    this.#writer = writerUrl
      ? new StoreWriterThread(
          {
            path,
            busyTimeoutMs: options.busyTimeoutMs ?? 5000,
            synchronous: options.synchronous ?? 'normal',
          },
          writerUrl,
        )
      : undefined;
    this.batchLimits = {
      maxOperations: 1000,
      maxBytes: 20 * 1024 * 1024,
      maxInFlight: this.#writer ? 2 : 1,
    };
  }

  // ---------------------------------------------------------------- plumbing

  #open(sink = false): DatabaseSync {
    if (this.#db === undefined) {
      const message = `[embedded-store] ${this.path} is closed; open the store again`;
      throw sink ? new SinkError(message) : new ConnectorError('INTERNAL', message);
    }
    return this.#db;
  }

  /** Runs a synchronous store action after the signal check, mapping SQLite errors. */
  #run<T>(
    action: string,
    signal: AbortSignal | undefined,
    body: (db: DatabaseSync) => T,
    sink = false,
  ): Promise<T> {
    return Promise.resolve().then(() => {
      throwIfAborted(signal);
      try {
        return body(this.#open(sink));
      } catch (error) {
        throw toStoreError(error, { path: this.path, action, sink });
      }
    });
  }

  #runOnDocuments<T>(action: string, body: (table: DocumentTable) => T): T {
    try {
      this.#open(true);
      return body(this.#documents);
    } catch (error) {
      throw toStoreError(error, { path: this.path, action, sink: true });
    }
  }

  /**
   * Writes one batch: prepared here, committed on the writer thread when there is one (after the batches
   * before it), on this thread otherwise (and for batches with `update` operations, after the thread drained).
   */
  async #writeBatch(
    indexName: string,
    kind: IndexKind,
    operations: readonly SinkOperation[],
  ): Promise<BatchOutcome> {
    const action = `Writing a batch to index ${indexName}`;
    // A batch with updates reads stored documents: it is prepared and written in one transaction here.
    const prepared = hasUpdates(operations)
      ? undefined
      : this.#runOnDocuments(action, (table) => table.prepare(indexName, kind, operations));
    const writer = this.#writer;
    if (!writer || !prepared || prepared.batch.ids.length === 0) {
      await this.#afterWriter();
      return this.#runOnDocuments(action, (table) =>
        prepared ? table.applyPrepared(prepared) : table.apply(indexName, kind, operations),
      );
    }
    try {
      const { indexed, deleted } = await writer.apply(prepared.batch);
      return { indexed, deleted, volumeBytes: prepared.volumeBytes, failures: prepared.failures };
    } catch (error) {
      if (!(error instanceof WriterThreadError))
        throw toStoreError(error, { path: this.path, action, sink: true });
      // The thread is gone and its batch rolled back: write here from now on (the batch is idempotent).
      this.#logger.warn(
        { path: this.path, error: error.message },
        'embedded store writer thread failed; writing on the main thread from now on',
      );
      if (this.#writer === writer) this.#writer = undefined;
      void writer.close().catch(() => undefined);
      return this.#runOnDocuments(action, (table) => table.applyPrepared(prepared));
    }
  }

  /** Resolves once the writer thread committed every batch given so far: writes here then keep their order. */
  #afterWriter(): Promise<void> {
    return this.#writer?.drained() ?? Promise.resolve();
  }

  /** Closes the file (after the batches in flight committed); later calls fail. Idempotent. */
  async close(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    const writer = this.#writer;
    this.#writer = undefined;
    await writer?.close();
    if (db !== undefined && db.isOpen) db.close();
  }

  /** Closes the store at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---------------------------------------------------------------- content (Sink)

  /** Opens (creating when missing) a logical index. */
  openIndex(options: OpenIndexOptions): Promise<IndexWriter> {
    return this.#run(
      `Opening index ${options.indexName}`,
      options.signal,
      () => {
        if (typeof options.indexName !== 'string' || options.indexName === '') {
          throw new ConfigError('Cannot open an index', ['indexName: must be a non-empty string']);
        }
        const kind = this.#documents.ensureIndex(options.indexName, options.kind);
        return new EmbeddedIndexWriter(options.indexName, kind, {
          run: (action, body) => this.#runOnDocuments(action, body),
          write: (indexName, writeKind, operations) => this.#writeBatch(indexName, writeKind, operations),
        });
      },
      true,
    );
  }

  /**
   * Replaces (or inserts) `rows` in `indexName` in one transaction, creating the index when missing: the bare
   * path under `IndexWriter.write`, for bulk loads and benchmarks.
   */
  putDocuments(
    indexName: string,
    rows: Iterable<EmbeddedDocumentRow>,
    signal?: AbortSignal,
  ): Promise<BatchOutcome> {
    return this.#afterWriter().then(() =>
      this.#run(
        `Writing documents to index ${indexName}`,
        signal,
        () => this.#documents.put(indexName, rows),
        true,
      ),
    );
  }

  /** The stored `_source` of one document, undefined when absent. */
  getDocument(indexName: string, id: string, signal?: AbortSignal): Promise<JsonObject | undefined> {
    return this.#run(`Reading document ${id} of ${indexName}`, signal, () =>
      this.#documents.get(indexName, id),
    );
  }

  /** Every logical index with its kind and document count. */
  listIndices(signal?: AbortSignal): Promise<EmbeddedIndexInfo[]> {
    return this.#run('Listing indices', signal, () => this.#documents.listIndices());
  }

  /** Deletes an index and its documents; true when it existed. */
  deleteIndex(indexName: string, signal?: AbortSignal): Promise<boolean> {
    return this.#afterWriter().then(() =>
      this.#run(`Deleting index ${indexName}`, signal, () => this.#documents.drop(indexName), true),
    );
  }

  // ---------------------------------------------------------------- search

  /**
   * Full-text search over `indexName` (BM25), with DLS when `options.user` is given: the identity's
   * `access_control` list comes from `.search-acl-filter-<indexName>`; unknown identities see only documents
   * without `_allow_access_control`. User text is quoted, so FTS5 syntax in it is plain text.
   */
  search(
    indexName: string,
    query: string,
    options: EmbeddedSearchOptions = {},
  ): Promise<EmbeddedSearchResult> {
    return this.#run(`Searching index ${indexName}`, options.signal, () => {
      this.#requireIndex(indexName);
      let principals: string[] | undefined;
      if (options.user !== undefined) {
        const identity = this.#documents.get(accessControlIndexName(indexName), options.user);
        principals = identity === undefined ? [] : toIdentityPrincipals(identity);
      }
      return this.#search(indexName, query, principals, options);
    });
  }

  /** Like {@link EmbeddedStore.search}, with DLS for an explicit list of principals (e.g. `group:eng`). */
  searchWithPrincipals(
    indexName: string,
    query: string,
    principals: readonly string[],
    options: Omit<EmbeddedSearchOptions, 'user'> = {},
  ): Promise<EmbeddedSearchResult> {
    return this.#run(`Searching index ${indexName}`, options.signal, () =>
      this.#search(indexName, query, principals, options),
    );
  }

  /** The principals DLS grants `user` on `indexName` (its identity's `access_control`), [] when unknown. */
  principalsOf(indexName: string, user: string, signal?: AbortSignal): Promise<string[]> {
    return this.#run(`Reading identity ${user}`, signal, () => {
      const identity = this.#documents.get(accessControlIndexName(indexName), user);
      return identity === undefined ? [] : toIdentityPrincipals(identity);
    });
  }

  #requireIndex(indexName: string): void {
    if (typeof indexName !== 'string' || indexName === '') {
      throw new ConfigError('Invalid search', ['index: must be a non-empty string']);
    }
    if (this.#documents.indexKind(indexName) === undefined) {
      throw new ConnectorError(
        'NOT_FOUND',
        `[embedded-store] index ${indexName} does not exist in ${this.path}; run a sync of its connector first`,
        { details: { index: indexName } },
      );
    }
  }

  #search(
    indexName: string,
    text: string,
    principals: readonly string[] | undefined,
    options: Omit<EmbeddedSearchOptions, 'user'>,
  ): EmbeddedSearchResult {
    const limit = options.limit ?? 10;
    const offset = options.offset ?? 0;
    checkSearchPaging(limit, offset);
    this.#requireIndex(indexName);
    return this.#documents.search({
      indexName,
      text,
      principals,
      limit,
      offset,
      operator: options.operator ?? 'or',
    });
  }

  // ---------------------------------------------------------------- connectors

  #connectorRow(id: string): Row | undefined {
    return this.#sql.connectorGet.get(id) as Row | undefined;
  }

  #versioned<T>(id: string, row: Row): Versioned<T> {
    return { id, doc: JSON.parse(row.doc) as T, version: String(row.version) };
  }

  /** Connectors by id, in the order asked; missing and soft-deleted ones are left out. */
  listConnectors(ids: readonly string[], signal: AbortSignal): Promise<Versioned<ConnectorDoc>[]> {
    return this.#run('Listing connectors', signal, () => {
      const found: Versioned<ConnectorDoc>[] = [];
      for (const id of new Set(ids)) {
        const row = this.#connectorRow(id);
        if (row === undefined) continue;
        const connector = this.#versioned<ConnectorDoc>(id, row);
        if (connector.doc.deleted !== true) found.push(connector);
      }
      return found;
    });
  }

  /** One connector (undefined when missing or soft-deleted). */
  getConnector(id: string, signal: AbortSignal): Promise<Versioned<ConnectorDoc> | undefined> {
    return this.#run(`Reading connector ${id}`, signal, () => {
      const row = this.#connectorRow(id);
      if (row === undefined) return undefined;
      const connector = this.#versioned<ConnectorDoc>(id, row);
      return connector.doc.deleted === true ? undefined : connector;
    });
  }

  /** Creates a connector record; fails with CONFLICT when the id is taken. */
  createConnector(id: string, doc: ConnectorDoc, signal: AbortSignal): Promise<Versioned<ConnectorDoc>> {
    return this.#run(`Creating connector ${id}`, signal, (db) =>
      immediateTransaction(db, () => {
        if (typeof id !== 'string' || id === '') {
          throw new ConfigError('Cannot create a connector', ['id: must be a non-empty string']);
        }
        if (this.#connectorRow(id) !== undefined) {
          throw new ConnectorError('CONFLICT', `[embedded-store] connector '${id}' already exists`, {
            details: { id },
          });
        }
        const json = JSON.stringify(doc);
        this.#sql.connectorInsert.run(id, json);
        return { id, doc: JSON.parse(json) as ConnectorDoc, version: '1' };
      }),
    );
  }

  /** Creates the connector or replaces its whole record (runtime fields included) with `doc`. */
  upsertConnector(id: string, doc: ConnectorDoc, signal: AbortSignal): Promise<Versioned<ConnectorDoc>> {
    return this.#run(`Writing connector ${id}`, signal, () => {
      if (typeof id !== 'string' || id === '') {
        throw new ConfigError('Cannot write a connector', ['id: must be a non-empty string']);
      }
      const json = JSON.stringify(doc);
      const row = this.#sql.connectorReplace.get(id, json) as { version: number };
      return { id, doc: JSON.parse(json) as ConnectorDoc, version: String(row.version) };
    });
  }

  /** Merges `patch` (Elasticsearch partial-update semantics); `'conflict'` when `ifVersion` is stale. */
  updateConnector(
    id: string,
    patch: Partial<ConnectorDoc>,
    options: { readonly ifVersion?: string; readonly signal: AbortSignal },
  ): Promise<'ok' | 'conflict'> {
    return this.#run(`Updating connector ${id}`, options.signal, (db) =>
      immediateTransaction(db, () => {
        const row = this.#connectorRow(id);
        if (row === undefined) throw notFound('connector', id);
        if (options.ifVersion !== undefined && String(row.version) !== options.ifVersion) return 'conflict';
        const merged = mergeDocument(JSON.parse(row.doc) as JsonObject, patch);
        this.#sql.connectorWrite.run(JSON.stringify(merged), id);
        return 'ok';
      }),
    );
  }

  /** Heartbeat: sets the connector's `last_seen` to now. */
  checkIn(id: string, signal: AbortSignal): Promise<void> {
    return this.updateConnector(id, { last_seen: nowIso(this.#now) }, { signal }).then(() => undefined);
  }

  /** Hard-deletes a connector (and, with `deleteJobs`, its jobs and their checkpoints); true when it existed. */
  deleteConnector(
    id: string,
    options: { readonly deleteJobs?: boolean; readonly signal: AbortSignal },
  ): Promise<boolean> {
    return this.#run(`Deleting connector ${id}`, options.signal, (db) =>
      immediateTransaction(db, () => {
        const existed = Number(this.#sql.connectorDelete.run(id).changes) > 0;
        if (options.deleteJobs === true) {
          const jobs = this.#sql.jobsDeleteOfConnector.all(id) as { id: string }[];
          for (const job of jobs) this.#sql.checkpointDelete.run(job.id);
        }
        return existed;
      }),
    );
  }

  // ---------------------------------------------------------------- jobs

  /** Creates a pending job with the connector snapshot of spec 3.1; returns its id. */
  createJob(
    request: {
      readonly connectorId: string;
      readonly jobType: JobType;
      readonly triggerMethod: TriggerMethod;
    },
    signal: AbortSignal,
  ): Promise<string> {
    return this.#run(`Creating a ${request.jobType} job for connector ${request.connectorId}`, signal, (db) =>
      immediateTransaction(db, () => {
        const row = this.#connectorRow(request.connectorId);
        if (row === undefined) throw notFound('connector', request.connectorId);
        const connector = JSON.parse(row.doc) as ConnectorDoc;
        const now = nowIso(this.#now);
        const job: SyncJobDoc = {
          job_type: request.jobType,
          trigger_method: request.triggerMethod,
          status: 'pending',
          connector: toJobConnectorSnapshot(request.connectorId, connector, request.jobType),
          created_at: now,
          started_at: null,
          last_seen: now,
          completed_at: null,
          cancelation_requested_at: null,
          canceled_at: null,
          worker_hostname: null,
          indexed_document_count: 0,
          indexed_document_volume: 0,
          deleted_document_count: 0,
          total_document_count: 0,
          error: null,
          metadata: {},
        };
        const id = newJobId();
        this.#sql.jobInsert.run(
          id,
          request.connectorId,
          job.job_type,
          job.status,
          now,
          now,
          JSON.stringify(job),
        );
        return id;
      }),
    );
  }

  /** One job, undefined when missing. */
  getJob(id: string, signal: AbortSignal): Promise<Versioned<SyncJobDoc> | undefined> {
    return this.#run(`Reading job ${id}`, signal, () => {
      const row = this.#sql.jobGet.get(id) as JobRow | undefined;
      return row === undefined ? undefined : this.#versioned<SyncJobDoc>(id, row);
    });
  }

  /** Jobs matching `query`, oldest `created_at` first, fetched in keyset pages. */
  async *listJobs(query: JobQuery, signal: AbortSignal): AsyncIterable<Versioned<SyncJobDoc>> {
    const json = (values: readonly string[] | undefined): string | null =>
      values === undefined ? null : JSON.stringify(values);
    const seenBefore = query.lastSeenBefore === undefined ? null : toInstant(query.lastSeenBefore);
    if (query.lastSeenBefore !== undefined && seenBefore === null) {
      throw new ConfigError('Invalid job query', [`lastSeenBefore: '${query.lastSeenBefore}' is not a date`]);
    }
    let afterCreated = '';
    let afterSeq = -1;
    for (;;) {
      const page = await this.#run('Listing jobs', signal, () =>
        (
          this.#sql.jobPage.all({
            statuses: json(query.statuses),
            connectors: json(query.connectorIds),
            types: json(query.jobTypes),
            seenBefore,
            afterCreated,
            afterSeq,
            limit: JOB_PAGE_SIZE,
          }) as (JobRow & { id: string })[]
        ).map((row) => ({ row, job: this.#versioned<SyncJobDoc>(row.id, row) })),
      );
      for (const { job } of page) yield job;
      const last = page[page.length - 1];
      if (last === undefined || page.length < JOB_PAGE_SIZE) return;
      afterCreated = last.row.created_at;
      afterSeq = last.row.seq;
    }
  }

  /** Read-modify-write of one job under the write lock. `change` returns the new document. */
  #changeJob(
    id: string,
    action: string,
    signal: AbortSignal,
    change: (job: SyncJobDoc) => SyncJobDoc,
  ): Promise<void> {
    return this.#changeJobIf(id, action, signal, change, undefined).then(() => undefined);
  }

  /** {@link #changeJob} applied only when the job's version is still `ifVersion` (when given). */
  #changeJobIf(
    id: string,
    action: string,
    signal: AbortSignal,
    change: (job: SyncJobDoc) => SyncJobDoc,
    ifVersion: string | undefined,
  ): Promise<'ok' | 'conflict'> {
    return this.#run(action, signal, (db) =>
      immediateTransaction(db, () => {
        const row = this.#sql.jobGet.get(id) as JobRow | undefined;
        if (row === undefined) throw notFound('sync job', id);
        if (ifVersion !== undefined && String(row.version) !== ifVersion) return 'conflict' as const;
        const job = change(JSON.parse(row.doc) as SyncJobDoc);
        this.#sql.jobWrite.run(JSON.stringify(job), job.status, job.job_type, toInstant(job.last_seen), id);
        return 'ok' as const;
      }),
    );
  }

  /**
   * Marks a pending or suspended job `in_progress` for this worker. Unlike Elasticsearch's unconditional
   * `_claim`, it is atomic: a job already claimed (or in any other state) fails with CONFLICT, so two
   * processes never run one job.
   */
  claimJob(
    id: string,
    claim: { readonly workerHostname: string; readonly syncCursor?: JsonValue },
    signal: AbortSignal,
  ): Promise<void> {
    return this.#changeJob(id, `Claiming job ${id}`, signal, (job) => {
      if (job.status !== 'pending' && job.status !== 'suspended') {
        throw new ConnectorError(
          'CONFLICT',
          `[embedded-store] job '${id}' is ${job.status}, not pending or suspended; another worker claimed or ended it`,
          { details: { id, status: job.status } },
        );
      }
      const now = nowIso(this.#now);
      return {
        ...job,
        status: 'in_progress',
        started_at: now,
        last_seen: now,
        worker_hostname: claim.workerHostname,
        connector:
          claim.syncCursor === undefined
            ? job.connector
            : { ...job.connector, sync_cursor: structuredClone(claim.syncCursor) },
      };
    });
  }

  /** Writes running counters and refreshes `last_seen`. */
  updateJobStats(id: string, stats: JobStats, signal: AbortSignal): Promise<void> {
    return this.#changeJob(id, `Updating the counters of job ${id}`, signal, (job) => ({
      ...job,
      indexed_document_count: stats.indexed_document_count,
      indexed_document_volume: stats.indexed_document_volume,
      deleted_document_count: stats.deleted_document_count,
      ...(stats.total_document_count === undefined
        ? {}
        : { total_document_count: stats.total_document_count }),
      last_seen: nowIso(this.#now),
    }));
  }

  /** Merges `patch` into the job (a direct update: no state-machine check, like the Python service's writes). */
  updateJob(
    id: string,
    patch: Partial<SyncJobDoc>,
    signal: AbortSignal,
    options: { readonly ifVersion?: string } = {},
  ): Promise<'ok' | 'conflict'> {
    return this.#changeJobIf(
      id,
      `Updating job ${id}`,
      signal,
      (job) => mergeDocument(job as unknown as JsonObject, patch) as unknown as SyncJobDoc,
      options.ifVersion,
    );
  }

  /**
   * Requests cancellation with Elasticsearch's `_cancel` semantics: pending/suspended → canceled (with
   * `cancelation_requested_at`, `canceled_at`, `completed_at`), in_progress → canceling; any other status
   * fails with CONFLICT.
   */
  cancelJob(id: string, signal: AbortSignal): Promise<void> {
    return this.#changeJob(id, `Canceling job ${id}`, signal, (job) => {
      const now = nowIso(this.#now);
      const from: JobStatus = job.status;
      if (from === 'pending' || from === 'suspended') {
        return {
          ...job,
          status: 'canceled',
          cancelation_requested_at: now,
          canceled_at: now,
          completed_at: now,
        };
      }
      if (from === 'in_progress') return { ...job, status: 'canceling', cancelation_requested_at: now };
      throw new ConnectorError(
        'CONFLICT',
        `[embedded-store] job '${id}' cannot be canceled: it is ${from} (only pending, suspended and in_progress jobs can)`,
        { details: { id, status: from } },
      );
    });
  }

  // ---------------------------------------------------------------- checkpoints

  /** The saved resume point of a job, undefined when none. */
  loadCheckpoint(jobId: string, signal: AbortSignal): Promise<JsonValue | undefined> {
    return this.#run(`Loading the checkpoint of job ${jobId}`, signal, () => {
      const row = this.#sql.checkpointGet.get(jobId) as { checkpoint: string } | undefined;
      return row === undefined ? undefined : (JSON.parse(row.checkpoint) as JsonValue);
    });
  }

  /** Saves a resume point; `null` clears it. */
  saveCheckpoint(jobId: string, checkpoint: JsonValue | null, signal: AbortSignal): Promise<void> {
    return this.#run(`Saving the checkpoint of job ${jobId}`, signal, () => {
      if (checkpoint === null) this.#sql.checkpointDelete.run(jobId);
      else this.#sql.checkpointPut.run(jobId, JSON.stringify(checkpoint), nowIso(this.#now));
    });
  }
}

/**
 * Opens (creating when missing) the embedded store at `path` and migrates its schema.
 *
 * @example
 * ```ts
 * await using store = await openEmbeddedStore('./data/connectors.db');
 * const result = await store.search('search-dropbox', 'quarterly report', { user: 'alice@example.com' });
 * ```
 */
export function openEmbeddedStore(path: string, options: EmbeddedStoreOptions = {}): Promise<EmbeddedStore> {
  return Promise.resolve().then(() => {
    if (typeof path !== 'string' || path === '') {
      throw new ConfigError('Cannot open the embedded store', ['path: must be a non-empty file path']);
    }
    const db = openSqliteDatabase(path, {
      busyTimeoutMs: options.busyTimeoutMs ?? 5000,
      synchronous: options.synchronous ?? 'normal',
      verify: (probe) => void assertConnectorsStore(probe, path),
    });
    try {
      const migration = migrateStoreSchema(db, path);
      const store = new EmbeddedStore(db, path, options);
      (options.logger ?? noopLogger).info(
        { path, schemaFrom: migration.from, schemaTo: migration.to },
        'embedded store opened',
      );
      return store;
    } catch (error) {
      db.close();
      throw toStoreError(error, { path, action: 'Opening the embedded store' });
    }
  });
}
