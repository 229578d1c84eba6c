import type { JsonValue } from '../document/json.js';

/**
 * Tracks which listed operations are still unacknowledged, to persist checkpoints only behind them. One
 * save runs at a time; checkpoints that become eligible meanwhile are coalesced, so only the newest of them
 * is saved next (a slow control plane never works through a backlog of outdated ones).
 */
export class CheckpointTracker<T extends JsonValue = JsonValue> {
  private nextSeq = 0;
  private readonly outstanding = new Set<number>();
  private readonly pending: { seq: number; value: T }[] = [];
  private queued: T | undefined;
  private draining = false;
  private stopped = false;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly save: ((checkpoint: T) => Promise<void>) | undefined,
    private readonly beforeSave: () => void,
    private readonly onSaved: (checkpoint: T) => void,
    private readonly onFailed: (error: unknown) => void,
  ) {}

  begin(): number {
    const seq = this.nextSeq++;
    this.outstanding.add(seq);
    return seq;
  }

  complete(seq: number): void {
    this.outstanding.delete(seq);
  }

  /** Saves nothing more: drops what waits, and ignores later checkpoints (a save in progress finishes). */
  stop(): void {
    this.stopped = true;
    this.queued = undefined;
    this.pending.length = 0;
  }

  checkpoint(value: T): void {
    if (!this.save || this.stopped) return;
    this.pending.push({ seq: this.nextSeq, value });
    this.flush();
  }

  /** Saves the newest checkpoint whose preceding operations are all acknowledged. */
  flush(): void {
    if (this.stopped || this.pending.length === 0) return;
    let low = Number.POSITIVE_INFINITY;
    for (const seq of this.outstanding) if (seq < low) low = seq;
    let eligible: T | undefined;
    while (this.pending.length > 0 && (this.pending[0]?.seq ?? Infinity) <= low) {
      eligible = this.pending.shift()?.value;
    }
    if (eligible === undefined || !this.save) return;
    this.queued = eligible;
    if (this.draining) return;
    this.draining = true;
    this.saving = this.drain(this.save);
  }

  /** Saves the queued checkpoint, then any newer one queued meanwhile. Never rejects. */
  private async drain(save: (checkpoint: T) => Promise<void>): Promise<void> {
    try {
      while (this.queued !== undefined) {
        const value = this.queued;
        this.queued = undefined;
        let saved = false;
        try {
          // The reconciliation table's marks go to disk first; if that fails, this checkpoint is not saved
          // (a resume would start from an earlier one) and the sync goes on.
          this.beforeSave();
          await save(value);
          saved = true;
        } catch (error) {
          try {
            this.onFailed(error);
          } catch {
            // A failing report must not stop later saves.
          }
        }
        if (saved) {
          try {
            this.onSaved(value);
          } catch {
            // A listener's failure is not a failed save.
          }
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** Waits for saves in progress (at most `ms`). */
  async idle(ms: number): Promise<void> {
    if (!this.draining) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.saving, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }
}
