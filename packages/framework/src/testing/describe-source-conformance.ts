import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigFields } from '../config/config-field.js';
import { toConfigurationSchema } from '../config/configuration-schema.js';
import { parseConfig, sensitiveValues } from '../config/parse-config.js';
import type { JsonValue } from '../document/json.js';
import { isAbortLike } from '../errors/abort-error.js';
import { AuthError } from '../errors/auth-error.js';
import { ConfigError } from '../errors/config-error.js';
import { runSync } from '../engine/run-sync.js';
import { SuspendSignalReason } from '../engine/suspend-signal-reason.js';
import type { SyncEvents } from '../engine/sync-events.js';
import type { SyncResult } from '../engine/sync-result.js';
import { createTypedEmitter } from '../engine/typed-emitter.js';
import type { Sink } from '../sink/sink.js';
import type { SourceContext, SourceDefinition, SourceInstance } from '../source/define-source.js';
import { createCapturingLogger, createTestContext, type CapturingLogger } from './create-test-context.js';
import { createMemorySink, type MemorySink } from './memory-sink.js';

type RawConfig = Record<string, unknown>;

/** An invalid configuration and the field its ConfigError must name. */
export interface InvalidConfigCase {
  readonly name: string;
  readonly values: RawConfig;
  /** The field key the error must mention. */
  readonly field: string;
}

/** What a tenant mutation did, for the deletion checks. */
export interface ConformanceMutation {
  /** Ids (as listed) of documents the mutation removed from the tenant. */
  readonly deleted: readonly string[];
}

/** Options of {@link describeSourceConformance}. */
export interface SourceConformanceOptions<F extends ConfigFields = ConfigFields> {
  readonly source: SourceDefinition<F>;
  /** Raw values (as in config.yml or Kibana) of a working configuration. Called for every test. */
  readonly validConfig: () => RawConfig | Promise<RawConfig>;
  /** Invalid configurations, each with the field its error must name. Empty required fields are checked too. */
  readonly invalidConfigs?: readonly InvalidConfigCase[];
  /** A configuration whose credentials the remote rejects (check() must throw an AuthError). */
  readonly badCredentials?: () => RawConfig | Promise<RawConfig>;
  /** Removes at least one listed document from the tenant (deletion checks). */
  readonly mutate?: () => Promise<ConformanceMutation> | ConformanceMutation;
  /** A fresh sink per sync. @default createMemorySink() */
  readonly makeSink?: () => Sink;
  /** Overrides of the source context (e.g. a fetch pointed at a simulator). */
  readonly context?: Partial<Omit<SourceContext, 'logger' | 'signal'>>;
  /** Runs once before the suite (start a simulator). */
  readonly setup?: () => Promise<void> | void;
  /** Runs once after the suite. */
  readonly teardown?: () => Promise<void> | void;
  /** Per-test timeout. @default 30000 */
  readonly timeoutMs?: number;
  /** Suite name. @default `source conformance: <id>` */
  readonly name?: string;
}

const INDEX = 'search-conformance';
const FIXED_NOW = Date.parse('2024-01-01T00:00:00Z');

function settleWithin<T>(promise: Promise<T>, ms: number): Promise<'settled' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(
      () => 'settled' as const,
      () => 'settled' as const,
    ),
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms))),
  ]).finally(() => clearTimeout(timer));
}

function documentsOf(sink: Sink, indexName: string): Map<string, unknown> | undefined {
  const memory = sink as Partial<MemorySink>;
  return typeof memory.documents === 'function' ? memory.documents(indexName) : undefined;
}

/**
 * The conformance suite every source runs (ours and third-party): configuration rejection, connection-check
 * errors, full listing shape, a full sync through the engine, resume from a checkpoint, deletions,
 * cancellation within a second, and no secret in any error or log line. Call it at the top level of a test file.
 * @example
 * describeSourceConformance({ source: filesSource, validConfig: () => ({ root: dir }) });
 */
export function describeSourceConformance<F extends ConfigFields>(
  options: SourceConformanceOptions<F>,
): void {
  const { source } = options;
  const timeout = options.timeoutMs ?? 30_000;
  const fields = source.configuration as ConfigFields;
  const loggers: CapturingLogger[] = [];
  const errors: unknown[] = [];
  const secrets = new Set<string>();
  let scratchDir = '';

  const remember = (values: RawConfig) => {
    for (const value of sensitiveValues(fields, values)) if (value.length >= 4) secrets.add(value);
    return values;
  };

  const open = async (values: RawConfig, signal = new AbortController().signal) => {
    remember(values);
    const logger = createCapturingLogger();
    loggers.push(logger);
    const config = parseConfig(fields, values, { source: source.id });
    const context = { ...createTestContext({ logger, signal }), ...options.context, logger, signal };
    const instance = await source.create(config as never, context);
    return { instance, logger };
  };

  const sync = async (
    instance: SourceInstance,
    sink: Sink,
    extra: Partial<Parameters<typeof runSync>[0]> = {},
  ): Promise<SyncResult> => {
    const result = await runSync({
      source,
      instance,
      sink,
      indexName: INDEX,
      jobType: 'full',
      signal: new AbortController().signal,
      scratchDir,
      jobKey: `conformance-${Math.random().toString(36).slice(2)}`,
      now: () => FIXED_NOW,
      ...extra,
    });
    if (result.error) errors.push(result.error);
    return result;
  };

  const makeSink = () => options.makeSink?.() ?? createMemorySink();

  describe(options.name ?? `source conformance: ${source.id}`, () => {
    beforeAll(async () => {
      scratchDir = mkdtempSync(join(tmpdir(), 'conformance-'));
      await options.setup?.();
    });
    afterAll(async () => {
      await options.teardown?.();
      rmSync(scratchDir, { recursive: true, force: true });
    });

    it('declares a source the engine accepts', () => {
      expect(source.apiVersion).toBe(1);
      expect(source.id).toMatch(/^[a-z0-9_-]+$/);
      const schema = toConfigurationSchema(fields);
      for (const [key, entry] of Object.entries(schema)) {
        expect(entry.label, `field ${key} has a label`).not.toBe('');
      }
    });

    it('rejects each invalid configuration with a ConfigError naming the field', () => {
      const cases: InvalidConfigCase[] = [...(options.invalidConfigs ?? [])];
      for (const [key, declaration] of Object.entries(fields)) {
        if (declaration.required && declaration.defaultValue === null && declaration.dependsOn.length === 0) {
          cases.push({ name: `${key} empty`, values: { [key]: '' }, field: key });
        }
      }
      for (const testCase of cases) {
        let thrown: unknown;
        try {
          parseConfig(fields, testCase.values, { source: source.id });
        } catch (error) {
          thrown = error;
        }
        errors.push(thrown);
        expect(ConfigError.isInstance(thrown), `${testCase.name}: throws a ConfigError`).toBe(true);
        expect(
          (thrown as ConfigError).issues.join('\n'),
          `${testCase.name}: names ${testCase.field}`,
        ).toContain(testCase.field);
      }
    });

    it(
      'passes the connection check with the valid configuration',
      async () => {
        const { instance } = await open(await options.validConfig());
        try {
          await instance.check(new AbortController().signal);
        } finally {
          await instance.close();
        }
      },
      timeout,
    );

    it.skipIf(!options.badCredentials)(
      'rejects bad credentials with an AuthError that does not contain the secret',
      async () => {
        const values = remember(await options.badCredentials!());
        let thrown: unknown;
        try {
          const { instance } = await open(values);
          try {
            await instance.check(new AbortController().signal);
          } finally {
            await instance.close();
          }
        } catch (error) {
          thrown = error;
        }
        errors.push(thrown);
        expect(AuthError.isInstance(thrown), `expected an AuthError, got ${String(thrown)}`).toBe(true);
        for (const secret of sensitiveValues(fields, values)) {
          expect((thrown as Error).message).not.toContain(secret);
        }
      },
      timeout,
    );

    it(
      'lists documents with non-empty, unique ids',
      async () => {
        const { instance } = await open(await options.validConfig());
        const ids = new Set<string>();
        const duplicates: string[] = [];
        let cursors = 0;
        let lastKind = '';
        try {
          for await (const event of instance.listAll({ signal: new AbortController().signal })) {
            lastKind = event.kind;
            expect(['upsert', 'delete', 'skip', 'checkpoint', 'cursor']).toContain(event.kind);
            if (event.kind === 'cursor') cursors += 1;
            if (event.kind !== 'upsert') continue;
            const id = event.document._id;
            expect(typeof id === 'string' && id.length > 0, `document id ${JSON.stringify(id)}`).toBe(true);
            if (ids.has(id)) duplicates.push(id);
            ids.add(id);
          }
        } finally {
          await instance.close();
        }
        expect(ids.size).toBeGreaterThan(0);
        expect(duplicates).toEqual([]);
        if (source.capabilities.incrementalSync) {
          expect(cursors, 'an incremental source ends its full listing with a cursor').toBeGreaterThan(0);
          expect(lastKind).toBe('cursor');
        }
      },
      timeout,
    );

    it(
      'completes a full sync through the engine and indexes every listed document',
      async () => {
        const { instance } = await open(await options.validConfig());
        const sink = makeSink();
        try {
          const result = await sync(instance, sink);
          expect(result.error?.message).toBeUndefined();
          expect(result.status).toBe('completed');
          expect(result.indexed).toBeGreaterThan(0);
          expect(result.total).toBe(result.indexed);
          if (source.capabilities.incrementalSync) expect(result.cursor).not.toBeNull();
        } finally {
          await instance.close();
        }
      },
      timeout,
    );

    it(
      'resumes a suspended full sync from its checkpoint to the same final index',
      async () => {
        const reference = makeSink();
        const first = await open(await options.validConfig());
        try {
          expect((await sync(first.instance, reference)).status).toBe('completed');
        } finally {
          await first.instance.close();
        }

        const sink = makeSink();
        const controller = new AbortController();
        const events = createTypedEmitter<SyncEvents>();
        let saved: JsonValue | undefined;
        events.on('checkpoint:saved', () => controller.abort(new SuspendSignalReason('conformance suspend')));
        const jobKey = 'conformance-resume';
        const second = await open(await options.validConfig());
        let suspended: SyncResult;
        try {
          suspended = await sync(second.instance, sink, {
            signal: controller.signal,
            events,
            jobKey,
            saveCheckpoint: (value) => {
              saved = value;
              return Promise.resolve();
            },
          });
        } finally {
          await second.instance.close();
        }
        if (saved === undefined) {
          // The source yields no checkpoint before its end: nothing to resume; the run completed.
          expect(suspended.status).toBe('completed');
        } else {
          expect(suspended.status).toBe('suspended');
          expect(suspended.deleted).toBe(0);
          const third = await open(await options.validConfig());
          try {
            const resumed = await sync(third.instance, sink, { checkpoint: saved, jobKey });
            expect(resumed.status).toBe('completed');
          } finally {
            await third.instance.close();
          }
        }
        const expected = documentsOf(reference, INDEX);
        const actual = documentsOf(sink, INDEX);
        if (expected && actual) {
          expect(Object.fromEntries([...actual].sort())).toEqual(Object.fromEntries([...expected].sort()));
        }
      },
      timeout,
    );

    it.skipIf(!options.mutate)(
      'applies deletions (incrementally when supported, and by a full sync)',
      async () => {
        const sink = makeSink();
        const first = await open(await options.validConfig());
        let cursor: JsonValue | null = null;
        try {
          const result = await sync(first.instance, sink);
          expect(result.status).toBe('completed');
          cursor = result.cursor;
        } finally {
          await first.instance.close();
        }
        const before = documentsOf(sink, INDEX);
        const mutation = await options.mutate!();
        expect(mutation.deleted.length).toBeGreaterThan(0);
        for (const id of mutation.deleted) if (before) expect(before.has(id), `${id} was indexed`).toBe(true);

        const second = await open(await options.validConfig());
        try {
          const jobType = source.capabilities.incrementalSync ? 'incremental' : 'full';
          const result = await sync(second.instance, sink, { jobType, cursor });
          expect(result.status).toBe('completed');
          expect(result.fellBackToFull).toBeUndefined();
          expect(result.deleted).toBeGreaterThanOrEqual(mutation.deleted.length);
          const after = documentsOf(sink, INDEX);
          for (const id of mutation.deleted)
            if (after) expect(after.has(id), `${id} was deleted`).toBe(false);
          if (jobType === 'incremental') {
            const full = await sync(second.instance, sink);
            expect(full.status).toBe('completed');
            expect(full.deleted).toBe(0);
          }
        } finally {
          await second.instance.close();
        }
      },
      timeout,
    );

    it(
      'stops listing within a second of the signal aborting',
      async () => {
        const controller = new AbortController();
        const { instance } = await open(await options.validConfig(), controller.signal);
        try {
          const iterator = instance.listAll({ signal: controller.signal })[Symbol.asyncIterator]();
          const first = await iterator.next();
          expect(first.done).toBe(false);
          controller.abort();
          const drain = (async () => {
            for (;;) {
              const next = await iterator.next();
              if (next.done) return;
            }
          })();
          drain.catch((error: unknown) => {
            if (!isAbortLike(error)) errors.push(error);
          });
          expect(await settleWithin(drain, 1000)).toBe('settled');
        } finally {
          await settleWithin(instance.close(), 1000);
        }
      },
      timeout,
    );

    it('never prints a secret value in an error or a log line', () => {
      const texts = [
        ...loggers.map((logger) => logger.text()),
        ...errors.map((error) => {
          if (error instanceof Error) {
            const details = (error as { details?: unknown }).details;
            return `${error.message} ${JSON.stringify(details ?? null)} ${error.stack ?? ''}`;
          }
          return String(error);
        }),
      ].join('\n');
      for (const secret of secrets) expect(texts.includes(secret), 'a secret value was printed').toBe(false);
    });
  });
}
