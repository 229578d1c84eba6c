import { defineConfigFields, field } from '../config/config-field.js';
import type { ContentSource, IdentityDocument, SourceDocument } from '../document/document.js';
import type { JsonValue } from '../document/json.js';
import { AuthError } from '../errors/auth-error.js';
import { CursorExpiredError } from '../errors/cursor-expired-error.js';
import { UpstreamError } from '../errors/upstream-error.js';
import { defineSource, type SourceCapabilities, type SourceDefinition } from '../source/define-source.js';
import { checkpoint, cursor, remove, skip, upsert, type ListingEvent } from '../source/listing.js';

/** Configuration fields of the synthetic source. */
export const syntheticSourceFields = defineConfigFields({
  token: field.str({ label: 'API token', sensitive: true, order: 1 }),
  page_size: field.int({ label: 'Page size', required: false, default: 10, order: 2 }),
});

/** One item of a synthetic corpus. */
export interface SyntheticItem {
  readonly doc: SourceDocument;
  /** Text returned by the lazy download (bytes of UTF-8). */
  readonly content?: string;
  /** When set, listing yields a `skip` event with this reason instead of the document. */
  readonly unreadable?: string;
}

/** Options of {@link createSyntheticSource}. */
export interface SyntheticSourceOptions {
  readonly id?: string;
  readonly capabilities?: Partial<SourceCapabilities>;
  /** The only token `check()` accepts. @default 'good-token' */
  readonly validToken?: string;
  /** Delay before each page, in milliseconds (ignores nothing: honours the signal). */
  readonly pageDelayMs?: number;
}

/** An in-process source over a mutable in-memory corpus, with paging, checkpoints, a change log and faults. */
export interface SyntheticSource {
  readonly definition: SourceDefinition<typeof syntheticSourceFields>;
  /** Adds or replaces an item (recorded in the change log). */
  put(item: SyntheticItem): void;
  /** Removes an item (recorded in the change log). */
  delete(id: string): void;
  /** Identities listed by access-control syncs. */
  identities: IdentityDocument[];
  /** Pages read by listings since creation (resume tests compare it). */
  readonly pagesRead: number;
  /** Make the listing throw an UpstreamError when it reaches this page (0-based) of a full listing. */
  failOnPage: number | undefined;
  /** Make the listing hang (ignoring everything but the signal) at this page. */
  hangOnPage: number | undefined;
  /** Change-log positions before this one are rejected with CursorExpiredError. */
  expireCursorsBefore: number;
  /** Current change-log position (what a full listing returns as cursor). */
  readonly position: number;
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function contentOf(id: string, text: string): ContentSource {
  return {
    filename: `${id}.txt`,
    size: Buffer.byteLength(text),
    download: () => Promise.resolve(new TextEncoder().encode(text)),
  };
}

/**
 * Creates a synthetic source for engine tests, benchmarks and the conformance kit's self-test. Full listings
 * yield `page_size` items per page followed by a `checkpoint({page})`, then a `cursor` (the change-log
 * position); incremental listings replay the change log from the cursor.
 */
export function createSyntheticSource(options: SyntheticSourceOptions = {}): SyntheticSource {
  const items = new Map<string, SyntheticItem>();
  const log: { id: string; deleted: boolean }[] = [];
  const validToken = options.validToken ?? 'good-token';
  let pagesRead = 0;

  const state: SyntheticSource = {
    identities: [],
    failOnPage: undefined,
    hangOnPage: undefined,
    expireCursorsBefore: 0,
    get pagesRead() {
      return pagesRead;
    },
    get position() {
      return log.length;
    },
    put(item) {
      items.set(item.doc._id, item);
      log.push({ id: item.doc._id, deleted: false });
    },
    delete(id) {
      items.delete(id);
      log.push({ id, deleted: true });
    },
    definition: undefined as unknown as SourceDefinition<typeof syntheticSourceFields>,
  };

  const eventFor = (item: SyntheticItem): ListingEvent =>
    item.unreadable !== undefined
      ? skip(item.unreadable, item.doc._id)
      : upsert(item.doc, item.content === undefined ? undefined : contentOf(item.doc._id, item.content));

  const definition = defineSource({
    apiVersion: 1,
    id: options.id ?? 'synthetic',
    name: 'Synthetic',
    capabilities: {
      incrementalSync: true,
      accessControl: true,
      advancedRules: false,
      binaryContent: true,
      ...options.capabilities,
    },
    configuration: syntheticSourceFields,
    create(config, context) {
      context.registerSecrets([config.token]);
      const pageSize = Math.max(1, config.page_size ?? 10);
      const pageDelay = options.pageDelayMs ?? 0;
      return {
        check(signal) {
          signal.throwIfAborted();
          if (config.token !== validToken) {
            return Promise.reject(
              new AuthError(`[${options.id ?? 'synthetic'}] The API token was rejected; create a new one`, {
                status: 401,
              }),
            );
          }
          return Promise.resolve();
        },
        async *listAll({ signal, checkpoint: resumeFrom }) {
          const snapshot = [...items.values()].sort((a, b) => (a.doc._id < b.doc._id ? -1 : 1));
          const startPage =
            resumeFrom && typeof resumeFrom === 'object' && !Array.isArray(resumeFrom)
              ? Number((resumeFrom as { page?: JsonValue }).page) + 1
              : 0;
          const position = log.length;
          for (let page = startPage; page * pageSize < snapshot.length; page += 1) {
            if (pageDelay) await wait(pageDelay, signal);
            if (state.hangOnPage === page) await wait(3_600_000, signal);
            if (state.failOnPage === page) {
              throw new UpstreamError(`[synthetic] Listing page ${page} failed with HTTP 500`, {
                status: 500,
              });
            }
            pagesRead += 1;
            for (const item of snapshot.slice(page * pageSize, (page + 1) * pageSize)) yield eventFor(item);
            yield checkpoint({ page });
          }
          yield cursor(position);
        },
        async *listChanges({ signal, cursor: from }) {
          const start = Number(from);
          if (!Number.isInteger(start) || start < state.expireCursorsBefore || start > log.length) {
            throw new CursorExpiredError(`[synthetic] Change cursor ${JSON.stringify(from)} has expired`);
          }
          const end = log.length;
          const latest = new Map<string, boolean>();
          for (const entry of log.slice(start, end)) latest.set(entry.id, entry.deleted);
          if (pageDelay) await wait(pageDelay, signal);
          pagesRead += 1;
          for (const [id, deleted] of latest) {
            const item = items.get(id);
            if (deleted || !item) yield remove(id);
            else yield eventFor(item);
          }
          yield cursor(end);
        },
        async *listIdentities({ signal }) {
          for (const identity of state.identities) {
            signal.throwIfAborted();
            await Promise.resolve();
            yield identity;
          }
        },
        close() {
          return Promise.resolve();
        },
      };
    },
  });
  (state as { definition: SourceDefinition<typeof syntheticSourceFields> }).definition = definition;
  return state;
}
