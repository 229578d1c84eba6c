import {
  AuthError,
  ConnectorError,
  UpstreamError,
  clearRegisteredSecrets,
  createRetryingFetch,
  isAbortLike,
  parseConfig,
  systemClock,
  type JsonValue,
  type ListingEvent,
  type SourceDocument,
} from '@connectors/framework';
import { describe, expect, it } from 'vitest';
import { checkpointPacer } from '../src/dropbox-listing.js';
import { createDropboxInstance, dropboxSource } from '../src/index.js';
import { createDropboxSimulator } from '../src/simulator/index.js';
import { apply, canonical, collect, full, instanceFor, testContext } from './helpers.js';

describe('reliability against the simulator', () => {
  it('gives the fault-free result with 10% of requests failing (429 with Retry-After, 5xx, resets)', async () => {
    await using sim = await createDropboxSimulator({
      seed: 31,
      size: 'medium',
      faults: {
        rate: 0.1,
        seed: 99,
        kinds: ['429', '500', '503', 'reset'],
        retryAfterSeconds: 0,
        maxConsecutive: 3,
      },
    });
    const instance = instanceFor(sim, {
      use_document_level_security: true,
      include_inherited_users_and_groups: true,
    });
    const first = await collect(instance.listAll(full()));
    expect(first.skips).toEqual([]);
    expect(canonical(first.upserts.values())).toEqual(
      sim.groundTruth({ dls: true, includeGroups: true }).documents,
    );
    // Contents survive faults too.
    const truth = sim.groundTruth({ dls: true, includeGroups: true });
    for (const [id, open] of [...first.contents].slice(0, 40)) {
      expect((await open()).equals(truth.contents.get(id)!)).toBe(true);
    }
    const index = new Map<string, SourceDocument>();
    apply(index, first.events);
    sim.admin.addFile('/Engineering', 'during faults.txt', 'x');
    sim.admin.deleteItem('/Ada Admin/Private/deep/level 2');
    const second = await collect(
      instance.listChanges!({ signal: AbortSignal.timeout(30_000), cursor: first.cursor as JsonValue }),
    );
    apply(index, second.events);
    expect(canonical(index.values())).toEqual(sim.groundTruth({ dls: true, includeGroups: true }).documents);
    const stats = sim.faults!.stats();
    expect(stats.injected).toBeGreaterThan(10);
    expect(stats.byKind['429']).toBeGreaterThan(0);
    expect(stats.byKind.reset).toBeGreaterThan(0);
  });

  it('ends a listing that fails for good with a clear error and no cursor (so nothing gets deleted)', async () => {
    await using sim = await createDropboxSimulator({ seed: 32, size: 'small' });
    sim.admin.failRoute('files/list_folder/continue', 1000);
    const events: ListingEvent[] = [];
    const error = await (async () => {
      for await (const event of instanceFor(sim).listAll(full())) events.push(event);
    })().catch((e: unknown) => e);
    expect(UpstreamError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/^\[dropbox\] list_folder at "\/": HTTP 500/);
    expect(events.some((e) => e.kind === 'cursor' || e.kind === 'delete')).toBe(false);
    // The retrying fetch retried: 6 attempts of the failing continue call.
    expect(sim.callCounts()['files/list_folder/continue']).toBe(6);
  });

  it('refreshes the access token once on a 401 and carries on', async () => {
    await using sim = await createDropboxSimulator({ seed: 33, size: 'small' });
    const instance = instanceFor(sim);
    const events = instance.listAll(full())[Symbol.asyncIterator]();
    const firstEvent = await events.next();
    expect(firstEvent.done).toBe(false);
    sim.admin.expireAccessTokens();
    const rest: ListingEvent[] = [firstEvent.value as ListingEvent];
    for (let next = await events.next(); !next.done; next = await events.next()) rest.push(next.value);
    const index = new Map<string, SourceDocument>();
    apply(index, rest);
    expect(canonical(index.values())).toEqual(sim.groundTruth().documents);
    expect(sim.callCounts()['oauth2/token']).toBe(2);
  });

  it('reports a revoked refresh token as an AuthError without leaking secrets', async () => {
    clearRegisteredSecrets();
    await using sim = await createDropboxSimulator({ seed: 34, size: 'small' });
    sim.admin.revokeRefreshTokens();
    const config = sim.configFor();
    const error = await instanceFor(sim)
      .check(AbortSignal.timeout(5000))
      .catch((e: unknown) => e);
    expect(AuthError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      '[dropbox] Refresh token rejected (invalid or revoked); create a new one in the App Console',
    );
    const serialized = JSON.stringify((error as ConnectorError).toJSON()) + String((error as Error).stack);
    for (const secret of [config.app_secret, config.refresh_token, config.app_key]) {
      expect(serialized).not.toContain(String(secret));
    }
  });

  it('reports a wrong app secret as an AuthError naming the app credentials', async () => {
    await using sim = await createDropboxSimulator({ seed: 35, size: 'small' });
    const error = await instanceFor(sim, { app_secret: 'wrong-secret-value' })
      .check(AbortSignal.timeout(5000))
      .catch((e: unknown) => e);
    expect(AuthError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/App key or app secret rejected/);
  });

  it('resumes a full listing from its last checkpoint and ends with the same documents', async () => {
    await using sim = await createDropboxSimulator({ seed: 36, size: 'medium' });
    const events: ListingEvent[] = [];
    let lastCheckpoint: JsonValue | undefined;
    let checkpoints = 0;
    for await (const event of instanceFor(sim, { use_document_level_security: true }).listAll(full())) {
      events.push(event);
      if (event.kind === 'checkpoint') {
        lastCheckpoint = event.checkpoint;
        checkpoints += 1;
        if (checkpoints === 5) break; // "crash"
      }
    }
    sim.resetCallCounts();
    const resumed = await collect(
      instanceFor(sim, { use_document_level_security: true }).listAll(full({ checkpoint: lastCheckpoint! })),
    );
    const index = new Map<string, SourceDocument>();
    apply(index, events);
    apply(index, resumed.events);
    const truth = sim.groundTruth({ dls: true });
    expect(canonical(index.values())).toEqual(truth.documents);
    expect(resumed.upserts.size).toBeLessThan(truth.documents.length);
    expect(sim.callCounts()['files/list_folder'] ?? 0).toBe(0);
    // The resumed cursor still knows every item, so later deletions resolve.
    sim.admin.deleteItem('/Engineering');
    const after = await collect(
      instanceFor(sim, { use_document_level_security: true }).listChanges!({
        signal: AbortSignal.timeout(10_000),
        cursor: resumed.cursor as JsonValue,
      }),
    );
    apply(index, after.events);
    expect(canonical(index.values())).toEqual(sim.groundTruth({ dls: true }).documents);
  });

  it('reads received files again from the start when Dropbox no longer accepts their page cursor', async () => {
    // 20 received files, 5 a page: the checkpoints of the received phase carry a page cursor.
    await using sim = await createDropboxSimulator({ seed: 40, size: 400, pageSize: 5 });
    expect(sim.admin.tenant.received).toHaveLength(20);
    const events: ListingEvent[] = [];
    let resumeFrom: JsonValue | undefined;
    for await (const event of instanceFor(sim).listAll(full())) {
      events.push(event);
      if (event.kind !== 'checkpoint') continue;
      const value = event.checkpoint as Record<string, unknown>;
      if (value.phase === 'received' && typeof value.receivedCursor === 'string') {
        resumeFrom = event.checkpoint;
        break; // "crash" after the first page of received files
      }
    }
    expect(resumeFrom).toBeDefined();
    sim.admin.expireReceivedCursors();
    sim.resetCallCounts();
    const resumed = await collect(instanceFor(sim).listAll(full({ checkpoint: resumeFrom! })));
    // The stored page cursor was refused, and the list was read again from its first page.
    expect(sim.callCounts()['sharing/list_received_files/continue']).toBeGreaterThan(1);
    expect(sim.callCounts()['sharing/list_received_files']).toBe(1);
    expect(resumed.skips).toEqual([]);
    const index = new Map<string, SourceDocument>();
    apply(index, events);
    apply(index, resumed.events);
    expect(canonical(index.values())).toEqual(sim.groundTruth().documents);
    const receivedIds = resumed.events.flatMap((e) =>
      e.kind === 'upsert' && e.document.file_path === undefined ? [e.document._id] : [],
    );
    expect(new Set(receivedIds).size).toBe(receivedIds.length);
    // The final cursor knows every received file.
    expect(Object.keys((resumed.cursor as { received: object }).received).sort()).toEqual(
      sim.admin.tenant.received.map((r) => r.id).sort(),
    );
  });

  it('fails the listing with the error when Dropbox refuses every received-files cursor', async () => {
    await using sim = await createDropboxSimulator({ seed: 42, size: 400, pageSize: 5 });
    sim.admin.refuseReceivedCursors(true);
    const result = await collect(instanceFor(sim).listAll(full())).catch((e: unknown) => e);
    expect(UpstreamError.isInstance(result)).toBe(true);
    expect((result as UpstreamError).message).toBe('[dropbox] list of received files: invalid_cursor');
    // The first read and three restarts, then the error.
    expect(sim.callCounts()['sharing/list_received_files']).toBe(4);
  });

  it('never lets a checkpoint change after it was yielded (maps are copied)', async () => {
    await using sim = await createDropboxSimulator({ seed: 41, size: 400, pageSize: 5 });
    const seen: { value: JsonValue; json: string }[] = [];
    for await (const event of instanceFor(sim).listAll(full())) {
      if (event.kind === 'checkpoint')
        seen.push({ value: event.checkpoint, json: JSON.stringify(event.checkpoint) });
    }
    expect(seen.length).toBeGreaterThan(10);
    for (const { value, json } of seen) expect(JSON.stringify(value)).toBe(json);
  });

  it('paces checkpoints by checkpointIntervalMs, or by their cost when it is not set', async () => {
    await using sim = await createDropboxSimulator({ seed: 39, size: 'medium' });
    const config = parseConfig(dropboxSource.configuration, sim.configFor(), { source: 'dropbox' });
    let now = Date.now();
    const clock = { now: () => now, sleep: systemClock.sleep };
    const listWith = async (step: number, checkpointIntervalMs?: number) => {
      const instance = createDropboxInstance(config, testContext({ clock }), {
        callTimeoutMs: 10_000,
        ...(checkpointIntervalMs === undefined ? {} : { checkpointIntervalMs }),
      });
      let checkpoints = 0;
      for await (const event of instance.listAll(full())) {
        if (event.kind === 'checkpoint') checkpoints += 1;
        now += step;
      }
      await instance.close();
      return checkpoints;
    };
    const everyPage = await collect(instanceFor(sim).listAll(full()));
    expect(everyPage.checkpoints.length).toBeGreaterThan(5);
    // A fixed interval: with time standing still, no page is 15 s after the start or the last checkpoint;
    // with 16 s passing per event, every page boundary is.
    expect(await listWith(0, 15_000)).toBe(0);
    expect(await listWith(16_000, 15_000)).toBe(everyPage.checkpoints.length);
    // By cost (the default): checkpoints that take no time are due after every page.
    expect(await listWith(0)).toBe(everyPage.checkpoints.length);
  });

  it('paces checkpoints by the clock, or by what the last one cost', () => {
    let now = 1000;
    const build = () => ({ at: now });
    const fixed = checkpointPacer({ now: () => now }, 100);
    expect(fixed(build)).toBeUndefined();
    now += 99;
    expect(fixed(build)).toBeUndefined();
    now += 1;
    expect(fixed(build)).toEqual({ at: 1100 });
    expect(fixed(build)).toBeUndefined();
    now += 150;
    expect(fixed(build)).toEqual({ at: 1250 });
    const always = checkpointPacer({ now: () => now }, 0);
    expect([always(build), always(build)]).toEqual([{ at: 1250 }, { at: 1250 }]);

    // Adaptive: a checkpoint that took 10 ms to build is followed by a wait of 500 ms.
    const adaptive = checkpointPacer({ now: () => now });
    const costly = () => {
      now += 10;
      return { at: now };
    };
    expect(adaptive(costly)).toEqual({ at: 1260 });
    now += 499;
    expect(adaptive(costly)).toBeUndefined();
    now += 1;
    expect(adaptive(costly)).toEqual({ at: 1770 });
    // A cheap one shortens the wait again.
    now += 500;
    expect(adaptive(build)).toEqual({ at: 2270 });
    expect(adaptive(build)).toEqual({ at: 2270 });
  });

  it('times out a call whose server never answers', async () => {
    await using sim = await createDropboxSimulator({
      seed: 37,
      size: 'small',
      faults: { rate: 1, kinds: ['timeout'], hangMs: 10_000 },
    });
    const started = Date.now();
    const config = parseConfig(dropboxSource.configuration, sim.configFor(), { source: 'dropbox' });
    const instance = createDropboxInstance(config, testContext({ fetch: globalThis.fetch }), {
      callTimeoutMs: 300,
    });
    const error = await instance.check(AbortSignal.timeout(5000)).catch((e: unknown) => e);
    expect(ConnectorError.isInstance(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('aborts calls once the instance is closed', async () => {
    await using sim = await createDropboxSimulator({ seed: 38, size: 'small', latencyMs: 200 });
    const instance = instanceFor(sim);
    const pending = instance.check(AbortSignal.timeout(10_000)).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await instance.close();
    const error = await pending;
    expect(isAbortLike(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('retries calls that hang past the per-attempt timeout and still gives the fault-free result', async () => {
    await using sim = await createDropboxSimulator({
      seed: 39,
      size: 'small',
      faults: { rate: 0.15, seed: 4, kinds: ['timeout'], hangMs: 5000, maxConsecutive: 2 },
    });
    const ctx = testContext({
      fetch: createRetryingFetch({
        policy: { maxAttempts: 5, baseDelayMs: 5, maxDelayMs: 20 },
        timeoutMs: 250,
      }),
    });
    const result = await collect(instanceFor(sim, {}, ctx).listAll(full()));
    expect(canonical(result.upserts.values())).toEqual(sim.groundTruth().documents);
    expect(sim.faults!.stats().byKind.timeout).toBeGreaterThan(0);
  });

  it('fails a listing whose response body is cut short, instead of returning a truncated page', async () => {
    await using sim = await createDropboxSimulator({ seed: 40, size: 'small' });
    // A 200 whose JSON body lost its second half (the SDK would hand it over as a string).
    const ctx = testContext({
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (!String(input).endsWith('/files/list_folder/continue')) return response;
        const text = await response.text();
        return new Response(text.slice(0, Math.floor(text.length / 2)), {
          status: response.status,
          headers: response.headers,
        });
      },
    });
    const events: ListingEvent[] = [];
    const error = await (async () => {
      for await (const event of instanceFor(sim, {}, ctx).listAll(full())) events.push(event);
    })().catch((e: unknown) => e);
    expect(UpstreamError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      '[dropbox] list_folder at "/": malformed response from Dropbox (not a JSON object)',
    );
    expect(events.some((e) => e.kind === 'cursor')).toBe(false);
  });

  it('reports bodies dropped mid-way by the server (truncate faults) as connector errors', async () => {
    await using sim = await createDropboxSimulator({
      seed: 41,
      size: 'small',
      faults: { rate: 1, kinds: ['truncate'] },
    });
    const error = await instanceFor(sim)
      .check(AbortSignal.timeout(5000))
      .catch((e: unknown) => e);
    expect(ConnectorError.isInstance(error)).toBe(true);
    // Every attempt's body is cut short, so the node fetch fails each one and the retrying fetch gives up.
    expect((error as Error).message).toMatch(
      /^\[dropbox\] Refreshing the access token failed: POST http:\/\/127\.0\.0\.1:\d+\/api\/oauth2\/token failed after 6 attempt\(s\): fetch failed/,
    );
    expect((error as ConnectorError).retryable).toBe(true);
  });
});
