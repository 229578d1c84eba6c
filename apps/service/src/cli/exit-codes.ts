/** Process exit codes of the `connectors` CLI. */
export const EXIT = {
  /** Success. */
  ok: 0,
  /** The command ran and failed (a sync ended in error, a search found the store missing...). */
  failed: 1,
  /** Bad usage or invalid configuration. */
  usage: 2,
  /** Interrupted by a signal. */
  interrupted: 130,
} as const;
