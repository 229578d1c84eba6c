import { errors } from '@elastic/elasticsearch';
import {
  AbortError,
  AuthError,
  ConnectorError,
  RateLimitError,
  UpstreamError,
  isAbortLike,
  redactText,
} from '@connectors/framework';

/** The parts of an Elasticsearch error envelope we read (spec elasticsearch-wire 1.5). */
interface ErrorEnvelope {
  readonly type?: string;
  readonly reason?: string;
  readonly caused_by?: { readonly type?: string; readonly reason?: string };
  readonly root_cause?: readonly { readonly type?: string; readonly reason?: string }[];
}

/** `type: reason` of an error body (string errors and empty bodies included), redacted. */
export function describeErrorBody(body: unknown): string {
  if (typeof body === 'string') return redactText(body).slice(0, 500);
  if (!body || typeof body !== 'object') return '';
  const raw = (body as { error?: unknown }).error ?? body;
  if (typeof raw === 'string') return redactText(raw).slice(0, 500);
  const envelope = raw as ErrorEnvelope;
  const parts: string[] = [];
  if (envelope.type || envelope.reason) {
    parts.push([envelope.type, envelope.reason].filter(Boolean).join(': '));
  }
  const cause = envelope.caused_by;
  if (cause?.type || cause?.reason) {
    parts.push(`caused by ${[cause.type, cause.reason].filter(Boolean).join(': ')}`);
  } else if (!parts.length && envelope.root_cause?.[0]) {
    const root = envelope.root_cause[0];
    parts.push([root.type, root.reason].filter(Boolean).join(': '));
  }
  return redactText(parts.join('; ')).slice(0, 1000);
}

/** The HTTP status of an Elasticsearch client error, if it has one. */
export function errorStatus(error: unknown): number | undefined {
  if (error instanceof errors.ResponseError) return error.statusCode ?? error.meta.statusCode;
  if (UpstreamError.isInstance(error) || AuthError.isInstance(error)) return error.status;
  return undefined;
}

/** Parses a `Retry-After` header (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  const header = Array.isArray(value) ? (value[0] as unknown) : value;
  if (typeof header !== 'string' && typeof header !== 'number') return undefined;
  const text = String(header).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const PRIVILEGES_HINT =
  'The key needs cluster privileges [monitor, manage_connector] and index privilege [all] on ' +
  '[<index>, .search-acl-filter-<index>, .elastic-connectors*]';

/**
 * Normalises an error thrown by the Elasticsearch client into a framework error with a clear, redacted
 * message naming `action`: 401 → AuthError (credentials rejected), 403 → AuthError (missing privilege),
 * 429 → RateLimitError, other statuses → UpstreamError, unreachable cluster → retryable UpstreamError,
 * a server that is not Elasticsearch → non-retryable UpstreamError, aborts → AbortError.
 */
export function toElasticsearchError(error: unknown, action: string): ConnectorError {
  if (ConnectorError.isInstance(error)) return error;
  const prefix = `[elasticsearch] ${action}`;
  if (error instanceof errors.RequestAbortedError || isAbortLike(error)) {
    return new AbortError(`${prefix}: aborted`, { cause: error });
  }
  if (error instanceof errors.ResponseError) {
    const status = error.statusCode ?? error.meta.statusCode;
    const detail = describeErrorBody(error.body);
    if (status === 401) {
      return new AuthError(
        `${prefix}: Elasticsearch rejected the credentials (401${detail ? `, ${detail}` : ''}); ` +
          'check elasticsearch.api_key (or username/password) in config.yml',
        { status, cause: error },
      );
    }
    if (status === 403) {
      return new AuthError(
        `${prefix}: the credentials lack a privilege (403${detail ? `, ${detail}` : ''}). ${PRIVILEGES_HINT}`,
        { status, cause: error },
      );
    }
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(error.headers?.['retry-after']);
      return new RateLimitError(
        `${prefix}: Elasticsearch is overloaded (429${detail ? `, ${detail}` : ''})`,
        {
          cause: error,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
          details: { status },
        },
      );
    }
    if (status === 413) {
      return new UpstreamError(
        `${prefix}: request body too large for Elasticsearch (413, http.max_content_length); ` +
          'lower elasticsearch.bulk.chunk_max_mem_size',
        { status, cause: error, retryable: false },
      );
    }
    return new UpstreamError(`${prefix} failed (${status ?? 'no status'}${detail ? `, ${detail}` : ''})`, {
      status,
      cause: error,
      details: { type: typeOf(error.body) },
    });
  }
  if (error instanceof errors.ProductNotSupportedError) {
    return new UpstreamError(
      `${prefix}: the server is not Elasticsearch (no "x-elastic-product: Elasticsearch" header); ` +
        'check elasticsearch.host',
      { cause: error, retryable: false, status: error.meta?.statusCode ?? undefined },
    );
  }
  if (error instanceof errors.TimeoutError) {
    return new UpstreamError(`${prefix}: Elasticsearch did not answer in time (request timeout)`, {
      cause: error,
      retryable: true,
    });
  }
  if (error instanceof errors.ConnectionError || error instanceof errors.NoLivingConnectionsError) {
    return new UpstreamError(
      `${prefix}: cannot reach Elasticsearch (${redactText(error.message)}); check elasticsearch.host and ` +
        'that the cluster is running',
      { cause: error, retryable: true },
    );
  }
  if (error instanceof errors.DeserializationError || error instanceof errors.SerializationError) {
    return new UpstreamError(`${prefix}: ${redactText(error.message)}`, { cause: error, retryable: false });
  }
  if (error instanceof errors.ConfigurationError) {
    return new ConnectorError('CONFIG_INVALID', `${prefix}: ${redactText(error.message)}`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ConnectorError('INTERNAL', `${prefix}: ${redactText(message)}`, { cause: error });
}

function typeOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const raw = (body as { error?: unknown }).error;
  if (raw && typeof raw === 'object') return (raw as ErrorEnvelope).type;
  return undefined;
}
