import { ConnectorError, type ConnectorErrorOptions } from './connector-error.js';
import { redactText } from './redact.js';

const MARKER = Symbol.for('@connectors/framework.ConfigError');

/** Invalid user configuration: every problem at once, each naming its field path. Never retried. */
export class ConfigError extends ConnectorError {
  private readonly [MARKER] = true;
  /** One line per problem, e.g. `path: must not be empty`. */
  readonly issues: readonly string[];

  constructor(
    message: string,
    issues: readonly string[] = [],
    options: Omit<ConnectorErrorOptions, 'retryable'> = {},
  ) {
    const redactedIssues = issues.map(redactText);
    super('CONFIG_INVALID', redactedIssues.length ? `${message}: ${redactedIssues.join('; ')}` : message, {
      ...options,
      retryable: false,
      details: { ...options.details, issues: redactedIssues },
    });
    this.name = 'ConfigError';
    this.issues = redactedIssues;
  }

  /** True when `value` is a ConfigError from any copy of this package. */
  static override isInstance(value: unknown): value is ConfigError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }
}
