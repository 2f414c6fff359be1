import { proxyActivities, proxyLocalActivities, sleep } from '@temporalio/workflow';
import { settleBeforeUndo } from '../../src/workflows/activity-options';
import { runSaga, type SagaOptions } from '../../src/workflows/saga';

/** Activities of the harness: they record what ran, in order, in the test process. */
export interface HarnessActivities {
  doStep(step: number): Promise<void>;
  undoStep(step: number): Promise<void>;
  /** A do that is still in flight when the run is cancelled: it finishes (and commits) after the cancel reaches it. */
  slowDo(step: number): Promise<string>;
  /** An undo that records which outcome of its do it was given. */
  undoWithOutcome(step: number, outcome: string): Promise<void>;
}

export interface HarnessInput extends SagaOptions {
  steps: number;
  /** The step whose action fails (non-retryably). */
  failAt?: number;
  /** Steps whose undo fails (non-retryably). */
  failingUndos?: number[];
  /** Before this step, wait until the run is cancelled. */
  waitBefore?: number;
}

const { doStep } = proxyActivities<HarnessActivities>({ startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 1 } });
const { undoStep } = proxyActivities<HarnessActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3, initialInterval: '50 milliseconds' },
});

/** Runs `steps` steps under a saga, each registering its undo before it runs. */
export async function sagaHarness(input: HarnessInput): Promise<string> {
  return runSaga(input, async (saga) => {
    for (let step = 1; step <= input.steps; step++) {
      if (input.waitBefore === step) await sleep('1 day');
      saga.addCompensation(`step ${step}`, () => undoStep(step));
      await doStep(step);
    }
    return 'done';
  });
}

const { undoWithOutcome } = proxyActivities<HarnessActivities>({ startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 3, initialInterval: '50 milliseconds' } });
const inFlightOptions = { startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 1 } } as const;
const remoteSlow = proxyActivities<HarnessActivities>(settleBeforeUndo({ ...inFlightOptions, heartbeatTimeout: '2 seconds' }));
const localSlow = proxyLocalActivities<HarnessActivities>(settleBeforeUndo(inFlightOptions));

/** One step whose do is in flight when the run is cancelled; afterwards the run would wait a day. */
export async function sagaInFlightHarness(input: { local: boolean }): Promise<string> {
  return runSaga({}, async (saga) => {
    const { slowDo } = input.local ? localSlow : remoteSlow;
    await saga.step(
      'step 1',
      () => slowDo(1),
      (outcome) => undoWithOutcome(1, outcome.status === 'completed' ? `completed: ${outcome.result}` : 'unknown'),
    );
    await sleep('1 day');
    return 'done';
  });
}

/**
 * Three steps planned before the first runs (Saga.plan); when one's do fails (the test's doStep
 * decides which), the steps after it are never reached and are unwound with an unknown outcome.
 */
export async function sagaPlannedHarness(): Promise<string> {
  return runSaga({}, async (saga) => {
    const runs = [1, 2, 3].map((step) =>
      saga.plan<void>(`step ${step}`, (outcome) => undoWithOutcome(step, outcome.status === 'completed' ? 'completed' : `unknown: ${outcome.reason}`)),
    );
    for (const [i, runStep] of runs.entries()) await runStep(() => doStep(i + 1));
    return 'done';
  });
}
