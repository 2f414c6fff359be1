import { proxyActivities, sleep } from '@temporalio/workflow';
import { runSaga, type SagaOptions } from '../../src/workflows/saga';

/** Activities of the harness: they record what ran, in order, in the test process. */
export interface HarnessActivities {
  doStep(step: number): Promise<void>;
  undoStep(step: number): Promise<void>;
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
