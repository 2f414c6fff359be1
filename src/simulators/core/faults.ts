import { z } from 'zod';

/**
 * Faults let tests and the benchmark make the simulator misbehave on purpose, the way real
 * systems do: refuse a request (`fail_before`, nothing written) or do the work and lose the
 * response (`fail_after_commit`, the case idempotency keys and careful undos exist for), or
 * answer slowly (`delay`: the request waits `delay_ms` before it is handled, then commits and
 * answers normally — a call still in flight when its caller gives up or is cancelled).
 *
 * Matching: `method` is exact (case-insensitive); `path` is a prefix of the request path at a
 * segment boundary, so "/v1/items" matches "/v1/items" and "/v1/items/itm_1" but not
 * "/v1/items-archive". The query string is ignored. `idempotency_key_contains` narrows a fault to
 * the writes of one record (keys carry the run and the SKU), so another run writing to the same
 * endpoint meanwhile cannot take a one-off fault meant for a test's record. Faults are checked in
 * creation order and the first that matches (and wins its `rate` roll) applies.
 */
export const faultSpecSchema = z.strictObject({
  method: z
    .string()
    .transform((m) => m.toUpperCase())
    .pipe(z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']))
    .optional(),
  path: z.string().startsWith('/').optional(),
  idempotency_key_contains: z.string().min(1).optional(),
  mode: z.enum(['fail_before', 'fail_after_commit', 'delay']),
  /** For `delay`: how long the request waits before it is handled. */
  delay_ms: z.number().int().min(1).max(600_000).optional(),
  status: z.number().int().min(400).max(599).default(503),
  times: z.number().int().positive().optional(),
  rate: z.number().min(0).max(1).optional(),
  retry_after: z.number().int().min(0).optional(),
}).refine((f) => (f.mode === 'delay') === (f.delay_ms !== undefined), 'delay_ms is required for mode "delay" and only allowed with it');
export type FaultSpec = z.output<typeof faultSpecSchema>;

export interface Fault extends FaultSpec {
  id: string;
  /** How many requests this fault has failed so far. */
  fired: number;
  created_at: string;
}

export class FaultRegistry {
  private faults: Fault[] = [];
  private counter = 0;

  add(spec: FaultSpec): Fault {
    const fault: Fault = { ...spec, id: `flt_${++this.counter}`, fired: 0, created_at: new Date().toISOString() };
    this.faults.push(fault);
    return fault;
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length < before;
  }

  clear(): void {
    this.faults = [];
  }

  /** Picks the fault for this request, if any, and counts it against its `times`. */
  take(method: string, path: string, idempotencyKey?: string, random: () => number = Math.random): Fault | undefined {
    for (const f of this.faults) {
      if (f.method && f.method !== method.toUpperCase()) continue;
      if (f.path && !pathMatches(f.path, path)) continue;
      if (f.idempotency_key_contains && !idempotencyKey?.includes(f.idempotency_key_contains)) continue;
      if (f.rate !== undefined && random() >= f.rate) continue;
      f.fired++;
      if (f.times !== undefined && f.fired >= f.times) this.remove(f.id);
      return { ...f };
    }
    return undefined;
  }
}

function pathMatches(prefix: string, path: string): boolean {
  const p = prefix.length > 1 && prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  return path === p || p === '/' || path.startsWith(`${p}/`);
}
