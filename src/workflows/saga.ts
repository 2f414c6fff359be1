import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  setCurrentDetails,
  upsertMemo,
} from '@temporalio/workflow';

/**
 * A compensation stack for workflows. The TypeScript SDK has no saga helper, so this is ours.
 *
 * Rules it enforces, and why:
 * - The undo is registered *before* the step runs. A call that timed out may still have
 *   committed on the other side; only an undo registered up front gets to remove it. Every undo
 *   must therefore tolerate "nothing to undo".
 * - An undo touches only what its step did. `step()` hands the undo the do's settled outcome:
 *   its result when it completed (so it knows whether it created, adopted or updated a record),
 *   or `unknown` when it failed, timed out or was cancelled (it may still have committed; the
 *   undo must then prove the record is this step's, e.g. by the step's idempotency key, or
 *   leave it).
 * - An undo never overtakes its do. On a failure or a cancel, every do still in flight is
 *   awaited until it settles before its undo runs: an undo that ran first would find nothing,
 *   and the do would then commit an orphan. For the await to mean "the call is over", do
 *   activities must be scheduled with `cancellationType: WAIT_CANCELLATION_COMPLETED`
 *   (activity-options.ts, `settleBeforeUndo`); with the SDK's default (TRY_CANCEL) a cancelled
 *   activity's promise rejects at once while the activity still runs in a worker.
 * - Unwinding runs inside a non-cancellable scope, so cancelling a run still compensates.
 * - Undos are activities with their own retry policy (set by the caller's proxyActivities).
 * - A failed undo is never swallowed: the run fails with CompensationFailed naming every undo
 *   that failed, and the report is written to the run's memo and current details (Web UI).
 */
export interface SagaOptions {
  /** Run all undos at once instead of last-in-first-out. For undos that do not depend on each other. */
  parallelCompensation?: boolean;
  /**
   * Sequential mode only: keep unwinding past a failed undo (true, the default), or stop at the
   * first failure and leave the rest for an operator (false, Java's Saga default).
   */
  continueWithError?: boolean;
}

export type CompensationStatus = 'undone' | 'failed' | 'skipped';

export interface CompensationOutcome {
  step: string;
  status: CompensationStatus;
  error?: string;
  /** false: a planned step this execution never reached, checked for an earlier attempt's record. */
  reached?: false;
}

export interface CompensationReport {
  /** What made the run unwind. */
  cause: string;
  /** The last step registered before the failure: the one that failed, or was running. */
  failedStep?: string;
  outcomes: CompensationOutcome[];
}

export const COMPENSATION_FAILED = 'CompensationFailed';

/**
 * What an undo knows about its do. `unknown` covers every case where the do did not return a
 * result (failed, timed out, cancelled): an earlier attempt may have committed with its response
 * lost, so "it failed" never proves "nothing happened".
 */
export type StepOutcome<T> = { status: 'completed'; result: T } | { status: 'unknown'; reason: string };

interface Registered {
  step: string;
  undo: () => Promise<unknown>;
  /** The do's outcome once it settles (never rejects); absent for addCompensation's undos. */
  settled?: Promise<StepOutcome<unknown>>;
  /** For a planned step whose do this execution has not run: settles its outcome as unknown. */
  unreached?: () => void;
}

export class Saga {
  private readonly stack: Registered[] = [];

  constructor(private readonly options: SagaOptions = {}) {}

  /** Registers the undo of `step`. Call it before the step's own activity. */
  addCompensation(step: string, undo: () => Promise<unknown>): void {
    this.stack.push({ step, undo });
  }

  /**
   * Registers `undo`, then runs `run` (the do) and returns its result. On unwinding, the undo
   * waits for the do to settle and receives its outcome, so it can undo exactly what this run
   * did (see StepOutcome).
   */
  step<T>(step: string, run: () => Promise<T>, undo: (outcome: StepOutcome<T>) => Promise<unknown>): Promise<T> {
    return this.plan(step, undo)(run);
  }

  /**
   * Registers the undo of a step that runs later, and returns the function that runs its do
   * (as `step` does). A step this execution never reaches is unwound too, with an unknown
   * outcome, so its undo removes only a record its idempotency key proves is this run's.
   *
   * Why flows plan every step before the first runs: steps that run as local activities execute
   * inside a workflow task, and their results are recorded only when that task completes. If the
   * completion is lost (the server refuses it because a cancel arrived meanwhile, or the worker
   * dies), the next attempt replays from the history without them, and if it now sees a cancel
   * before its first step it unwinds at once: an earlier attempt's records of later steps would
   * be left behind. Planned up front, every step's undo is on the stack whatever this attempt
   * reaches.
   */
  plan<T>(step: string, undo: (outcome: StepOutcome<T>) => Promise<unknown>): (run: () => Promise<T>) => Promise<T> {
    let reportOutcome: (outcome: StepOutcome<T>) => void = () => undefined;
    const settled = new Promise<StepOutcome<T>>((resolve) => (reportOutcome = resolve));
    const registered: Registered = {
      step,
      settled,
      undo: async () => undo(await settled),
      unreached: () => reportOutcome({ status: 'unknown', reason: 'not reached by this execution' }),
    };
    // On the stack before the do is scheduled, like addCompensation's undos.
    this.stack.push(registered);
    return (run) => {
      delete registered.unreached;
      let done: Promise<T>;
      try {
        done = run();
      } catch (err) {
        done = Promise.reject(err);
      }
      done.then(
        (result) => reportOutcome({ status: 'completed', result }),
        (err: unknown) => reportOutcome({ status: 'unknown', reason: describe(err) }),
      );
      return done;
    };
  }

  /** Steps registered so far, oldest first. */
  get steps(): string[] {
    return this.stack.map((r) => r.step);
  }

  /** Unwinds every registered undo and reports what happened to each; it never throws. */
  async compensate(cause: unknown): Promise<CompensationReport> {
    const pending = [...this.stack].reverse();
    this.stack.length = 0;
    const reached = pending.filter((r) => !r.unreached);
    for (const r of pending) r.unreached?.();
    // Every do still in flight settles first, even in parallel mode where undos do not wait
    // for each other: an undo must never run beside its own do.
    await Promise.all(pending.map((r) => r.settled));
    const outcomes = this.options.parallelCompensation
      ? await Promise.all(pending.map((r) => runUndo(r)))
      : await this.unwindInOrder(pending);
    return { cause: describe(cause), failedStep: reached[0]?.step, outcomes };
  }

  private async unwindInOrder(pending: Registered[]): Promise<CompensationOutcome[]> {
    const outcomes: CompensationOutcome[] = [];
    const continueWithError = this.options.continueWithError ?? true;
    for (const registered of pending) {
      const stopped = !continueWithError && outcomes.some((o) => o.status === 'failed');
      outcomes.push(stopped ? { step: registered.step, status: 'skipped' } : await runUndo(registered));
    }
    return outcomes;
  }
}

async function runUndo({ step, undo, unreached }: Registered): Promise<CompensationOutcome> {
  const notReached = unreached ? { reached: false as const } : {};
  try {
    await undo();
    return { step, status: 'undone', ...notReached };
  } catch (err) {
    return { step, status: 'failed', error: describe(err), ...notReached };
  }
}

export const ROLLED_BACK = 'RolledBack';

/**
 * Runs `body` with a fresh saga. On failure (cancellation included) it unwinds, publishes the
 * report, and fails the run with a message an operator can act on: RolledBack (the cause, and
 * what was undone) when every undo worked, CompensationFailed (each failed undo by name)
 * otherwise. The original error stays attached as the cause. A cancelled run whose undos all
 * worked ends as cancelled.
 */
export async function runSaga<T>(options: SagaOptions, body: (saga: Saga) => Promise<T>): Promise<T> {
  const saga = new Saga(options);
  try {
    return await body(saga);
  } catch (err) {
    // nonCancellable: a cancel request must not also cancel the undos it made necessary.
    const report = await CancellationScope.nonCancellable(() => saga.compensate(err));
    publishReport(report);
    const failed = report.outcomes.filter((o) => o.status === 'failed');
    if (failed.length > 0) {
      const skipped = report.outcomes.filter((o) => o.status === 'skipped').map((o) => o.step);
      throw ApplicationFailure.create({
        type: COMPENSATION_FAILED,
        nonRetryable: true,
        message:
          `Compensation failed for ${failed.map((o) => `${o.step} (${o.error})`).join('; ')}` +
          (skipped.length ? `; not attempted: ${skipped.join(', ')}` : '') +
          ` — after: ${report.cause}`,
        details: [report],
        cause: err instanceof Error ? err : undefined,
      });
    }
    if (isCancellation(err)) throw err;
    // Steps this execution never reached were only checked; the message names what it undid.
    const undone = report.outcomes.filter((o) => o.reached !== false).map((o) => o.step);
    throw ApplicationFailure.create({
      type: ROLLED_BACK,
      nonRetryable: true,
      message:
        `${report.failedStep ? `${report.failedStep} failed` : 'Failed'}: ${report.cause}` +
        (undone.length ? `. Rolled back: ${undone.join(', ')}` : '. Nothing needed rolling back'),
      details: [report],
      cause: err instanceof Error ? err : undefined,
    });
  }
}

function publishReport(report: CompensationReport): void {
  upsertMemo({ compensation: report });
  const lines = report.outcomes.map((o) => `- ${o.step}: **${o.status}**${o.reached === false ? ' (not reached; checked for an earlier attempt)' : ''}${o.error ? ` — ${o.error}` : ''}`);
  setCurrentDetails(`### Compensation\nCause: ${report.cause}\n\n${lines.join('\n') || '- nothing to undo'}`);
  if (report.outcomes.some((o) => o.status !== 'undone')) {
    log.error('Compensation incomplete', { outcomes: report.outcomes });
  }
}

/** A one-line reason, unwrapping Temporal's ActivityFailure to the activity's own message. */
function describe(err: unknown): string {
  if (isCancellation(err)) return 'the run was cancelled';
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}
