import { Command } from 'commander';
import { z } from 'zod';
import { RECONCILE_FLOW, reconcileCatalogue, reconcileWorkflowId, type ReconcileInput, type ReconcileReport } from '../workflows/backfill/reconcile-catalogue';
import type { TargetSystem } from '../workflows/backfill/catalogue';
import { SA } from '../workflows/search-attributes';
import { checkReachable, CliError, connect, EXIT, parseFlags, shortId, systemList, type CliContext } from './context';

const systems = systemList(['medusa', 'erp', 'wms', 'cms'] as const).transform((list) => list.filter((s): s is TargetSystem => s !== 'medusa'));

const reconcileFlags = z
  .object({
    systems,
    repair: z.boolean().default(false),
    json: z.boolean().default(false),
    skuPrefix: z.string().min(1).optional(),
    failOnDrift: z.boolean().default(false),
  })
  .strict();

export function reconcileInput(flags: { systems: TargetSystem[]; repair: boolean; skuPrefix?: string }, ctx: CliContext): ReconcileInput {
  return { systems: flags.systems, repair: flags.repair, skuPrefix: flags.skuPrefix, queues: ctx.queues };
}

export const reconcileStartOptions = (input: ReconcileInput) => ({
  typedSearchAttributes: [{ key: SA.flow, value: RECONCILE_FLOW }],
  staticSummary: `Reconcile catalogue: Medusa vs ${input.systems.join(', ')}${input.repair ? ' (repair)' : ''}`,
  staticDetails: input.skuPrefix ? `SKUs ${input.skuPrefix}*` : 'whole catalogue',
});

export function reconcileCommand(): Command {
  return new Command('reconcile')
    .description('compare the catalogue across systems (Medusa is the source of truth) and print the drift; --repair fixes it')
    .option('--systems <list>', 'comma-separated: medusa,erp,wms,cms (Medusa is always read)', 'medusa,erp,wms,cms')
    .option('--repair', 'create what is missing, rewrite mismatched fields, remove extras the hub owns')
    .option('--json', 'print the report as JSON')
    .option('--sku-prefix <prefix>', 'only products and records with a SKU starting with this')
    .option('--fail-on-drift', 'exit 1 when drift was found (for scripts and CI)')
    .action(async (raw: Record<string, unknown>) => {
      const flags = parseFlags(reconcileFlags, raw);
      if (flags.systems.length === 0) throw new CliError('--systems needs at least one of erp, wms, cms to compare Medusa with', EXIT.usage);
      const ctx = await connect();
      await checkReachable(ctx.config, ['medusa', ...flags.systems]);
      const input = reconcileInput(flags, ctx);
      const workflowId = reconcileWorkflowId(new Date(), shortId());
      const handle = await ctx.client.workflow.start(reconcileCatalogue, { workflowId, taskQueue: ctx.workflowQueue, args: [input], ...reconcileStartOptions(input) });
      if (!flags.json) console.error(`reconcile started: ${workflowId}`);
      let report: ReconcileReport;
      try {
        report = await handle.result();
      } catch (err) {
        throw new CliError(`reconcile ${workflowId} failed: ${err instanceof Error ? err.message : String(err)}`, EXIT.failed);
      }
      if (flags.json) console.log(JSON.stringify({ workflowId, ...report }, null, 2));
      else printReport(report);
      const repairFailed = (report.repaired ?? []).some((r) => r.failed.length > 0);
      if (repairFailed || (flags.failOnDrift && report.drift.length > 0 && !flags.repair)) process.exitCode = EXIT.failed;
    });
}

function printReport(report: ReconcileReport): void {
  console.log(`${report.products} product(s) in Medusa compared with ${report.systems.join(', ')}`);
  console.log('');
  console.log(table(['system', 'missing', 'extra', 'mismatch'], report.systems.map((s) => [s, ...(['missing', 'extra', 'mismatch'] as const).map((k) => String(report.counts[s][k]))])));
  if (report.drift.length > 0) {
    console.log('');
    const rows = report.drift.slice(0, 100).map((d) => [
      d.system,
      d.kind,
      d.key,
      d.productId ?? '',
      d.field ? `${d.field}: ${JSON.stringify(d.actual)} → ${JSON.stringify(d.expected)}` : d.kind === 'extra' ? (d.owned ? 'hub-owned' : 'not ours, left alone') : '',
    ]);
    console.log(table(['system', 'drift', 'key', 'product', 'detail'], rows));
    if (report.drift.length > 100) console.log(`… and ${report.drift.length - 100} more (--json for all)`);
  }
  console.log('');
  if (report.repaired) {
    for (const r of report.repaired) {
      console.log(`repaired ${r.system} ${r.action}: ${r.ok} ok, ${r.failed.length} failed`);
      for (const f of r.failed) console.log(`  ${f.key}: ${f.error}`);
    }
  } else console.log(report.drift.length === 0 ? 'no drift' : `${report.drift.length} drift(s); run with --repair to fix`);
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

