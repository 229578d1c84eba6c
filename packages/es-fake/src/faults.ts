import type { SeededRandom } from './random.js';

/** Which requests a fault applies to (all given conditions must hold). */
export interface FaultMatch {
  /** HTTP method, e.g. `POST`. */
  readonly method?: string;
  /** Exact path, or a regex over the path (no query string). */
  readonly path?: string | RegExp;
  /** REST API name from the specification, e.g. `bulk`, `search`, `connector.sync_job_claim`. */
  readonly api?: string;
}

/** What a request-level fault does. */
export type FaultAction =
  | { readonly kind: 'status'; readonly status: number; readonly retryAfterSeconds?: number }
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'drop' };

/** A request-level fault rule: applies to the next `times` matching requests, or at `rate`. */
export interface FaultRule {
  readonly match?: FaultMatch;
  readonly action: FaultAction;
  /** Applies to this many matching requests, then expires (default: unlimited when `rate` is set, else 1). */
  readonly times?: number;
  /** Probability in [0, 1] that a matching request is hit (seeded, deterministic). */
  readonly rate?: number;
}

/** Item-level bulk rejection rule. */
export interface BulkItemFaultRule {
  /** Status of the rejected items (default 429 `es_rejected_execution_exception`). */
  readonly status?: number;
  /** Reject this many items, then expire (default: unlimited when `rate` is set, else 1). */
  readonly times?: number;
  /** Probability per item (seeded). */
  readonly rate?: number;
  /** Only items targeting this concrete index or alias. */
  readonly index?: string;
}

/** A removable fault. */
export interface FaultHandle {
  /** How many times the fault fired so far. */
  readonly hits: number;
  /** Removes the fault. */
  remove(): void;
}

interface LiveRule<R> {
  readonly rule: R;
  remaining: number;
  hits: number;
}

/** Test switches to make the fake misbehave like a loaded or failing cluster. */
export class Faults {
  readonly #random: SeededRandom;
  #requestRules: LiveRule<FaultRule>[] = [];
  #itemRules: LiveRule<BulkItemFaultRule>[] = [];
  readonly #writeBlocks = new Map<string, { status: number; hits: number }>();

  constructor(random: SeededRandom) {
    this.#random = random;
  }

  /** Adds a request-level fault. */
  inject(rule: FaultRule): FaultHandle {
    const live: LiveRule<FaultRule> = {
      rule,
      remaining: rule.times ?? (rule.rate !== undefined ? Infinity : 1),
      hits: 0,
    };
    this.#requestRules.push(live);
    return this.#handle(live, () => {
      this.#requestRules = this.#requestRules.filter((r) => r !== live);
    });
  }

  /** The next `times` matching requests answer `status` (429 gets `Retry-After`, 413 an empty body). */
  failNext(times: number, status: number, match?: FaultMatch, retryAfterSeconds?: number): FaultHandle {
    return this.inject({
      times,
      action: { kind: 'status', status, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) },
      ...(match !== undefined ? { match } : {}),
    });
  }

  /** Delays matching requests by `ms` (unlimited unless `times` is given). */
  delay(ms: number, match?: FaultMatch, times = Infinity): FaultHandle {
    return this.inject({ times, action: { kind: 'delay', ms }, ...(match !== undefined ? { match } : {}) });
  }

  /** Destroys the socket of the next `times` matching requests without answering. */
  dropConnections(times: number, match?: FaultMatch): FaultHandle {
    return this.inject({ times, action: { kind: 'drop' }, ...(match !== undefined ? { match } : {}) });
  }

  /** Rejects bulk items (item-level 429 by default). */
  rejectBulkItems(rule: BulkItemFaultRule): FaultHandle {
    const live: LiveRule<BulkItemFaultRule> = {
      rule,
      remaining: rule.times ?? (rule.rate !== undefined ? Infinity : 1),
      hits: 0,
    };
    this.#itemRules.push(live);
    return this.#handle(live, () => {
      this.#itemRules = this.#itemRules.filter((r) => r !== live);
    });
  }

  /**
   * Blocks writes to an index (concrete name or alias): single-document writes answer `status`,
   * bulk items fail with it (403 `security_exception` by default, 429 `es_rejected_execution_exception`).
   */
  blockWrites(index: string, status = 403): FaultHandle {
    const block = { status, hits: 0 };
    this.#writeBlocks.set(index, block);
    return {
      get hits() {
        return block.hits;
      },
      remove: () => {
        this.#writeBlocks.delete(index);
      },
    };
  }

  /** The write block for an index known by these names, if any (internal). */
  writeBlockFor(names: readonly string[]): { status: number; type: string } | undefined {
    for (const n of names) {
      const block = this.#writeBlocks.get(n);
      if (block !== undefined) {
        block.hits += 1;
        const status = block.status;
        const type =
          status === 429
            ? 'es_rejected_execution_exception'
            : status === 403
              ? 'security_exception'
              : 'cluster_block_exception';
        return { status, type };
      }
    }
    return undefined;
  }

  /** Removes every fault. */
  clear(): void {
    this.#requestRules = [];
    this.#itemRules = [];
    this.#writeBlocks.clear();
  }

  #handle<R>(live: LiveRule<R>, remove: () => void): FaultHandle {
    return {
      get hits() {
        return live.hits;
      },
      remove,
    };
  }

  /** Faults that fire for this request, in registration order (internal). */
  forRequest(method: string, path: string, api: string | undefined): FaultAction[] {
    const out: FaultAction[] = [];
    for (const live of this.#requestRules) {
      if (live.remaining <= 0) continue;
      const m = live.rule.match;
      if (m?.method !== undefined && m.method.toUpperCase() !== method) continue;
      if (m?.api !== undefined && m.api !== api) continue;
      if (m?.path !== undefined && !(typeof m.path === 'string' ? m.path === path : m.path.test(path)))
        continue;
      if (live.rule.rate !== undefined && this.#random.next() >= live.rule.rate) continue;
      live.remaining -= 1;
      live.hits += 1;
      out.push(live.rule.action);
    }
    this.#requestRules = this.#requestRules.filter((r) => r.remaining > 0);
    return out;
  }

  /** Whether any bulk item rule is live (internal fast path). */
  hasBulkItemFaults(): boolean {
    return this.#itemRules.some((r) => r.remaining > 0);
  }

  /** Status to reject a bulk item with, if any (internal). */
  forBulkItem(indexNames: readonly string[]): number | undefined {
    for (const live of this.#itemRules) {
      if (live.remaining <= 0) continue;
      if (live.rule.index !== undefined && !indexNames.includes(live.rule.index)) continue;
      if (live.rule.rate !== undefined && this.#random.next() >= live.rule.rate) continue;
      live.remaining -= 1;
      live.hits += 1;
      return live.rule.status ?? 429;
    }
    return undefined;
  }
}
