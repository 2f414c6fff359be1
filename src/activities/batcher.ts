/**
 * Collects single calls into one bulk call. Many activities run concurrently in one worker, each
 * wanting one small write; a remote API that is far faster per item in bulk (Medusa's product
 * batch route: ~15× over one-by-one) can then be used without the workflows knowing.
 *
 * Each caller gets its own outcome. When the bulk call itself fails, every caller in that batch
 * gets the error, so each activity fails and is retried on its own by Temporal; bulk writes must
 * therefore be idempotent. A flush whose bulk call can be refused because of one item splits it
 * itself (Medusa's: splitRefusedCall in medusa/client.ts), so one bad item fails alone.
 */
export interface MicroBatcherOptions<I, O> {
  /** Sends one batch; resolves with one result per item, in the same order. */
  flush: (items: I[]) => Promise<BatchItemResult<O>[]>;
  /** A batch is sent once it holds this many items... */
  maxItems: number;
  /** ...or this long after its first item arrived, whichever comes first. */
  maxWaitMs: number;
  /** Batches sent at once; while all are busy, items wait and the next batch keeps filling. */
  maxConcurrentFlushes?: number;
}

export type BatchItemResult<O> = { ok: true; value: O } | { ok: false; error: unknown };

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export class MicroBatcher<I, O> {
  /** Accepted items not yet handed to a flush, in arrival order. */
  private waiting: Waiting<I, O>[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The oldest waiting item has waited maxWaitMs: send as soon as a flush slot is free. */
  private due = false;
  private flushing = 0;
  private readonly maxConcurrent: number;

  constructor(private readonly opts: MicroBatcherOptions<I, O>) {
    if (opts.maxItems < 1) throw new Error('maxItems must be at least 1');
    this.maxConcurrent = opts.maxConcurrentFlushes ?? 2;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.waiting.length >= this.opts.maxItems) {
        this.drain();
      } else if (!this.timer && !this.due) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.due = true;
          this.drain();
        }, this.opts.maxWaitMs);
      }
    });
  }

  /** Items accepted but not yet sent; for tests and shutdown. */
  get pendingCount(): number {
    return this.waiting.length;
  }

  /**
   * Starts flushes while slots are free. Items keep collecting while every slot is busy, so
   * under load batches grow towards maxItems instead of queueing up as many small ones: the
   * remote side's per-call cost is what a batcher exists to spread.
   */
  private drain(): void {
    while (this.flushing < this.maxConcurrent && (this.waiting.length >= this.opts.maxItems || (this.due && this.waiting.length > 0))) {
      const batch = this.waiting.splice(0, this.opts.maxItems);
      this.flushing++;
      void this.send(batch).finally(() => {
        this.flushing--;
        this.drain();
      });
    }
    if (this.waiting.length === 0) {
      this.due = false;
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private async send(batch: Waiting<I, O>[]): Promise<void> {
    let results: BatchItemResult<O>[];
    try {
      results = await this.opts.flush(batch.map((w) => w.item));
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    if (results.length !== batch.length) {
      const err = new Error(`batch flush returned ${results.length} results for ${batch.length} items`);
      for (const w of batch) w.reject(err);
      return;
    }
    batch.forEach((w, i) => {
      const r = results[i]!;
      if (r.ok) w.resolve(r.value);
      else w.reject(r.error);
    });
  }
}
