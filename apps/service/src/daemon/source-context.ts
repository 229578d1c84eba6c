import {
  createRetryingFetch,
  registerSecrets,
  systemClock,
  type Logger,
  type RetryInfo,
  type SourceContext,
} from '@connectors/framework';

/** Options of {@link createSourceContext}. */
export interface SourceContextOptions {
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly maxFileSize: number;
  /** Called on each HTTP retry (metrics). */
  readonly onRetry?: (info: RetryInfo) => void;
  /** The fetch to wrap. @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
}

/** A source context with a child signal that `dispose()` aborts. */
export type DisposableSourceContext = SourceContext & { dispose(): void };

/** The context the service hands a source instance: retrying fetch, clock, logger, signal, secret registry. */
export function createSourceContext(options: SourceContextOptions): DisposableSourceContext {
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal.reason);
  options.signal.addEventListener('abort', onAbort, { once: true });
  const fetch = createRetryingFetch({
    fetch: options.fetch,
    onRetry: (info) => {
      options.logger.debug(
        { url: info.url, status: info.status, attempt: info.attempt, delay_ms: info.delayMs },
        `Retrying: ${info.reason}`,
      );
      options.onRetry?.(info);
    },
  });
  return {
    logger: options.logger,
    fetch,
    clock: systemClock,
    signal: controller.signal,
    maxFileSize: options.maxFileSize,
    registerSecrets,
    dispose() {
      options.signal.removeEventListener('abort', onAbort);
      controller.abort('disposed');
    },
  };
}
