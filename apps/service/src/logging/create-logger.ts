import { ecsFormat } from '@elastic/ecs-pino-format';
import { redactText, type Logger } from '@connectors/framework';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

/** Log levels accepted on the command line and in `service.log_level`. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** Options of {@link createServiceLogger}. */
export interface ServiceLoggerOptions {
  readonly level: LogLevel;
  /** Human-readable lines instead of ECS JSON. @default process.stderr.isTTY */
  readonly pretty?: boolean;
  /** Where lines go. @default stderr */
  readonly destination?: DestinationStream;
}

/** Python-style level names in config.yml mapped to pino's. */
export function toLogLevel(level: string): LogLevel {
  const lower = level.toLowerCase();
  if (lower === 'warning') return 'warn';
  if (lower === 'critical') return 'fatal';
  if (['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(lower))
    return lower as LogLevel;
  return 'info';
}

/** Second line of defence: key paths pino censors even if a secret reaches a log call. */
const REDACT_PATHS = [
  '*.password',
  '*.api_key',
  '*.apiKey',
  '*.secret',
  '*.client_secret',
  '*.refresh_token',
  '*.access_token',
  '*.token',
  '*.authorization',
  '*.headers.authorization',
  'config.*.value',
];

/**
 * The service's logger: pino with ECS formatting (JSON) or pretty lines on a TTY; registered secret values are
 * replaced in every message and string field before a line is written.
 */
export function createServiceLogger(options: ServiceLoggerOptions): Logger & { pino: PinoLogger } {
  const pretty = options.pretty ?? Boolean(process.stderr.isTTY);
  const base = {
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    hooks: {
      logMethod(this: PinoLogger, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(
          this,
          args.map((arg) => (typeof arg === 'string' ? redactText(arg) : redactDeep(arg))),
        );
      },
    },
  };
  const destination =
    options.destination ??
    (pretty
      ? pino.transport({
          target: 'pino-pretty',
          options: { destination: 2, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' },
        })
      : pino.destination({ dest: 2, sync: true }));
  const logger = pretty
    ? pino(base, destination)
    : pino({ ...base, ...ecsFormat({ convertErr: true }) }, destination);
  return wrap(logger);
}

function redactDeep(value: unknown, depth = 0): unknown {
  if (depth > 6) return value;
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1));
  if (value instanceof Error) {
    // A copy whose message and stack are redacted (ECS prints both).
    const copy = new Error(redactText(value.message));
    copy.name = value.name;
    copy.stack = value.stack === undefined ? undefined : redactText(value.stack);
    return copy;
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, redactDeep(inner, depth + 1)]),
    );
  }
  return value;
}

function wrap(logger: PinoLogger): Logger & { pino: PinoLogger } {
  return {
    pino: logger,
    debug: logger.debug.bind(logger) as Logger['debug'],
    info: logger.info.bind(logger) as Logger['info'],
    warn: logger.warn.bind(logger) as Logger['warn'],
    error: logger.error.bind(logger) as Logger['error'],
    child: (bindings) => wrap(logger.child(bindings)),
  };
}
