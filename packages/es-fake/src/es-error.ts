/** The inner error object of an Elasticsearch error envelope (`type`, `reason`, flattened metadata). */
export interface EsErrorCause {
  type: string;
  reason: string;
  caused_by?: EsErrorCause;
  [key: string]: unknown;
}

/** An error a route handler throws; the server renders it as the real cluster would. */
export class EsHttpError extends Error {
  /** HTTP status of the response. */
  readonly status: number;
  /** Response body: an error envelope, a string-error body, or `null` for an empty body. */
  readonly body: unknown;
  /** Extra response headers (e.g. `WWW-Authenticate`). */
  readonly headers: Record<string, string | string[]>;

  constructor(status: number, body: unknown, headers: Record<string, string | string[]> = {}) {
    super(typeof body === 'object' && body !== null ? describe(body) : String(body));
    this.name = 'EsHttpError';
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

function describe(body: object): string {
  const error = (body as { error?: unknown }).error;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null) {
    const e = error as EsErrorCause;
    return `${e.type}: ${e.reason}`;
  }
  return JSON.stringify(body);
}

/** Builds the item-level error object (no `root_cause`), as found inside bulk items. */
export function errorCause(
  type: string,
  reason: string,
  meta: Record<string, unknown> = {},
  causedBy?: EsErrorCause,
): EsErrorCause {
  const cause: EsErrorCause = { type, reason, ...meta };
  if (causedBy !== undefined) cause.caused_by = causedBy;
  return cause;
}

function innermost(cause: EsErrorCause): EsErrorCause {
  let current = cause;
  while (current.caused_by !== undefined) current = current.caused_by;
  return current;
}

/** Wraps an error cause in the standard envelope `{error:{root_cause,...},status}`. */
export function envelope(status: number, cause: EsErrorCause): { error: unknown; status: number } {
  const root = cause.type === 'search_phase_execution_exception' ? innermost(cause) : cause;
  const { caused_by: _ignored, ...rootFlat } = root;
  return { error: { root_cause: [rootFlat], ...cause }, status };
}

/** Creates a throwable standard-envelope error. */
export function esError(
  status: number,
  type: string,
  reason: string,
  meta: Record<string, unknown> = {},
  causedBy?: EsErrorCause,
): EsHttpError {
  return new EsHttpError(status, envelope(status, errorCause(type, reason, meta, causedBy)));
}

/** 400 `illegal_argument_exception`. */
export function illegalArgument(reason: string): EsHttpError {
  return esError(400, 'illegal_argument_exception', reason);
}

/** 400 `illegal_argument_exception` for a real Elasticsearch feature this fake does not emulate. */
export function unsupported(feature: string): EsHttpError {
  return esError(400, 'illegal_argument_exception', `fake: unsupported ${feature}`);
}

/** 400 `action_request_validation_exception` with the numbered message list. */
export function validationFailed(...messages: string[]): EsHttpError {
  const text = messages.map((m, i) => `${i + 1}: ${m};`).join('');
  return esError(400, 'action_request_validation_exception', `Validation Failed: ${text}`);
}

/** 400 `x_content_parse_exception` (bad body shape or unknown body field). */
export function parseError(reason: string): EsHttpError {
  return esError(400, 'x_content_parse_exception', `[1:1] ${reason}`);
}

/** 404 `index_not_found_exception` for `name`. */
export function indexNotFound(name: string): EsHttpError {
  return new EsHttpError(404, envelope(404, indexNotFoundCause(name)));
}

/** The cause object of `index_not_found_exception` (also used per item). */
export function indexNotFoundCause(name: string): EsErrorCause {
  return errorCause('index_not_found_exception', `no such index [${name}]`, {
    'resource.type': 'index_or_alias',
    'resource.id': name,
    index_uuid: '_na_',
    index: name,
  });
}

/** 404 `resource_not_found_exception` (connector APIs). */
export function resourceNotFound(reason: string): EsHttpError {
  return esError(404, 'resource_not_found_exception', reason);
}

/** 400 `status_exception` (connector validations and state machines). */
export function statusException(reason: string, status = 400): EsHttpError {
  return esError(status, 'status_exception', reason);
}
