import {
  createRetryingFetch,
  noopLogger,
  parseConfig,
  registerSecrets,
  systemClock,
  type IdentityDocument,
  type JsonValue,
  type ListingEvent,
  type SourceContext,
  type SourceDocument,
  type SourceInstance,
} from '@connectors/framework';
import { createDropboxInstance, dropboxSource } from '../src/index.js';
import type { DropboxSimulator } from '../src/simulator/index.js';

/** A source context for tests: the framework's retrying fetch with short backoffs. */
export function testContext(overrides: Partial<SourceContext> = {}): SourceContext {
  const controller = new AbortController();
  return {
    logger: noopLogger,
    fetch: createRetryingFetch({
      policy: { maxAttempts: 6, baseDelayMs: 5, maxDelayMs: 50 },
      timeoutMs: 5000,
    }),
    clock: systemClock,
    signal: controller.signal,
    maxFileSize: 10 * 1024 * 1024,
    registerSecrets,
    ...overrides,
  };
}

/** A source instance pointed at the simulator. */
export function instanceFor(
  sim: DropboxSimulator,
  values: Record<string, unknown> = {},
  ctx: SourceContext = testContext(),
  configOptions?: { tokenKind?: 'team' | 'user' },
): SourceInstance {
  const config = parseConfig(
    dropboxSource.configuration,
    { ...sim.configFor(configOptions), ...values },
    { source: 'dropbox' },
  );
  // A checkpoint after every page, whatever it costs, so that resume tests can count on them.
  return createDropboxInstance(config, ctx, { callTimeoutMs: 10_000, checkpointIntervalMs: 0 });
}

/** The outcome of a listing: final documents by id, deletions, skips, the cursor, checkpoints. */
export interface Collected {
  readonly upserts: Map<string, SourceDocument>;
  readonly contents: Map<string, () => Promise<Buffer>>;
  readonly deletes: string[];
  readonly skips: { id?: string; reason: string }[];
  readonly cursor: JsonValue | undefined;
  readonly checkpoints: JsonValue[];
  readonly events: ListingEvent[];
}

/** Drains a listing. */
export async function collect(events: AsyncIterable<ListingEvent>): Promise<Collected> {
  const out: Collected = {
    upserts: new Map(),
    contents: new Map(),
    deletes: [],
    skips: [],
    cursor: undefined,
    checkpoints: [],
    events: [],
  };
  let cursor: JsonValue | undefined;
  for await (const event of events) {
    out.events.push(event);
    if (event.kind === 'upsert') {
      out.upserts.set(event.document._id, event.document);
      const content = event.content;
      if (content) {
        out.contents.set(event.document._id, async () => {
          const body = await content.download(AbortSignal.timeout(10_000));
          if (body instanceof Uint8Array) return Buffer.from(body);
          const chunks: Buffer[] = [];
          for await (const chunk of body) chunks.push(Buffer.from(chunk));
          return Buffer.concat(chunks);
        });
      } else out.contents.delete(event.document._id);
    } else if (event.kind === 'delete') out.deletes.push(event.id);
    else if (event.kind === 'skip')
      out.skips.push({ ...(event.id ? { id: event.id } : {}), reason: event.reason });
    else if (event.kind === 'cursor') cursor = event.cursor;
    else out.checkpoints.push(event.checkpoint);
  }
  return { ...out, cursor };
}

/** Applies a listing's events to an index (a Map id → document), like a sink would. */
export function apply(index: Map<string, SourceDocument>, events: readonly ListingEvent[]): void {
  for (const event of events) {
    if (event.kind === 'upsert') index.set(event.document._id, event.document);
    else if (event.kind === 'delete') index.delete(event.id);
  }
}

/** Documents sorted by id, ACLs sorted (the ground truth's canonical form). */
export function canonical(docs: Iterable<SourceDocument>): SourceDocument[] {
  return [...docs]
    .map((d) =>
      d._allow_access_control ? { ...d, _allow_access_control: [...d._allow_access_control].sort() } : d,
    )
    .sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
}

/** Identities sorted by id. */
export async function identities(instance: SourceInstance): Promise<IdentityDocument[]> {
  const out: IdentityDocument[] = [];
  for await (const identity of instance.listIdentities?.({ signal: AbortSignal.timeout(10_000) }) ?? [])
    out.push(identity);
  return out.sort((a, b) => (a._id < b._id ? -1 : 1));
}

/** Full-listing options. */
export function full(extra: { checkpoint?: JsonValue; advancedRules?: JsonValue } = {}) {
  return { signal: AbortSignal.timeout(30_000), ...extra };
}
