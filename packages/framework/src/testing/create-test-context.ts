import { registerSecrets } from '../errors/redact.js';
import { noopLogger, type Logger } from '../logging/logger.js';
import type { SourceContext } from '../source/define-source.js';

/** A logger that records every line (fields and message) for assertions. */
export interface CapturingLogger extends Logger {
  /** Every line logged through this logger or its children. */
  readonly lines: {
    level: 'debug' | 'info' | 'warn' | 'error';
    fields: Record<string, unknown>;
    message: string;
  }[];
  /** All lines as one JSON text (to search for leaked secrets). */
  text(): string;
}

/** Creates a logger that keeps every line in memory. */
export function createCapturingLogger(): CapturingLogger {
  const lines: CapturingLogger['lines'] = [];
  const make = (bindings: Record<string, unknown>): Logger => {
    const log =
      (level: CapturingLogger['lines'][number]['level']) =>
      (fieldsOrMessage: Record<string, unknown> | string, message?: string) => {
        if (typeof fieldsOrMessage === 'string')
          lines.push({ level, fields: { ...bindings }, message: fieldsOrMessage });
        else lines.push({ level, fields: { ...bindings, ...fieldsOrMessage }, message: message ?? '' });
      };
    return {
      debug: log('debug'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  const root = make({});
  return Object.assign(root, {
    lines,
    text: () =>
      lines
        .map((line) => {
          try {
            return `${line.level} ${line.message} ${JSON.stringify(line.fields)}`;
          } catch {
            return `${line.level} ${line.message} [unserializable fields]`;
          }
        })
        .join('\n'),
  });
}

/** Creates the context a source instance gets, for tests (real fetch, real clock, secrets registered globally). */
export function createTestContext(
  options: {
    logger?: Logger;
    signal?: AbortSignal;
    fetch?: typeof globalThis.fetch;
    maxFileSize?: number;
  } = {},
): SourceContext {
  return {
    logger: options.logger ?? noopLogger,
    fetch: options.fetch ?? globalThis.fetch,
    clock: {
      now: () => Date.now(),
      sleep: (ms, signal) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(resolve, ms);
          signal?.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              reject(signal.reason as Error);
            },
            { once: true },
          );
        }),
    },
    signal: options.signal ?? new AbortController().signal,
    maxFileSize: options.maxFileSize ?? 10 * 1024 * 1024,
    registerSecrets,
  };
}
