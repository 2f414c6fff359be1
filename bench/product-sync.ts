/**
 * Benchmark: products created in Medusa through its batch route → seconds until every one is in
 * the ERP, the WMS and the CMS, and Medusa's batch-call time with and without the hub's
 * subscriber. It prints; it asserts nothing.
 *
 *   node --import tsx bench/product-sync.ts [--products 1000] [--batch 200] [--phases A,S,B,C]
 *
 * It starts its own stack on the `bench` profile (ports +20000, Temporal in memory), so it runs
 * beside a developer's stack. Four phases, each on a fresh Medusa process:
 *   A. Medusa alone (no subscriber): the baseline batch-call time.
 *   S. Subscriber installed, posting to a sink that answers 202 at once: what the subscriber
 *      itself costs Medusa.
 *   B. Subscriber, bridge and Temporal up, but no worker: the hand-off, with Temporal starting a
 *      run per event on the same two cores.
 *   C. The whole hub running: batch-call time while syncing, and end-to-end throughput.
 * S, B and C differ in how much of the hub shares Medusa's two cores; in production the hub and
 * Temporal run on other machines.
 */
import { createServer, type Server } from 'node:http';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import Medusa from '@medusajs/js-sdk';
import { Client, Connection } from '@temporalio/client';
import { z } from 'zod';
import { stackProfile } from '../src/stack/profile';
import { cpuByService, describeCpuPerItem, type CpuByService } from './cpu';
import { startStack, type Stack, type StackService } from '../src/stack/stack';
import { stopOnSignals } from '../src/stack/supervision';
import { hubDataConverter } from '../src/temporal/connection';

const PHASES = ['A', 'S', 'B', 'C'] as const;
const options = z
  .object({
    products: z.coerce.number().int().positive(),
    batch: z.coerce.number().int().positive().max(500),
    // Only some phases, e.g. C alone while working on the hub's throughput.
    phases: z
      .string()
      .transform((s) => s.split(',').map((p) => p.trim().toUpperCase()))
      .pipe(z.array(z.enum(PHASES)).min(1)),
  })
  .parse(
    parseArgs({
      options: { products: { type: 'string', default: '1000' }, batch: { type: 'string', default: '200' }, phases: { type: 'string', default: PHASES.join(',') } },
    }).values,
  );

const profile = stackProfile('bench');
const runTag = Date.now().toString(36).toUpperCase();

async function createProducts(stack: Stack, phase: string): Promise<{ ids: string[]; batchSeconds: number[] }> {
  const sdk = new Medusa({ baseUrl: stack.env.MEDUSA_BACKEND_URL!, apiKey: stack.env.MEDUSA_API_KEY! });
  const ids: string[] = [];
  const batchSeconds: number[] = [];
  for (let start = 0; start < options.products; start += options.batch) {
    const count = Math.min(options.batch, options.products - start);
    const create = Array.from({ length: count }, (_, i) => {
      const n = start + i;
      const sku = `B-${runTag}-${phase}-${n}`;
      return {
        title: `Bench ${runTag} ${phase} ${n}`,
        status: 'published' as const,
        shipping_profile_id: stack.env.MEDUSA_SHIPPING_PROFILE_ID,
        options: [{ title: 'Size', values: ['One'] }],
        variants: [{ title: 'One', sku, manage_inventory: true, options: { Size: 'One' }, prices: [{ currency_code: 'eur', amount: 1000 }] }],
      };
    });
    const t0 = performance.now();
    const res = await sdk.admin.product.batch({ create });
    batchSeconds.push((performance.now() - t0) / 1000);
    ids.push(...(res.created ?? []).map((p) => p.id));
  }
  return { ids, batchSeconds };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const fmt = (x: number): string => x.toFixed(2);

async function phase(name: string, services: StackService[], forwardMedusaEvents: boolean): Promise<{ batchSeconds: number[]; stack: Stack; ids: string[] }> {
  process.stdout.write(`\n[${name}] starting ${services.join(', ')}…\n`);
  const stack = await startStack(profile, { services, persistTemporal: false, forwardMedusaEvents });
  current = stack;
  const { ids, batchSeconds } = await createProducts(stack, name);
  process.stdout.write(`[${name}] ${ids.length} products in ${batchSeconds.length} batch calls; median call ${fmt(median(batchSeconds))}s\n`);
  return { batchSeconds, stack, ids };
}

/** How many records each target system holds now: ERP items, WMS SKUs, CMS entries. */
async function targetCounts(env: Record<string, string>): Promise<{ erp: number; wms: number; cms: number }> {
  const stats = async (system: 'ERP' | 'WMS'): Promise<Record<string, number>> => {
    const res = await fetch(`${env[`${system}_BASE_URL`]}/_control/stats`, { headers: { 'x-control-key': env[`${system}_CONTROL_KEY`]! } });
    return ((await res.json()) as { records: Record<string, number> }).records;
  };
  const cms = await fetch(`${env.CMS_BASE_URL}/api/products?pagination[pageSize]=1`, { headers: { authorization: `Bearer ${env.CMS_API_TOKEN}` } });
  return {
    erp: (await stats('ERP')).items ?? 0,
    wms: (await stats('WMS')).skus ?? 0,
    cms: ((await cms.json()) as { meta: { pagination: { total: number } } }).meta.pagination.total,
  };
}

interface SyncTimes {
  /** Seconds until every product was in the ERP, the WMS and the CMS. */
  inAllSystems: number;
  /** Seconds until every run had completed, Medusa metadata write-back included. */
  runsDone: number;
  cpuInAllSystems: CpuByService;
  completed: number;
  failed: number;
}

async function waitForSync(stack: Stack, expected: number, before: { erp: number; wms: number; cms: number }, startedAt: number): Promise<SyncTimes> {
  const connection = await Connection.connect({ address: stack.env.TEMPORAL_ADDRESS! });
  const client = new Client({ connection, dataConverter: hubDataConverter(stack.env.HUB_CODEC_KEY!.split(',')) });
  const deadline = Date.now() + 30 * 60_000;
  let inAllSystems = NaN;
  let cpuInAllSystems: CpuByService = new Map();
  let completed = 0;
  let failed = 0;
  try {
    while (Date.now() < deadline) {
      const now = await targetCounts(stack.env);
      const arrived = Math.min(now.erp - before.erp, now.wms - before.wms, now.cms - before.cms);
      if (Number.isNaN(inAllSystems) && arrived >= expected) {
        inAllSystems = (performance.now() - startedAt) / 1000;
        cpuInAllSystems = cpuByService();
      }
      completed = (await client.workflow.count(`HubFlow = 'product-created' AND ExecutionStatus = 'Completed'`)).count;
      failed = (await client.workflow.count(`HubFlow = 'product-created' AND ExecutionStatus = 'Failed'`)).count;
      const elapsed = (performance.now() - startedAt) / 1000;
      process.stdout.write(`\r[C] ${arrived} in all three systems, ${completed} runs completed, ${failed} failed, of ${expected} after ${elapsed.toFixed(0)}s   `);
      if (completed + failed >= expected) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  } finally {
    await connection.close();
  }
  process.stdout.write('\n');
  return { inAllSystems, runsDone: (performance.now() - startedAt) / 1000, completed, failed, cpuInAllSystems };
}

/** Whatever stack is up when the run ends or is interrupted; Ctrl-C must not leave services behind. */
let current: Stack | undefined;
stopOnSignals(() => current);

/** Stands in for the bridge: accepts every delivery at once, so only the subscriber's cost remains. */
async function startSink(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"started"}'));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

async function main(): Promise<void> {
  const wanted = new Set(options.phases);
  const calls: Partial<Record<(typeof PHASES)[number], number[]>> = {};
  if (wanted.has('A')) {
    const a = await phase('A', ['medusa'], false);
    calls.A = a.batchSeconds;
    await a.stack.stop();
  }
  if (wanted.has('S')) {
    const sink = await startSink(profile.ports.bridge);
    const sub = await phase('S', ['medusa'], true);
    calls.S = sub.batchSeconds;
    await sub.stack.stop();
    await new Promise((r) => sink.close(r));
  }
  if (wanted.has('B')) {
    const b = await phase('B', ['temporal', 'codec', 'medusa', 'bridge'], true);
    calls.B = b.batchSeconds;
    await b.stack.stop();
  }
  const base = calls.A ? median(calls.A) : NaN;
  const callLine = (label: string, xs: number[] | undefined): string =>
    xs ? `  ${label}${fmt(median(xs))}${xs === calls.A ? '' : `   ratio ${fmt(median(xs) / base)}×`}\n` : '';
  let report = `
Products: ${options.products}, batch size ${options.batch}, on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'})
Medusa batch call, median seconds:
${callLine('A. no subscriber                         ', calls.A)}${callLine('S. subscriber, posting to a sink         ', calls.S)}${callLine('B. subscriber + bridge, no sync running  ', calls.B)}`;

  if (wanted.has('C')) {
    process.stdout.write('\n[C] starting the whole stack…\n');
    const stack = await startStack(profile, { persistTemporal: false });
    current = stack;
    try {
      const before = await targetCounts(stack.env);
      const cpuBefore = cpuByService();
      const t0 = performance.now();
      const { ids, batchSeconds } = await createProducts(stack, 'C');
      const createdSeconds = (performance.now() - t0) / 1000;
      const sync = await waitForSync(stack, ids.length, before, t0);
      const cpuDone = cpuByService();
      report += `${callLine('C. whole hub syncing on the same cores   ', batchSeconds)}End to end (C), from the first batch call:
  all ${ids.length} created in Medusa after            ${fmt(createdSeconds)}s
  all in ERP, WMS and CMS after               ${fmt(sync.inAllSystems)}s  → ${fmt(ids.length / sync.inAllSystems)} products/s
  all runs completed (ids written back) after ${fmt(sync.runsDone)}s  → ${fmt(sync.completed / sync.runsDone)} products/s (${sync.failed} failed)
CPU per product, milliseconds (C):
  until all were in ERP, WMS and CMS: ${describeCpuPerItem(cpuBefore, sync.cpuInAllSystems, ids.length)}
  until every run had completed:      ${describeCpuPerItem(cpuBefore, cpuDone, ids.length)}`;
    } finally {
      await stack.stop();
    }
  }
  console.log(report);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
