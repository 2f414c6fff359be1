import { Command } from 'commander';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { z } from 'zod';
import { reconcileCatalogue } from '../workflows/backfill/reconcile-catalogue';
import { CliError, connect, EXIT, parseFlags, systemList } from './context';
import { reconcileInput, reconcileStartOptions } from './reconcile';
import type { TargetSystem } from '../workflows/backfill/catalogue';

export const DEFAULT_SCHEDULE_ID = 'hub-reconcile-catalogue';

const scheduleFlags = z
  .object({
    every: z.string().regex(/^\d+(s|m|h|d)$/, 'a number and a unit: 30m, 1h, 1d'),
    systems: systemList(['medusa', 'erp', 'wms', 'cms'] as const).transform((l) => l.filter((s): s is TargetSystem => s !== 'medusa')),
    repair: z.boolean().default(false),
    skuPrefix: z.string().min(1).optional(),
    id: z.string().regex(/^[A-Za-z0-9_.-]+$/),
  })
  .strict();

export function scheduleCommand(): Command {
  const cmd = new Command('schedule').description('manage Temporal Schedules that run the hub periodically');

  cmd
    .command('reconcile')
    .description('create or update the schedule that reconciles the catalogue (a run still going when the next is due is skipped)')
    .requiredOption('--every <interval>', 'e.g. 30m, 1h, 1d')
    .option('--systems <list>', 'comma-separated: medusa,erp,wms,cms', 'medusa,erp,wms,cms')
    .option('--repair', 'repair what each run finds')
    .option('--sku-prefix <prefix>', 'only SKUs starting with this')
    .option('--id <schedule-id>', 'schedule id', DEFAULT_SCHEDULE_ID)
    .action(async (raw: Record<string, unknown>) => {
      const flags = parseFlags(scheduleFlags, raw);
      const ctx = await connect();
      const input = reconcileInput(flags, ctx);
      const action = {
        type: 'startWorkflow' as const,
        workflowType: reconcileCatalogue,
        workflowId: `${flags.id}/run`,
        taskQueue: ctx.workflowQueue,
        args: [input] as [typeof input],
        ...reconcileStartOptions(input),
      };
      const spec = { intervals: [{ every: flags.every as `${number}${'s' | 'm' | 'h' | 'd'}` }] };
      const policies = { overlap: ScheduleOverlapPolicy.SKIP };
      try {
        await ctx.client.schedule.create({ scheduleId: flags.id, spec, action, policies });
        console.log(`schedule ${flags.id} created: reconcile ${flags.systems.join(',')} every ${flags.every}${flags.repair ? ' with repair' : ''}`);
      } catch (err) {
        if (!(err instanceof ScheduleAlreadyRunning)) throw err;
        await ctx.client.schedule.getHandle(flags.id).update((prev) => ({ ...prev, spec, action, policies: { ...prev.policies, overlap: ScheduleOverlapPolicy.SKIP } }));
        console.log(`schedule ${flags.id} updated: reconcile ${flags.systems.join(',')} every ${flags.every}${flags.repair ? ' with repair' : ''}`);
      }
    });

  cmd
    .command('list')
    .description("list the namespace's schedules")
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const ctx = await connect();
      const rows: Array<{ scheduleId: string; workflowType: string; paused: boolean; recentRuns: number }> = [];
      for await (const s of ctx.client.schedule.list()) {
        rows.push({
          scheduleId: s.scheduleId,
          workflowType: s.action?.type === 'startWorkflow' ? s.action.workflowType : '',
          paused: s.state.paused,
          recentRuns: s.info.recentActions.length,
        });
      }
      if (opts.json) console.log(JSON.stringify(rows, null, 2));
      else if (rows.length === 0) console.log('no schedules');
      else for (const r of rows) console.log(`${r.scheduleId}  ${r.workflowType}${r.paused ? '  (paused)' : ''}  ${r.recentRuns} recent run(s)`);
    });

  cmd
    .command('delete <schedule-id>')
    .description('delete a schedule (runs it already started go on)')
    .action(async (id: string) => {
      const ctx = await connect();
      try {
        await ctx.client.schedule.getHandle(id).delete();
      } catch (err) {
        if (err instanceof ScheduleNotFoundError) throw new CliError(`No schedule ${id}`, EXIT.usage);
        throw err;
      }
      console.log(`schedule ${id} deleted`);
    });
  return cmd;
}
