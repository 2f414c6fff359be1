#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { backfillCommand } from './backfill';
import { CliError, EXIT } from './context';
import { reconcileCommand } from './reconcile';
import { scheduleCommand } from './schedule';

/**
 * `hub`: backfill, reconciliation and schedules from the command line. It reads the same
 * environment as the worker (src/config) and starts runs on Temporal; the worker does the work.
 */
const program = new Command('hub')
  .description('Commerce integration hub: backfill and reconcile the catalogue across Medusa, ERP, WMS and CMS')
  .addHelpText(
    'after',
    `
Exit codes:
  0  done
  1  the run failed, ended with failed items, or drift was found with --fail-on-drift
  2  usage or configuration error (bad flag, missing environment variable, unknown id)
  3  Temporal or a system is unreachable`,
  )
  .exitOverride()
  .showHelpAfterError();
program.addCommand(backfillCommand()).addCommand(reconcileCommand()).addCommand(scheduleCommand());
// Every subcommand reports usage errors through exitOverride too, so they end with code 2.
const override = (cmd: Command): void => {
  for (const sub of cmd.commands) {
    sub.exitOverride();
    override(sub);
  }
};
override(program);

program.parseAsync(process.argv).then(
  () => process.exit(process.exitCode ?? EXIT.ok),
  (err: unknown) => {
    if (err instanceof CommanderError) {
      // --help and --version "fail" with code 0; everything else commander rejects is usage.
      process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
    }
    if (err instanceof CliError) {
      console.error(`hub: ${err.message}`);
      process.exit(err.exitCode);
    }
    console.error(`hub: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(EXIT.failed);
  },
);
