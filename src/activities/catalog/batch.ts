import { heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';

/**
 * Runs one write per item of a batch with bounded concurrency, inside ONE activity. A backfill
 * moves thousands of records; an activity (or a workflow) per record would spend most of the two
 * cores on Temporal bookkeeping, so a batch is one activity and its items are isolated here
 * instead: an item that fails for good is reported, not thrown, so one bad SKU never fails (and
 * re-runs) its 99 neighbours. Transient failures (5xx, 429, network; see activities/http.ts) are
 * retried a few times in place; if they persist the whole activity fails and Temporal retries
 * the batch, which is safe because every write is an upsert.
 */

export interface ItemFailure {
  key: string;
  error: string;
}

export interface BatchResult {
  ok: string[];
  failed: ItemFailure[];
}

const TRANSIENT_ATTEMPTS = 4;

export async function forEachItem<T>(items: T[], opts: { concurrency: number; key: (item: T) => string }, write: (item: T) => Promise<void>): Promise<BatchResult> {
  const ok: string[] = [];
  const failed: ItemFailure[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      const key = opts.key(item);
      try {
        await withTransientRetries(() => write(item));
        ok.push(key);
      } catch (err) {
        if (isTransient(err)) throw err;
        failed.push({ key, error: err instanceof Error ? err.message : String(err) });
      }
      // Heartbeats tell Temporal this long batch is alive, so a crashed worker is noticed
      // after the heartbeat timeout rather than the whole start-to-close timeout.
      heartbeat({ done: ok.length + failed.length });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, items.length)) }, lane));
  return { ok, failed };
}

async function withTransientRetries(fn: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isTransient(err) || attempt >= TRANSIENT_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, retryDelayMs(err, attempt)));
    }
  }
}

function isTransient(err: unknown): boolean {
  return err instanceof ApplicationFailure ? !err.nonRetryable : true;
}

/** A 429's Retry-After (carried as nextRetryDelay by activities/http.ts) wins over our backoff. */
function retryDelayMs(err: unknown, attempt: number): number {
  const next = err instanceof ApplicationFailure ? err.nextRetryDelay : undefined;
  return typeof next === 'number' ? next : 200 * 2 ** attempt;
}
