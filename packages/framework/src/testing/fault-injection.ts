import type { IncomingMessage, ServerResponse } from 'node:http';

/** The faults a simulator can inject. */
export type FaultKind = '429' | '500' | '503' | 'reset' | 'timeout' | 'truncate';

/** Every fault kind, in a stable order. */
export const FAULT_KINDS: readonly FaultKind[] = ['429', '500', '503', 'reset', 'timeout', 'truncate'];

/** A response body a fault writes (vendors shape their error bodies differently). */
export interface FaultBody {
  readonly contentType: string;
  readonly body: string;
}

/** Options of {@link createFaultInjector}. */
export interface FaultInjectorOptions {
  /** Probability (0..1) that a matching request gets a fault. */
  readonly rate: number;
  /** Seed of the deterministic generator: the same seed and request order give the same faults. @default 1 */
  readonly seed?: number;
  /** Fault kinds to draw from (uniformly). @default ['429', '500', '503', 'reset'] */
  readonly kinds?: readonly FaultKind[];
  /** `Retry-After` seconds on 429 and 503 responses. @default 1 */
  readonly retryAfterSeconds?: number;
  /** Only requests for which this returns true may get a fault (e.g. skip admin endpoints). */
  readonly match?: (req: IncomingMessage) => boolean;
  /** How long a `timeout` fault holds the request before dropping the connection. @default 30000 */
  readonly hangMs?: number;
  /** After this many faults in a row, the next matching request passes. @default Infinity */
  readonly maxConsecutive?: number;
  /** Vendor-shaped bodies per status fault (e.g. Dropbox's JSON 429 envelope). */
  readonly bodies?: Partial<Record<'429' | '500' | '503', FaultBody>>;
}

/** Counters of what an injector did. */
export interface FaultStats {
  /** Matching requests seen. */
  readonly seen: number;
  /** Faults injected, total and per kind. */
  readonly injected: number;
  readonly byKind: Readonly<Record<FaultKind, number>>;
}

/** A `node:http`-level fault hook; a simulator calls `inject` first for each request. */
export interface FaultInjector {
  /**
   * Decides whether this request fails. Returns true when the fault fully handled the request (the
   * simulator must not answer it); false when the simulator should answer (a `truncate` fault then cuts
   * the simulator's response body short and drops the connection).
   */
  inject(req: IncomingMessage, res: ServerResponse): boolean;
  /** Changes the fault rate from now on (0 turns faults off). */
  setRate(rate: number): void;
  /** What was injected so far. */
  stats(): FaultStats;
}

/** mulberry32: a small, fast, seedable PRNG returning floats in [0, 1). */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkRate(rate: number): number {
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new RangeError(`createFaultInjector: rate must be a number between 0 and 1, got ${String(rate)}`);
  }
  return rate;
}

const DEFAULT_BODIES: Record<'429' | '500' | '503', FaultBody> = {
  '429': { contentType: 'text/plain; charset=utf-8', body: 'Too Many Requests (injected)' },
  '500': { contentType: 'text/plain; charset=utf-8', body: 'Internal Server Error (injected)' },
  '503': { contentType: 'text/plain; charset=utf-8', body: 'Service Unavailable (injected)' },
};

/** Cuts whatever the simulator writes to `res` to half its body, then destroys the socket. */
function truncateResponse(res: ServerResponse): void {
  const chunks: Buffer[] = [];
  const originalWrite = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
  const originalEnd = res.end.bind(res) as (chunk?: unknown, ...rest: unknown[]) => ServerResponse;
  const collect = (chunk: unknown): void => {
    if (typeof chunk === 'string') chunks.push(Buffer.from(chunk));
    else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
  };
  res.write = ((chunk: unknown) => {
    collect(chunk);
    return true;
  }) as ServerResponse['write'];
  res.end = ((chunk?: unknown) => {
    if (chunk !== undefined && typeof chunk !== 'function') collect(chunk);
    const body = Buffer.concat(chunks);
    if (!res.headersSent) res.setHeader('Content-Length', body.length);
    originalWrite(body.subarray(0, Math.floor(body.length / 2)));
    // Flush headers and the partial body, then drop the connection mid-body.
    setImmediate(() => res.socket?.destroy());
    void originalEnd;
    return res;
  }) as ServerResponse['end'];
}

/**
 * Creates a deterministic fault injector for simulators: with probability `rate`, a matching request gets
 * a 429 (with Retry-After), a 500, a 503 (with Retry-After), a connection reset, a hang, or a truncated body.
 * @example
 * const faults = createFaultInjector({ rate: 0.1, seed: 7, kinds: ['429', '503', 'reset'] });
 * http.createServer((req, res) => { if (faults.inject(req, res)) return; handle(req, res); });
 */
export function createFaultInjector(options: FaultInjectorOptions): FaultInjector {
  let rate = checkRate(options.rate);
  const kinds = options.kinds ?? ['429', '500', '503', 'reset'];
  if (kinds.length === 0) throw new RangeError('createFaultInjector: kinds must not be empty');
  for (const kind of kinds) {
    if (!FAULT_KINDS.includes(kind)) {
      throw new RangeError(`createFaultInjector: unknown fault kind "${String(kind)}"`);
    }
  }
  const random = createRandom(options.seed ?? 1);
  const retryAfter = String(options.retryAfterSeconds ?? 1);
  const hangMs = options.hangMs ?? 30_000;
  const maxConsecutive = options.maxConsecutive ?? Number.POSITIVE_INFINITY;
  const bodies = { ...DEFAULT_BODIES, ...options.bodies };
  const byKind: Record<FaultKind, number> = {
    '429': 0,
    '500': 0,
    '503': 0,
    reset: 0,
    timeout: 0,
    truncate: 0,
  };
  let seen = 0;
  let injected = 0;
  let consecutive = 0;

  const respond = (res: ServerResponse, status: 429 | 500 | 503): void => {
    const { contentType, body } = bodies[String(status) as '429' | '500' | '503'];
    const headers: Record<string, string | number> = {
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(body),
    };
    if (status !== 500) headers['Retry-After'] = retryAfter;
    res.writeHead(status, headers);
    res.end(body);
  };

  return {
    inject(req, res) {
      if (options.match && !options.match(req)) return false;
      seen += 1;
      // Always draw both numbers so the sequence depends only on the seed and the request order.
      const roll = random();
      const pick = random();
      if (rate === 0 || roll >= rate || consecutive >= maxConsecutive) {
        consecutive = 0;
        return false;
      }
      consecutive += 1;
      injected += 1;
      const kind = kinds[Math.min(kinds.length - 1, Math.floor(pick * kinds.length))] as FaultKind;
      byKind[kind] += 1;
      switch (kind) {
        case '429':
          respond(res, 429);
          return true;
        case '500':
          respond(res, 500);
          return true;
        case '503':
          respond(res, 503);
          return true;
        case 'reset':
          req.socket.destroy();
          return true;
        case 'timeout': {
          const timer = setTimeout(() => req.socket.destroy(), hangMs);
          timer.unref();
          req.socket.once('close', () => clearTimeout(timer));
          return true;
        }
        case 'truncate':
          truncateResponse(res);
          return false;
      }
    },
    setRate(next) {
      rate = checkRate(next);
    },
    stats() {
      return { seen, injected, byKind: { ...byKind } };
    },
  };
}
