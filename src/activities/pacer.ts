/**
 * Paces calls to one external system from this process: at most `perSecond` on average, with
 * up to `burst` at once after a quiet spell. Callers wait their turn in arrival order.
 *
 * Why it exists beside Temporal's own limit: maxTaskQueueActivitiesPerSecond holds across every
 * worker, but only for activities dispatched through the system's task queue. Local activities
 * (the product-created flow's forward steps) and the micro-batchers' flushes never pass through
 * it. This bound is per process, so with N workers a system sees at most N × perSecond.
 *
 * The schedule is the generic cell rate algorithm: each call is due one interval after the one
 * before, and may run early by at most burst − 1 intervals.
 */
export class RequestPacer {
  private readonly intervalMs: number;
  private readonly earlyMs: number;
  /** When the next call would be due if calls arrived steadily. */
  private nextDue = 0;

  constructor(
    readonly perSecond: number,
    readonly burst = 1,
  ) {
    if (!(perSecond > 0) || !Number.isInteger(burst) || burst < 1) {
      throw new Error(`a pacer needs perSecond > 0 and a whole burst ≥ 1 (got ${perSecond}, ${burst})`);
    }
    this.intervalMs = 1000 / perSecond;
    this.earlyMs = (burst - 1) * this.intervalMs;
  }

  /** Resolves when the caller may send its request. */
  async take(): Promise<void> {
    const t = Date.now();
    const sendAt = Math.max(t, this.nextDue - this.earlyMs);
    this.nextDue = Math.max(this.nextDue, sendAt) + this.intervalMs;
    if (sendAt > t) await new Promise((resolve) => setTimeout(resolve, sendAt - t));
  }
}
