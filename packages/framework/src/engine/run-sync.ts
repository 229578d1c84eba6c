import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { accessControlIndexName } from '../access-control/access-control-index-name.js';
import { checkDocumentAccess } from '../access-control/check-document-access.js';
import { toIdentityRecord } from '../access-control/to-identity-record.js';
import type { Filter, JobType } from '../control-plane/records.js';
import type { JsonValue } from '../document/json.js';
import { AbortError, isAbortLike } from '../errors/abort-error.js';
import { ConnectorError } from '../errors/connector-error.js';
import { CursorExpiredError } from '../errors/cursor-expired-error.js';
import { toConnectorError } from '../errors/to-connector-error.js';
import type { ContentExtractor } from '../extract/content-extractor.js';
import { noopLogger, type Logger } from '../logging/logger.js';
import { createBasicRuleEvaluator, type BasicRuleEvaluator } from '../rules/evaluate-basic-rules.js';
import { parseBasicRules } from '../rules/parse-basic-rules.js';
import { hasAdvancedRules } from '../rules/validate-filter.js';
import type { BatchOutcome, IndexWriter, PipelineSettings, Sink } from '../sink/sink.js';
import { SOURCE_API_VERSION, type SourceDefinition, type SourceInstance } from '../source/define-source.js';
import type { ListingEvent, UpsertEvent } from '../source/listing.js';
import { CheckpointTracker } from './checkpoint-tracker.js';
import { abortable, raceAbort } from './abortable.js';
import { createBatchWriter, type BatchWriter, type QueuedOperation } from './batch-writer.js';
import { createErrorBudget, type ErrorBudget, type ErrorBudgetOptions } from './error-budget.js';
import { openScratchTable, toChangeKey, type ScratchTable } from './scratch-table.js';
import { toFingerprint } from './to-fingerprint.js';
import { SuspendSignalReason } from './suspend-signal-reason.js';
import type { SyncEvents } from './sync-events.js';
import type { ItemReport, SyncResult } from './sync-result.js';
import { toDocumentId } from './to-document-id.js';
import type { TypedEmitter } from './typed-emitter.js';

/** Limits of one sync run. Unset values come from the sink's `batchLimits` or the defaults below. */
export interface SyncLimits {
  /** Operations per batch. @default sink.batchLimits.maxOperations */
  readonly maxBatchOperations: number;
  /** Serialized bytes per batch. @default sink.batchLimits.maxBytes */
  readonly maxBatchBytes: number;
  /** Batches written concurrently. @default sink.batchLimits.maxInFlight */
  readonly maxInFlightBatches: number;
  /** Content downloads/extractions in flight. @default 10 */
  readonly concurrentDownloads: number;
  /** Largest serialized document without `_attachment`; larger ones lose their body, then are skipped. @default 3 MiB */
  readonly maxDocumentBytes: number;
  /** Extra attempts for a batch rejected with a retryable error. @default 2 */
  readonly writeRetries: number;
  /** First retry delay (doubles per attempt, with jitter). @default 500 */
  readonly retryBaseDelayMs: number;
  /** Samples kept per report (skipped, warnings). @default 20 */
  readonly samples: number;
}

/** Options of {@link runSync}. */
export interface RunSyncOptions {
  /** The source declaration (its `id`, `apiVersion` and capabilities are read). */
  readonly source: Pick<SourceDefinition, 'apiVersion' | 'id' | 'capabilities'>;
  /** A live instance created from the source. The caller closes it. */
  readonly instance: SourceInstance;
  /** Where the documents go. */
  readonly sink: Sink;
  /** The content index (access-control jobs write to its `.search-acl-filter-` index). */
  readonly indexName: string;
  /** `full`, `incremental` or `access_control`. */
  readonly jobType: JobType;
  /** The connector's stored `sync_cursor` (incremental jobs). */
  readonly cursor?: JsonValue | null;
  /** A resume point saved by an earlier run of the same job (as given to `saveCheckpoint`). */
  readonly checkpoint?: JsonValue | null;
  /** Persists a resume point; called only after the sink acknowledged every write before it. */
  readonly saveCheckpoint?: (checkpoint: JsonValue) => Promise<void>;
  /** The active filter: basic rules (applied here) and the advanced snippet (handed to the source). */
  readonly filter?: Pick<Filter, 'rules' | 'advanced_snippet'> | null;
  /** Pipeline settings: name for the sink, flags copied onto content documents. */
  readonly pipeline?: PipelineSettings | null;
  /** Extracts lazily downloaded content of new or changed documents; without it content is never downloaded. */
  readonly extractor?: ContentExtractor;
  /** Document-level security: documents without a usable `_allow_access_control` are not indexed. */
  readonly dls?: boolean;
  /** Aborting cancels the run; abort with a {@link SuspendSignalReason} to suspend it instead. */
  readonly signal: AbortSignal;
  /** Lifecycle and per-page lines. @default noopLogger */
  readonly logger?: Logger;
  /** Typed progress events. */
  readonly events?: TypedEmitter<SyncEvents>;
  /** Directory of the on-disk reconciliation table. @default os.tmpdir() */
  readonly scratchDir?: string;
  /** Stable key of the job (its id): a resumed run finds its reconciliation table with it. */
  readonly jobKey?: string;
  /** Batch sizes, concurrency and caps (defaults from the sink's `batchLimits`). */
  readonly limits?: Partial<SyncLimits>;
  /** Error monitor for sink item failures (`false` counts only). */
  readonly errorBudget?: Partial<ErrorBudgetOptions> | false;
  /** Current time (for `_timestamp` of documents without one). @default Date.now */
  readonly now?: () => number;
}

const DEFAULT_PIPELINE: PipelineSettings = {
  name: 'search-default-ingestion',
  extract_binary_content: true,
  reduce_whitespace: true,
  run_ml_inference: true,
};

interface EngineCheckpoint {
  readonly engine: 1;
  readonly phase: 'full' | 'incremental';
  readonly checkpoint: JsonValue;
}

function isEngineCheckpoint(value: unknown): value is EngineCheckpoint {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { engine?: unknown }).engine === 1 &&
    ((value as { phase?: unknown }).phase === 'full' ||
      (value as { phase?: unknown }).phase === 'incremental')
  );
}

class Report {
  count = 0;
  readonly samples: { id?: string; reason: string }[] = [];
  constructor(private readonly max: number) {}
  add(id: string | undefined, reason: string): void {
    this.count += 1;
    if (this.samples.length < this.max) this.samples.push(id === undefined ? { reason } : { id, reason });
  }
  toJSON(): ItemReport {
    return { count: this.count, samples: [...this.samples] };
  }
}

/** A counting semaphore whose waits end with an AbortError when the signal aborts. */
class Slots {
  private used = 0;
  private readonly waiters: (() => void)[] = [];
  constructor(private readonly size: number) {}
  async acquire(signal: AbortSignal): Promise<void> {
    if (this.used < this.size) {
      this.used += 1;
      return;
    }
    await raceAbort(new Promise<void>((resolve) => this.waiters.push(resolve)), signal);
    this.used += 1;
  }
  release(): void {
    this.used -= 1;
    this.waiters.shift()?.();
  }
}

function truncateUtf8(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  const cut = Buffer.from(text, 'utf8').subarray(0, maxBytes).toString('utf8');
  return cut.endsWith('\uFFFD') ? cut.slice(0, -1) : cut;
}

class SyncRun {
  indexed = 0;
  deleted = 0;
  volumeBytes = 0;
  filtered = 0;
  unchanged = 0;
  readonly skipped: Report;
  readonly warnings: Report;
  cursor: JsonValue | null = null;
  fellBackToFull: string | undefined;
  fatal: ConnectorError | undefined;
  readonly fatalController = new AbortController();
  readonly signal: AbortSignal;
  readonly limits: SyncLimits;
  readonly logger: Logger;
  readonly budget: ErrorBudget;
  readonly rules: BasicRuleEvaluator | undefined;
  readonly tracker: CheckpointTracker<JsonValue>;
  readonly pipeline: PipelineSettings;
  readonly downloads = new Set<Promise<void>>();
  readonly slots: Slots;
  readonly now: () => number;
  scratch: ScratchTable | undefined;
  writer: IndexWriter | undefined;
  batches: BatchWriter | undefined;
  resumed = false;
  indexWasEmpty = false;

  constructor(readonly options: RunSyncOptions) {
    const batchLimits = options.sink.batchLimits;
    this.limits = {
      maxBatchOperations: batchLimits.maxOperations,
      maxBatchBytes: batchLimits.maxBytes,
      maxInFlightBatches: batchLimits.maxInFlight,
      concurrentDownloads: 10,
      maxDocumentBytes: 3 * 1024 * 1024,
      writeRetries: 2,
      retryBaseDelayMs: 500,
      samples: 20,
      ...options.limits,
    };
    this.skipped = new Report(this.limits.samples);
    this.warnings = new Report(this.limits.samples);
    this.signal = AbortSignal.any([options.signal, this.fatalController.signal]);
    this.logger = options.logger ?? noopLogger;
    this.budget = createErrorBudget(options.errorBudget === false ? { enabled: false } : options.errorBudget);
    const basicRules =
      options.source.capabilities.basicRules !== false ? parseBasicRules(options.filter) : [];
    this.rules = basicRules.length > 0 ? createBasicRuleEvaluator(basicRules) : undefined;
    this.pipeline = { ...DEFAULT_PIPELINE, ...options.pipeline };
    this.slots = new Slots(Math.max(1, this.limits.concurrentDownloads));
    this.now = options.now ?? Date.now;
    this.tracker = new CheckpointTracker(
      options.saveCheckpoint,
      () => this.scratch?.flush(),
      (checkpoint) => this.options.events?.emit('checkpoint:saved', { checkpoint }),
      (error) =>
        this.logger.warn(
          { err: toConnectorError(error).message },
          'Saving a checkpoint failed; the job resumes from an earlier one if interrupted',
        ),
    );
  }

  private get sourceLabel(): string {
    return `[${this.options.source.id}]`;
  }

  failFatal(error: ConnectorError): void {
    if (this.fatal) return;
    this.fatal = error;
    this.fatalController.abort(error);
  }

  skip(id: string | undefined, reason: string): void {
    this.skipped.add(id, reason);
    this.options.events?.emit('item:skipped', id === undefined ? { reason } : { id, reason });
    if (this.skipped.count <= this.limits.samples || this.skipped.count % 1000 === 0) {
      this.logger.warn({ id, reason, skipped: this.skipped.count }, 'Skipped an item');
    }
  }

  private openBatches(writer: IndexWriter): BatchWriter {
    return createBatchWriter({
      writer,
      maxOperations: Math.max(1, this.limits.maxBatchOperations),
      maxBytes: Math.max(1, this.limits.maxBatchBytes),
      maxInFlight: Math.max(1, this.limits.maxInFlightBatches),
      retries: this.limits.writeRetries,
      retryBaseDelayMs: this.limits.retryBaseDelayMs,
      signal: this.signal,
      onBatch: (items, outcome, durationMs) => this.onBatch(items, outcome, durationMs),
      onFatal: (error) => this.failFatal(error),
      onRetry: (attempt, delayMs, reason) => {
        this.options.events?.emit('retry', { attempt, delayMs, reason });
        this.logger.warn({ attempt, delayMs, reason }, 'Retrying a batch write');
      },
    });
  }

  private onBatch(items: readonly QueuedOperation[], outcome: BatchOutcome, durationMs: number): void {
    this.indexed += outcome.indexed;
    this.deleted += outcome.deleted;
    this.volumeBytes += outcome.volumeBytes;
    const failedIds = new Map<string, string>();
    for (const failure of outcome.failures) {
      const reason = `${failure.op} rejected by the sink${failure.status ? ` (${failure.status})` : ''}: ${failure.reason}`;
      failedIds.set(failure.id, reason);
      this.skip(failure.id, reason);
    }
    for (const item of items) {
      const reason = failedIds.get(item.operation.id);
      const exhausted = this.budget.record(reason !== undefined, reason);
      if (exhausted) this.failFatal(exhausted);
      this.tracker.complete(item.seq);
    }
    this.options.events?.emit('batch:committed', {
      operations: items.length,
      indexed: outcome.indexed,
      deleted: outcome.deleted,
      failures: outcome.failures.length,
      durationMs,
      totals: {
        indexed: this.indexed,
        deleted: this.deleted,
        volumeBytes: this.volumeBytes,
        skipped: this.skipped.count,
      },
    });
    this.logger.debug(
      { operations: items.length, indexed: outcome.indexed, deleted: outcome.deleted, durationMs },
      'Batch committed',
    );
    if (!this.fatal) this.tracker.flush();
  }

  private throwIfStopped(): void {
    if (this.fatal) throw this.fatal;
    if (this.signal.aborted) throw new AbortError('The sync was aborted', { cause: this.signal.reason });
  }

  private async enqueue(operation: QueuedOperation['operation'], seq: number, bytes?: number): Promise<void> {
    const size = bytes ?? Buffer.byteLength(JSON.stringify(operation), 'utf8');
    await this.batches!.add({ operation, bytes: size, seq });
  }

  /** Sizes, caps and queues one content document. */
  private async enqueueDocument(id: string, body: Record<string, JsonValue>, seq: number): Promise<void> {
    let json = JSON.stringify(body);
    let bytes = Buffer.byteLength(json, 'utf8');
    const max = this.limits.maxDocumentBytes;
    if (max > 0 && bytes > max && !('_attachment' in body)) {
      const text = body['body'];
      if (typeof text === 'string') {
        const overhead = bytes - Buffer.byteLength(JSON.stringify(text), 'utf8');
        body['body'] = truncateUtf8(text, Math.floor((max - overhead - 64) / 2));
        body['_body_truncated'] = true;
        json = JSON.stringify(body);
        bytes = Buffer.byteLength(json, 'utf8');
        this.warnings.add(id, `body truncated to fit ${max} bytes`);
      }
      if (bytes > max) {
        this.tracker.complete(seq);
        this.tracker.flush();
        this.skip(id, `document too large (${bytes} bytes, limit ${max})`);
        return;
      }
    }
    await this.enqueue({ op: 'index', id, document: body, json }, seq, bytes + id.length + 32);
  }

  private async handleUpsert(event: UpsertEvent, mode: 'full' | 'incremental'): Promise<void> {
    const doc = event.document;
    const rawId: unknown = doc?._id;
    if ((typeof rawId !== 'string' && typeof rawId !== 'number') || rawId === '') {
      this.skip(undefined, 'document has no _id');
      return;
    }
    const id = toDocumentId(String(rawId));
    if (this.rules && !this.rules.evaluate(doc).included) {
      this.filtered += 1;
      if (mode === 'incremental')
        await this.enqueue({ op: 'delete', id }, this.tracker.begin(), id.length + 32);
      return;
    }
    const scratch = this.indexWasEmpty ? undefined : this.scratch;
    const denied = checkDocumentAccess(doc, this.options.dls ?? false);
    if (denied) {
      scratch?.markSeen(id);
      this.skip(id, denied);
      return;
    }
    const fingerprint = toFingerprint(doc);
    if (scratch) {
      const stored = scratch.lookup(id);
      if (stored !== undefined) {
        scratch.markSeen(id);
        if (stored !== null && stored === toChangeKey(doc._timestamp, fingerprint)) {
          this.unchanged += 1;
          return;
        }
      }
    }
    const body: Record<string, JsonValue> = {};
    // Object.keys, not Object.entries: no [key, value] pair allocated per field of every document.
    for (const key of Object.keys(doc)) {
      const value = doc[key];
      if (key === '_id' || key === '_original_filename' || value === undefined) continue;
      body[key] = value as JsonValue;
    }
    body['id'] = id;
    if (typeof body['_timestamp'] !== 'string') body['_timestamp'] = new Date(this.now()).toISOString();
    body['_fingerprint'] = fingerprint;
    body['_extract_binary_content'] = this.pipeline.extract_binary_content;
    body['_reduce_whitespace'] = this.pipeline.reduce_whitespace;
    body['_run_ml_inference'] = this.pipeline.run_ml_inference;

    const seq = this.tracker.begin();
    const extractor = this.options.extractor;
    if (!event.content || !extractor) {
      await this.enqueueDocument(id, body, seq);
      return;
    }
    const content = event.content;
    await this.slots.acquire(this.signal);
    const task = (async () => {
      try {
        const result = await extractor.extract(content, { signal: this.signal });
        if (result.kind === 'text') {
          body['body'] = result.body;
          if (result.truncated) body['_body_truncated'] = true;
        } else if (result.kind === 'attachment') {
          body['_attachment'] = result.attachment;
        } else if (result.kind === 'failed') {
          this.warnings.add(id, `extraction failed: ${result.reason}`);
        }
      } catch (error) {
        if (this.signal.aborted) {
          // The sync is stopping. Never completed: a checkpoint must not move past a document not written.
          return;
        }
        // Anything else (a download that timed out, an extractor closed under it) fails this file only:
        // the document is indexed with its metadata, and the failure is a warning on the job.
        this.warnings.add(id, `extraction failed: ${toConnectorError(error).message}`);
      } finally {
        this.slots.release();
      }
      await this.enqueueDocument(id, body, seq);
    })().catch((error: unknown) => {
      if (!this.signal.aborted && !isAbortLike(error)) this.failFatal(toConnectorError(error));
    });
    this.downloads.add(task);
    void task.finally(() => this.downloads.delete(task));
  }

  private async drainAll(): Promise<void> {
    while (this.downloads.size > 0) await raceAbort(Promise.all(this.downloads), this.signal);
    this.throwIfStopped();
    await this.batches!.drain();
    this.throwIfStopped();
  }

  private async openWriter(indexName: string, kind: 'content' | 'access_control'): Promise<void> {
    if (this.writer) return;
    const opening = this.options.sink.openIndex({
      indexName,
      kind,
      pipeline: this.pipeline,
      signal: this.signal,
    });
    opening.then((writer) => (this.signal.aborted ? writer.close() : undefined)).catch(() => undefined);
    this.writer = await raceAbort(opening, this.signal);
    this.batches = this.openBatches(this.writer);
  }

  /** Opens the reconciliation table; returns whether a resumable one (with its seen marks) was found. */
  private async prepareScratch(resume: boolean): Promise<boolean> {
    const key = this.options.jobKey ?? randomUUID();
    const dir = this.options.scratchDir ?? tmpdir();
    let scratch = openScratchTable({ dir, key, fresh: !resume });
    if (resume && !scratch.loaded) {
      scratch.close(true);
      scratch = openScratchTable({ dir, key, fresh: true });
      resume = false;
    }
    this.scratch = scratch;
    if (!resume) {
      const count = await scratch.load(
        abortable(this.writer!.existing(this.signal), this.signal),
        this.signal,
      );
      this.logger.debug({ existing: count }, 'Loaded the ids already in the index');
      // An empty index (first sync): nothing to look up, nothing to mark, nothing to delete.
      this.indexWasEmpty = count === 0;
    }
    return resume;
  }

  private async listContent(
    listing: AsyncIterable<ListingEvent>,
    mode: 'full' | 'incremental',
  ): Promise<JsonValue | undefined> {
    let lastCursor: JsonValue | undefined;
    for await (const event of abortable(listing, this.signal)) {
      this.throwIfStopped();
      switch (event.kind) {
        case 'upsert':
          await this.handleUpsert(event, mode);
          break;
        case 'delete':
          if (mode === 'incremental') {
            const id = toDocumentId(String(event.id));
            await this.enqueue({ op: 'delete', id }, this.tracker.begin(), id.length + 32);
          }
          break;
        case 'skip':
          if (event.id !== undefined) this.scratch?.markSeen(toDocumentId(String(event.id)));
          this.skip(event.id, event.reason);
          break;
        case 'checkpoint':
          this.tracker.checkpoint({ engine: 1, phase: mode, checkpoint: event.checkpoint });
          // Send what precedes the checkpoint now, so it can be persisted without waiting for a full batch.
          await this.batches!.flushPending();
          break;
        case 'cursor':
          lastCursor = event.cursor;
          break;
        default:
          throw new ConnectorError(
            'CONTRACT_VIOLATION',
            `${this.sourceLabel} yielded an unknown listing event ${JSON.stringify((event as { kind?: unknown }).kind)}`,
          );
      }
    }
    return lastCursor;
  }

  private advancedRules(): JsonValue | undefined {
    const value = this.options.filter?.advanced_snippet?.value;
    return this.options.source.capabilities.advancedRules && hasAdvancedRules(value) ? value : undefined;
  }

  private async deleteUnseen(): Promise<void> {
    const scratch = this.scratch!;
    for (const page of scratch.unseen(Math.max(1, this.limits.maxBatchOperations))) {
      for (const id of page) await this.enqueue({ op: 'delete', id }, this.tracker.begin(), id.length + 32);
      this.throwIfStopped();
    }
  }

  async fullContent(resumeFrom: JsonValue | undefined): Promise<void> {
    await this.openWriter(this.options.indexName, 'content');
    const resumed = await this.prepareScratch(resumeFrom !== undefined);
    if (resumeFrom !== undefined && !resumed) {
      this.logger.info(
        'No reconciliation state for the saved checkpoint; restarting the listing from the beginning',
      );
    }
    this.resumed = resumed;
    const advancedRules = this.advancedRules();
    const listing = this.options.instance.listAll({
      signal: this.signal,
      ...(resumed ? { checkpoint: resumeFrom } : {}),
      ...(advancedRules !== undefined ? { advancedRules } : {}),
    });
    const cursor = await this.listContent(listing, 'full');
    await this.drainAll();
    // The listing completed without error: now, and only now, stale documents may go.
    await this.deleteUnseen();
    await this.drainAll();
    this.cursor = this.options.source.capabilities.incrementalSync ? (cursor ?? null) : null;
  }

  async incrementalContent(cursor: JsonValue, resumeFrom: JsonValue | undefined): Promise<void> {
    const listChanges = this.options.instance.listChanges?.bind(this.options.instance);
    if (!listChanges)
      throw new ConnectorError('CONTRACT_VIOLATION', `${this.sourceLabel} has no listChanges`);
    await this.openWriter(this.options.indexName, 'content');
    this.resumed = resumeFrom !== undefined;
    const advancedRules = this.advancedRules();
    const listing = listChanges({
      signal: this.signal,
      cursor,
      ...(resumeFrom !== undefined ? { checkpoint: resumeFrom } : {}),
      ...(advancedRules !== undefined ? { advancedRules } : {}),
    });
    const next = await this.listContent(listing, 'incremental');
    await this.drainAll();
    this.cursor = next ?? cursor;
  }

  async accessControl(): Promise<void> {
    const listIdentities = this.options.instance.listIdentities?.bind(this.options.instance);
    if (!listIdentities)
      throw new ConnectorError('CONTRACT_VIOLATION', `${this.sourceLabel} has no listIdentities`);
    await this.openWriter(accessControlIndexName(this.options.indexName), 'access_control');
    await this.prepareScratch(false);
    const scratch = this.scratch!;
    for await (const identity of abortable(listIdentities({ signal: this.signal }), this.signal)) {
      this.throwIfStopped();
      let record;
      try {
        record = toIdentityRecord(identity);
      } catch (error) {
        const rawId = typeof identity?._id === 'string' && identity._id !== '' ? identity._id : undefined;
        // Per-item isolation: a malformed identity keeps its stored copy (marked seen, so not deleted).
        if (rawId !== undefined) scratch.markSeen(toDocumentId(rawId));
        this.skip(rawId, toConnectorError(error).message);
        continue;
      }
      const id = toDocumentId(identity._id);
      record.id = id;
      const stored = scratch.lookup(id);
      if (stored !== undefined) {
        scratch.markSeen(id);
        if (identity._timestamp !== undefined && stored !== null && stored === identity._timestamp) {
          this.unchanged += 1;
          continue;
        }
      }
      if (typeof record['_timestamp'] !== 'string') record['_timestamp'] = new Date(this.now()).toISOString();
      await this.enqueue(
        { op: stored === undefined ? 'index' : 'update', id, document: record },
        this.tracker.begin(),
      );
    }
    await this.drainAll();
    await this.deleteUnseen();
    await this.drainAll();
    this.cursor = null;
  }

  /** Lets downloads, writes and checkpoint saves in flight settle, for at most half a second in total. */
  async settle(): Promise<void> {
    const grace = 500;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.downloads, this.batches?.settle(grace), this.tracker.idle(grace)]),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, grace))),
    ]);
    clearTimeout(timer);
  }

  result(
    status: SyncResult['status'],
    started: number,
    total: number | null,
    error?: ConnectorError,
  ): SyncResult {
    return {
      status,
      indexed: this.indexed,
      deleted: this.deleted,
      volumeBytes: this.volumeBytes,
      total,
      skipped: this.skipped.toJSON(),
      warnings: this.warnings.toJSON(),
      filtered: this.filtered,
      unchanged: this.unchanged,
      cursor: status === 'completed' ? this.cursor : null,
      ...(this.fellBackToFull !== undefined ? { fellBackToFull: this.fellBackToFull } : {}),
      ...(error ? { error } : {}),
      durationMs: Math.round(performance.now() - started),
    };
  }
}

function unwrapCheckpoint(value: JsonValue | null | undefined): EngineCheckpoint | undefined {
  if (value === null || value === undefined) return undefined;
  return isEngineCheckpoint(value) ? value : { engine: 1, phase: 'full', checkpoint: value };
}

/**
 * Runs one sync job (`full`, `incremental` or `access_control`) from a source instance into a sink, with the
 * sync guarantees: stale documents are deleted only after a complete, error-free listing; reconciliation
 * spills to an on-disk table; checkpoints are saved only behind acknowledged writes; items fail alone;
 * an expired cursor falls back to a full sync. Never throws: the outcome is in the result.
 * @example
 * const result = await runSync({ source, instance, sink, indexName: 'search-files', jobType: 'full', signal });
 */
export async function runSync(options: RunSyncOptions): Promise<SyncResult> {
  const started = performance.now();
  const run = new SyncRun(options);
  const logger = run.logger;
  const { source, jobType } = options;
  const resume = unwrapCheckpoint(options.checkpoint);
  options.events?.emit('run:start', { jobType, indexName: options.indexName, resumed: resume !== undefined });
  logger.info({ jobType, indexName: options.indexName, resumed: resume !== undefined }, 'Sync started');

  let status: SyncResult['status'] = 'completed';
  let error: ConnectorError | undefined;
  try {
    if (source.apiVersion !== SOURCE_API_VERSION) {
      throw new ConnectorError(
        'CONTRACT_VIOLATION',
        `[${source.id}] speaks source API version ${String(source.apiVersion)}, this framework speaks ${SOURCE_API_VERSION}`,
      );
    }
    if (jobType === 'full') {
      await run.fullContent(resume?.checkpoint);
    } else if (jobType === 'incremental') {
      if (!source.capabilities.incrementalSync || !options.instance.listChanges) {
        throw new ConnectorError(
          'CONFIG_INVALID',
          `[${source.id}] does not support incremental syncs; run a full sync`,
        );
      }
      if (resume?.phase === 'full') {
        run.fellBackToFull = 'resuming a full sync that replaced this incremental sync';
        await run.fullContent(resume.checkpoint);
      } else if (options.cursor === undefined || options.cursor === null) {
        run.fellBackToFull = 'no stored cursor (no successful sync yet)';
        logger.info({ reason: run.fellBackToFull }, 'Running a full sync instead of an incremental one');
        await run.fullContent(undefined);
      } else {
        try {
          await run.incrementalContent(options.cursor, resume?.checkpoint);
        } catch (caught) {
          if (!CursorExpiredError.isInstance(caught) || run.fatal || options.signal.aborted) throw caught;
          await run.batches?.drain();
          run.fellBackToFull = caught.message;
          logger.info({ reason: caught.message }, 'The change cursor expired; running a full sync instead');
          await run.fullContent(undefined);
        }
      }
    } else if (jobType === 'access_control') {
      if (!source.capabilities.accessControl || !options.instance.listIdentities) {
        throw new ConnectorError('CONFIG_INVALID', `[${source.id}] does not support access control syncs`);
      }
      await run.accessControl();
    } else {
      throw new ConnectorError('CONFIG_INVALID', `Unknown job type ${JSON.stringify(jobType)}`);
    }
  } catch (caught) {
    if (run.fatal) {
      status = 'error';
      error = run.fatal;
    } else if (options.signal.aborted) {
      status = SuspendSignalReason.isInstance(options.signal.reason) ? 'suspended' : 'canceled';
    } else {
      status = 'error';
      error = toConnectorError(caught, `[${source.id}] ${jobType} sync failed`);
    }
  }

  if (status !== 'completed') await run.settle();
  // No checkpoint write may land after the caller clears the job's checkpoint: let the save in progress
  // finish, then start no other (a batch settling late would otherwise save one after runSync returned).
  else await run.tracker.idle(30_000);
  run.tracker.stop();
  let total: number | null = null;
  if (run.writer && status !== 'canceled' && status !== 'suspended') {
    try {
      await run.writer.refresh(options.signal);
      total = await run.writer.count(options.signal);
    } catch (caught) {
      logger.warn({ err: toConnectorError(caught).message }, 'Counting the index failed');
    }
  }
  try {
    await run.writer?.close();
  } catch (caught) {
    logger.warn({ err: toConnectorError(caught).message }, 'Closing the index writer failed');
  }
  try {
    run.scratch?.close(status !== 'suspended');
  } catch (caught) {
    logger.warn({ err: toConnectorError(caught).message }, 'Closing the reconciliation table failed');
  }

  const result = run.result(status, started, total, error);
  logger.info(
    {
      status,
      indexed: result.indexed,
      deleted: result.deleted,
      skipped: result.skipped.count,
      unchanged: result.unchanged,
      filtered: result.filtered,
      total,
      durationMs: result.durationMs,
      ...(error ? { error: error.message } : {}),
    },
    'Sync ended',
  );
  options.events?.emit('run:end', { result });
  return result;
}
