/** A structured log method with pino's argument order: `logger.info({ jobId }, 'message')` or `logger.info('message')`. */
export interface LogFn {
  (fields: Record<string, unknown>, message?: string): void;
  (message: string): void;
}

/** The small logger interface libraries take; pino satisfies it. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** A logger that adds `bindings` to every line. */
  child(bindings: Record<string, unknown>): Logger;
}

const noop = (() => undefined) as LogFn;

/** A logger that discards everything. */
export const noopLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => noopLogger,
};
