import { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { z } from 'zod';
import {
  BACKFILL_FLOW,
  backfillFailedQuery,
  backfillProducts,
  backfillProgressQuery,
  backfillWorkflowId,
  pauseBackfillSignal,
  resumeBackfillSignal,
  retryFailedSignal,
  type BackfillInput,
  type BackfillProgress,
  type BackfillResult,
} from '../workflows/backfill/backfill-products';
import { SA } from '../workflows/search-attributes';
import { checkReachable, CliError, connect, EXIT, parseFlags, shortId, systemList, type CliContext } from './context';

const productsFlags = z
  .object({
    from: z.enum(['medusa', 'erp']),
    to: systemList(['medusa', 'erp', 'wms', 'cms'] as const),
    since: z.iso.datetime({ offset: true }).optional(),
    skuPrefix: z.string().min(1).optional(),
    batchSize: z.coerce.number().int().min(1).max(200),
    concurrency: z.coerce.number().int().min(1).max(64),
    dryRun: z.boolean().default(false),
    detach: z.boolean().default(false),
    json: z.boolean().default(false),
  })
  .strict()
  .superRefine((f, ctx) => {
    // Two directions only: Medusa out to the others, or the ERP's catalogue into Medusa.
    const ok = f.from === 'erp' ? f.to.length === 1 && f.to[0] === 'medusa' : !f.to.includes('medusa');
    if (!ok) ctx.addIssue({ code: 'custom', path: ['to'], message: f.from === 'erp' ? '--from erp goes --to medusa only' : '--from medusa goes --to erp, wms and/or cms' });
    if (f.from === 'erp' && f.since) ctx.addIssue({ code: 'custom', path: ['since'], message: '--since applies to --from medusa only' });
  });

export function backfillCommand(): Command {
  const cmd = new Command('backfill').description('load an existing catalogue into the other systems, and manage backfill runs');

  cmd
    .command('products')
    .description(
      'backfill products from Medusa into the ERP, WMS and CMS, or import the ERP catalogue into Medusa (one product per ERP item); upsert by SKU: a second run creates nothing new',
    )
    .requiredOption('--from <system>', 'source system: medusa, or erp (then --to medusa)')
    .requiredOption('--to <systems>', 'comma-separated targets: erp,wms,cms (from medusa), or medusa (from erp)')
    .option('--since <iso-date>', 'only products updated at or after this instant (from medusa)')
    .option('--sku-prefix <prefix>', 'only products (ERP items) with a SKU starting with this')
    .option('--batch-size <n>', 'products per page and per batched write', '100')
    .option('--concurrency <n>', 'writes in flight per system within a batch', '8')
    .option('--dry-run', 'read and count, write nothing')
    .option('--detach', 'print the workflow id and return at once')
    .option('--json', 'print the final result as JSON')
    .action(async (raw: Record<string, unknown>) => {
      const flags = parseFlags(productsFlags, raw);
      const ctx = await connect();
      await checkReachable(ctx.config, [flags.from, ...flags.to]);
      const input: BackfillInput = {
        from: flags.from,
        to: flags.to,
        since: flags.since,
        skuPrefix: flags.skuPrefix,
        batchSize: flags.batchSize,
        concurrency: flags.concurrency,
        dryRun: flags.dryRun,
        queues: ctx.queues,
      };
      const handle = await startBackfill(ctx, input);
      console.log(`backfill started: ${handle.workflowId}`);
      if (flags.detach) return;
      await follow(ctx.client, handle.workflowId, flags.json);
    });

  const withRun = (name: string, description: string, run: (ctx: CliContext, handle: WorkflowHandle, opts: { json: boolean }) => Promise<void>) =>
    cmd
      .command(`${name} <workflow-id>`)
      .description(description)
      .option('--json', 'print JSON')
      .action(async (id: string, opts: { json?: boolean }) => {
        const ctx = await connect();
        const handle = ctx.client.workflow.getHandle(id);
        try {
          await handle.describe();
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) throw new CliError(`No backfill run ${id}`, EXIT.usage);
          throw err;
        }
        await run(ctx, handle, { json: opts.json === true });
      });

  withRun('status', 'show the progress of a backfill run (and its failed items once it ended)', async (_ctx, handle, { json }) => {
    const desc = await handle.describe();
    const progress = await handle.query(backfillProgressQuery).catch(() => null);
    const failed = await handle.query(backfillFailedQuery).catch(() => [] as BackfillResult['failed']);
    if (json) console.log(JSON.stringify({ workflowId: handle.workflowId, status: desc.status.name, progress, failed }, null, 2));
    else {
      console.log(`${handle.workflowId}: ${desc.status.name}`);
      if (progress) console.log(describeProgress(progress));
      printFailed(failed);
    }
    if (desc.status.name === 'FAILED' || desc.status.name === 'TERMINATED' || desc.status.name === 'TIMED_OUT') process.exitCode = EXIT.failed;
  });
  withRun('pause', 'pause a running backfill after its current batch', async (_ctx, handle) => {
    await handle.signal(pauseBackfillSignal);
    console.log(`pause requested: ${handle.workflowId}`);
  });
  withRun('resume', 'resume a paused backfill', async (_ctx, handle) => {
    await handle.signal(resumeBackfillSignal);
    console.log(`resumed: ${handle.workflowId}`);
  });
  withRun('cancel', 'cancel a backfill: it stops after the writes in flight, keeping what it wrote', async (_ctx, handle) => {
    await handle.cancel();
    console.log(`cancel requested: ${handle.workflowId}`);
  });
  withRun('retry-failed', "write a backfill's failed products again (in the run if it is still going, else in a new run)", async (ctx, handle, { json }) => {
    const desc = await handle.describe();
    if (desc.status.name === 'RUNNING') {
      await handle.signal(retryFailedSignal);
      console.log(`retry of failed items requested in ${handle.workflowId}`);
      return;
    }
    const result = (await handle.result().catch(() => null)) as BackfillResult | null;
    const failed = result?.failed ?? (await handle.query(backfillFailedQuery).catch(() => []));
    const ids = [...new Set(failed.map((f) => f.productId))];
    if (ids.length === 0) {
      console.log(`${handle.workflowId} has no failed items`);
      return;
    }
    if (!result) throw new CliError(`${handle.workflowId} did not complete; its failed items are listed by: hub backfill status ${handle.workflowId}`, EXIT.failed);
    const retry = await startBackfill(ctx, { ...result.input, productIds: ids, dryRun: false, queues: ctx.queues });
    console.log(`retrying ${ids.length} product(s) in ${retry.workflowId}`);
    await follow(ctx.client, retry.workflowId, json);
  });
  return cmd;
}

async function startBackfill(ctx: CliContext, input: BackfillInput): Promise<WorkflowHandle<typeof backfillProducts>> {
  const workflowId = backfillWorkflowId(input.from, new Date(), shortId());
  return ctx.client.workflow.start(backfillProducts, {
    workflowId,
    taskQueue: ctx.workflowQueue,
    args: [input],
    typedSearchAttributes: [
      { key: SA.flow, value: BACKFILL_FLOW },
      { key: SA.source, value: input.from },
    ],
    staticSummary: `Backfill products ${input.from} → ${input.to.join(', ')}${input.dryRun ? ' (dry run)' : ''}${input.productIds ? ` (retry of ${input.productIds.length} failed)` : ''}`,
    staticDetails: `batch size ${input.batchSize}, concurrency ${input.concurrency}${input.since ? `, since ${input.since}` : ''}${input.skuPrefix ? `, SKUs ${input.skuPrefix}*` : ''}`,
  });
}

export function describeProgress(p: BackfillProgress): string {
  const seconds = Math.max(1, (Date.now() - Date.parse(p.startedAt)) / 1000);
  return `${p.state}${p.dryRun ? ' (dry run)' : ''}: ${p.scanned}/${p.total} scanned, ${p.done} done, ${p.failed} failed, ${(p.done / seconds).toFixed(1)} products/s`;
}

function printFailed(failed: BackfillResult['failed']): void {
  if (failed.length === 0) return;
  console.log(`${failed.length} failed item(s):`);
  for (const f of failed.slice(0, 50)) console.log(`  ${f.productId}  ${f.system}  ${f.key}  ${f.error}`);
  if (failed.length > 50) console.log(`  … and ${failed.length - 50} more (hub backfill status <id> --json)`);
}

/**
 * Follows a run to its end with a progress bar read from the run itself (its `progress` query),
 * so any terminal can attach to any run. Ctrl-C detaches: the run goes on in Temporal.
 */
async function follow(client: Client, workflowId: string, json: boolean): Promise<void> {
  const handle = client.workflow.getHandle<typeof backfillProducts>(workflowId);
  const tty = process.stderr.isTTY === true;
  const bar = new SingleBar({
    format: '{bar} {percentage}% | {value}/{total} scanned | done {done} | failed {failed} | {rate}/s | ETA {eta_formatted} | {state}',
    stream: process.stderr,
    hideCursor: true,
    etaBuffer: 20,
  });
  let started = false;
  let detached = false;
  const onSigint = (): void => {
    detached = true;
  };
  process.once('SIGINT', onSigint);
  let lastLine = 0;
  try {
    for (;;) {
      if (detached) {
        if (started) bar.stop();
        console.log(`detached; the run goes on. Follow it with: hub backfill status ${workflowId}`);
        return;
      }
      const desc = await handle.describe();
      if (desc.status.name !== 'RUNNING' && desc.status.name !== 'CONTINUED_AS_NEW') break;
      const p = await handle.query(backfillProgressQuery).catch(() => null);
      if (p) {
        // The run's own start, so a terminal that attaches late still shows the run's rate.
        const rate = (p.done / Math.max(1, (Date.now() - Date.parse(p.startedAt)) / 1000)).toFixed(1);
        const payload = { done: p.done, failed: p.failed, rate, state: p.state };
        if (tty && p.total > 0) {
          if (!started) {
            bar.start(Math.max(p.total, 1), p.scanned, payload);
            started = true;
          }
          bar.setTotal(Math.max(p.total, 1));
          bar.update(p.scanned, payload);
        } else if (!tty && Date.now() - lastLine > 2_000) {
          // No terminal (a script, a CI log): a plain line every few seconds instead of a bar.
          console.error(describeProgress(p));
          lastLine = Date.now();
        }
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
  let result: BackfillResult;
  try {
    result = await handle.result();
  } catch (err) {
    if (started) bar.stop();
    const desc = await handle.describe();
    throw new CliError(`backfill ${workflowId} ended ${desc.status.name}: ${err instanceof Error ? err.message : String(err)}`, EXIT.failed);
  }
  if (started) {
    bar.update(result.scanned, { done: result.done, failed: result.failed.length, rate: '-', state: result.state });
    bar.stop();
  }
  if (json) console.log(JSON.stringify({ workflowId, ...result }, null, 2));
  else {
    console.log(`backfill ${workflowId} ${result.state}${result.dryRun ? ' (dry run, nothing written)' : ''}: ${result.done} product(s) done, ${result.failed.length} failed item(s), ${result.scanned} scanned`);
    printFailed(result.failed);
  }
  if (result.failed.length > 0) process.exitCode = EXIT.failed;
}
