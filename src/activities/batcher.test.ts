import { MicroBatcher, type BatchItemResult } from './batcher';

/** A flush that records each batch and answers every item with its double. */
function recordingFlush(batches: number[][]) {
  return async (items: number[]): Promise<BatchItemResult<number>[]> => {
    batches.push(items);
    return items.map((i) => ({ ok: true, value: i * 2 }));
  };
}

describe('MicroBatcher', () => {
  it('sends a full batch at once and the rest when the wait is over', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher({ flush: recordingFlush(batches), maxItems: 3, maxWaitMs: 20 });
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => batcher.submit(i)));
    expect(results).toEqual([2, 4, 6, 8, 10]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(batcher.pendingCount).toBe(0);
  });

  it('gives each caller its own outcome', async () => {
    const batcher = new MicroBatcher<number, number>({
      flush: async (items) => items.map((i) => (i % 2 === 0 ? { ok: true, value: i } : { ok: false, error: new Error(`odd ${i}`) })),
      maxItems: 10,
      maxWaitMs: 5,
    });
    const outcomes = await Promise.allSettled([1, 2, 3, 4].map((i) => batcher.submit(i)));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes[0]).toMatchObject({ reason: new Error('odd 1') });
  });

  it('fails every caller of a batch whose flush fails, and keeps working afterwards', async () => {
    let calls = 0;
    const batcher = new MicroBatcher<string, string>({
      flush: async (items) => {
        calls++;
        if (calls === 1) throw new Error('bulk call failed');
        return items.map((i) => ({ ok: true, value: i.toUpperCase() }));
      },
      maxItems: 10,
      maxWaitMs: 5,
    });
    const first = await Promise.allSettled(['a', 'b'].map((i) => batcher.submit(i)));
    expect(first).toEqual([
      { status: 'rejected', reason: new Error('bulk call failed') },
      { status: 'rejected', reason: new Error('bulk call failed') },
    ]);
    await expect(batcher.submit('c')).resolves.toBe('C');
  });

  it('rejects all callers when the flush answers the wrong number of results', async () => {
    const batcher = new MicroBatcher<number, number>({ flush: async () => [], maxItems: 2, maxWaitMs: 5 });
    const outcomes = await Promise.allSettled([1, 2].map((i) => batcher.submit(i)));
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
  });

  it('runs no more flushes at once than allowed', async () => {
    let running = 0;
    let peak = 0;
    const releases: Array<() => void> = [];
    const batcher = new MicroBatcher<number, number>({
      flush: async (items) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => releases.push(r));
        running--;
        return items.map((i) => ({ ok: true, value: i }));
      },
      maxItems: 1,
      maxWaitMs: 5,
      maxConcurrentFlushes: 2,
    });
    const all = Promise.all([1, 2, 3, 4, 5].map((i) => batcher.submit(i)));
    // Release flushes one by one as they start until all five have run.
    for (let released = 0; released < 5; ) {
      const next = releases.shift();
      if (next) {
        next();
        released++;
      }
      await new Promise((r) => setImmediate(r));
    }
    await expect(all).resolves.toEqual([1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });

  it('keeps filling the next batch while every flush slot is busy', async () => {
    const batches: number[][] = [];
    let release: (() => void) | undefined;
    const batcher = new MicroBatcher<number, number>({
      flush: async (items) => {
        batches.push(items);
        if (batches.length === 1) await new Promise<void>((r) => (release = r));
        return items.map((i) => ({ ok: true, value: i }));
      },
      maxItems: 50,
      maxWaitMs: 1,
      maxConcurrentFlushes: 1,
    });
    const first = batcher.submit(0);
    while (!release) await new Promise((r) => setTimeout(r, 2));
    // Arriving one by one, each well past maxWaitMs, while the only slot is taken.
    const later: Promise<number>[] = [];
    for (let i = 1; i <= 5; i++) {
      later.push(batcher.submit(i));
      await new Promise((r) => setTimeout(r, 5));
    }
    release();
    await expect(Promise.all([first, ...later])).resolves.toEqual([0, 1, 2, 3, 4, 5]);
    expect(batches).toEqual([[0], [1, 2, 3, 4, 5]]);
  });
});
