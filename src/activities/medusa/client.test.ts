import type { ApplicationFailure } from '@temporalio/common';
import type { BatchItemResult } from '../batcher';
import { failureForNetworkError, failureForStatus } from '../http';
import { MEDUSA_REFUSED_ID, splitRefusedCall } from './client';

const refused = (status: number): ApplicationFailure => failureForStatus({ system: 'Medusa', method: 'GET', path: '/admin/products', status });

/** A call that Medusa refuses whenever it holds one of `bad`, answering the others with their id. */
function medusaRefusing(bad: string[], status = 500) {
  const calls: string[][] = [];
  const run = async (ids: string[]): Promise<Map<string, BatchItemResult<string>>> => {
    calls.push(ids);
    if (ids.some((id) => bad.includes(id))) throw refused(status);
    return new Map(ids.map((id) => [id, { ok: true, value: id }]));
  };
  return { calls, run };
}

describe('splitRefusedCall', () => {
  it('answers a batch with one call when Medusa takes it', async () => {
    const medusa = medusaRefusing([]);
    const out = await splitRefusedCall(['a', 'b', 'a'], medusa.run);
    expect(medusa.calls).toEqual([['a', 'b']]);
    expect([...out.values()]).toEqual([{ ok: true, value: 'a' }, { ok: true, value: 'b' }]);
  });

  it.each([500, 400])('fails only the ids Medusa refuses on their own (%i), for good', async (status) => {
    const ids = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'];
    const medusa = medusaRefusing(['p3', 'p6'], status);
    const out = await splitRefusedCall(ids, medusa.run);
    for (const id of ['p1', 'p2', 'p4', 'p5', 'p7']) expect(out.get(id)).toEqual({ ok: true, value: id });
    for (const id of ['p3', 'p6']) expect(out.get(id)).toMatchObject({ ok: false, error: { type: MEDUSA_REFUSED_ID, nonRetryable: true } });
  });

  it('fails the whole batch with the original, retryable error when no part is answered (an outage, not an id)', async () => {
    const ids = ['p1', 'p2', 'p3'];
    const medusa = medusaRefusing(ids);
    await expect(splitRefusedCall(ids, medusa.run)).rejects.toMatchObject({ type: 'HttpServerError', nonRetryable: false });
  });

  it.each([
    ['unreachable', failureForNetworkError({ system: 'Medusa', method: 'GET', path: '/admin/products' }, new TypeError('fetch failed'))],
    ['throttled', refused(429)],
    ['refusing the key', refused(401)],
    ['down (503)', refused(503)],
  ])('does not split when Medusa is %s', async (_what, failure) => {
    let calls = 0;
    const run = async (): Promise<Map<string, BatchItemResult<string>>> => {
      calls++;
      throw failure;
    };
    await expect(splitRefusedCall(['p1', 'p2', 'p3', 'p4'], run)).rejects.toBe(failure);
    expect(calls).toBe(1);
  });
});
