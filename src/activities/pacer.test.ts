import { RequestPacer } from './pacer';

// Jest's fake clock: when each caller is let through is checked exactly, without waiting.
describe('RequestPacer', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  async function releaseTimes(pacer: RequestPacer, calls: number): Promise<number[]> {
    const released: number[] = [];
    const all = Array.from({ length: calls }, () => pacer.take().then(() => released.push(Date.now())));
    await jest.runAllTimersAsync();
    await Promise.all(all);
    return released;
  }

  test('lets a burst through at once, then one call per interval, in arrival order', async () => {
    expect(await releaseTimes(new RequestPacer(10, 3), 6)).toEqual([0, 0, 0, 100, 200, 300]);
  });

  test('after a quiet spell the burst is available again, but never more than the burst', async () => {
    const pacer = new RequestPacer(10, 2);
    expect(await releaseTimes(pacer, 3)).toEqual([0, 0, 100]);
    jest.setSystemTime(10_000);
    expect(await releaseTimes(pacer, 3)).toEqual([10_000, 10_000, 10_100]);
  });

  test('refuses a rate or burst that cannot pace anything', () => {
    expect(() => new RequestPacer(0)).toThrow(/perSecond > 0/);
    expect(() => new RequestPacer(5, 0)).toThrow(/whole burst/);
    expect(() => new RequestPacer(5, 1.5)).toThrow(/whole burst/);
  });
});
