import { ConnectorError, type ConnectorErrorOptions } from './connector-error.js';

const MARKER = Symbol.for('@connectors/framework.SinkError');

/** Writing to the sink (Elasticsearch or the embedded store) failed. */
export class SinkError extends ConnectorError {
  private readonly [MARKER] = true;
  /** HTTP status when the sink is remote. */
  readonly status: number | undefined;

  constructor(message: string, options: ConnectorErrorOptions & { status?: number } = {}) {
    super('SINK_FAILED', message, { ...options, details: { ...options.details, status: options.status } });
    this.name = 'SinkError';
    this.status = options.status;
  }

  /** True when `value` is a SinkError from any copy of this package. */
  static override isInstance(value: unknown): value is SinkError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }
}
