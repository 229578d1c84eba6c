import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the scripted server received. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** What a script answers. */
export interface ScriptedResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Destroy the socket instead of answering. */
  readonly destroy?: boolean;
}

/** One parsed bulk action. */
export interface BulkAction {
  readonly op: 'index' | 'create' | 'update' | 'delete';
  readonly index: string;
  readonly id: string;
  readonly payload: unknown;
}

/** Parses an NDJSON bulk body. */
export function parseBulk(body: string): BulkAction[] {
  const lines = body.split('\n').filter((line) => line.length);
  const actions: BulkAction[] = [];
  for (let i = 0; i < lines.length; i++) {
    const action = JSON.parse(lines[i] ?? '{}') as Record<string, { _index: string; _id: string }>;
    const [op, meta] = Object.entries(action)[0] ?? [];
    if (!op || !meta) throw new Error('bad bulk line');
    const payload = op === 'delete' ? undefined : (JSON.parse(lines[++i] ?? 'null') as unknown);
    actions.push({ op: op as BulkAction['op'], index: meta._index, id: meta._id, payload });
  }
  return actions;
}

/** A bulk response whose items get `status` (and error) from `itemStatus`. */
export function bulkResponse(
  actions: readonly BulkAction[],
  itemStatus: (action: BulkAction) => { status: number; error?: { type: string; reason: string } } = () => ({
    status: 201,
  }),
): Record<string, unknown> {
  let errors = false;
  const items = actions.map((action) => {
    const { status, error } = itemStatus(action);
    if (error) errors = true;
    const result = error
      ? { _index: action.index, _id: action.id, status, error }
      : {
          _index: action.index,
          _id: action.id,
          _version: 1,
          result: action.op === 'delete' ? (status === 404 ? 'not_found' : 'deleted') : 'created',
          status,
        };
    return { [action.op]: result };
  });
  return { took: 1, errors, items };
}

/**
 * A tiny scripted HTTP server speaking enough Elasticsearch for precise sink tests (exact request
 * boundaries, 413s, item-level 429s). Every response carries `x-elastic-product: Elasticsearch`.
 */
export async function startScriptedEs(
  handler: (request: RecordedRequest) => ScriptedResponse | Promise<ScriptedResponse>,
): Promise<{ url: string; requests: RecordedRequest[]; close(): Promise<void> }> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      Promise.resolve(handler(recorded))
        .then((answer) => {
          if (answer.destroy) {
            req.socket.destroy();
            return;
          }
          const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
          res.writeHead(answer.status, {
            'x-elastic-product': 'Elasticsearch',
            ...(text ? { 'content-type': 'application/json' } : {}),
            'content-length': Buffer.byteLength(text),
            ...answer.headers,
          });
          res.end(text);
        })
        .catch((error: unknown) => {
          res.writeHead(500, { 'x-elastic-product': 'Elasticsearch', 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { type: 'script_error', reason: String(error) }, status: 500 }));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
