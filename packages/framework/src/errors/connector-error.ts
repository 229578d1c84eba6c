import { redactText, redactValue } from './redact.js';

const MARKER = Symbol.for('@connectors/framework.ConnectorError');

/** Every error code the framework and sources raise. */
export type ConnectorErrorCode =
  | 'CONFIG_INVALID'
  | 'AUTH_FAILED'
  | 'RATE_LIMITED'
  | 'UPSTREAM_FAILED'
  | 'CURSOR_EXPIRED'
  | 'SINK_FAILED'
  | 'ABORTED'
  | 'CONTRACT_VIOLATION'
  | 'STORE_CORRUPT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INTERNAL';

/** JSON-safe details attached to an error. */
export type ErrorDetails = Record<string, unknown>;

/** Options shared by every connector error. */
export interface ConnectorErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** Whether repeating the operation may succeed. */
  retryable?: boolean;
  /** JSON-safe details; secrets are redacted when the error is built. */
  details?: ErrorDetails;
}

/**
 * Base class of every error the framework raises. Messages and details are redacted when built.
 * Use {@link ConnectorError.isInstance} rather than `instanceof` (it works across package copies).
 */
export class ConnectorError extends Error {
  private readonly [MARKER] = true;
  /** Machine-readable error code. */
  readonly code: ConnectorErrorCode;
  /** Whether repeating the operation may succeed. */
  readonly retryable: boolean;
  /** JSON-safe, redacted details. */
  readonly details: ErrorDetails;

  constructor(code: ConnectorErrorCode, message: string, options: ConnectorErrorOptions = {}) {
    super(redactText(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConnectorError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = (redactValue(options.details ?? {}) as ErrorDetails) ?? {};
  }

  /** True when `value` is a ConnectorError from any copy of this package. */
  static isInstance(value: unknown): value is ConnectorError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }

  /** A JSON-safe view (for job records and `--json` output). */
  toJSON(): {
    name: string;
    code: ConnectorErrorCode;
    message: string;
    retryable: boolean;
    details: ErrorDetails;
  } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      details: this.details,
    };
  }
}
