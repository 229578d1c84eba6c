/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** How long to keep checking before giving up. @default 5000 */
  readonly timeoutMs?: number;
  /** Pause between two checks. @default 5 */
  readonly stepMs?: number;
  /** What is awaited, for the error when the time runs out. @default 'condition' */
  readonly what?: string;
}

/**
 * Polls `check` until it returns a value other than `undefined` or `false`, and returns that value; throws
 * when `timeoutMs` pass first. For tests that wait on something another task does (a call reaching a
 * simulator, a job changing status): a bounded loop instead of a fixed sleep.
 * @example
 * await waitFor(() => sim.callCounts()['files/download'] === 3, { what: 'three downloads' });
 * const job = await waitFor(async () => (await controlPlane.getJob(id))?.status === 'completed' && id);
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitForOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const stepMs = options.stepMs ?? 5;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`${options.what ?? 'condition'} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
