const MARKER = Symbol.for('@connectors/framework.SuspendSignalReason');

/**
 * Abort reason meaning "stop, but resume later" (process shutdown): a run aborted with it ends `suspended`
 * and keeps its resume state; any other abort reason ends it `canceled`.
 * @example controller.abort(new SuspendSignalReason('SIGTERM'))
 */
export class SuspendSignalReason extends Error {
  private readonly [MARKER] = true;

  constructor(message = 'The sync was suspended') {
    super(message);
    this.name = 'SuspendSignalReason';
  }

  /** True when `value` is a SuspendSignalReason from any copy of this package. */
  static isInstance(value: unknown): value is SuspendSignalReason {
    return typeof value === 'object' && value !== null && MARKER in value;
  }
}
