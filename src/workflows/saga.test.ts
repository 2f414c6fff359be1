import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { NativeConnection, Worker } from '@temporalio/worker';
import { requireEnv } from '../../test/support/env';
import type { HarnessActivities, HarnessInput } from '../../test/workflows/saga-harness';
import { COMPENSATION_FAILED, ROLLED_BACK, type CompensationReport } from './saga';

const { TEMPORAL_ADDRESS } = requireEnv('TEMPORAL_ADDRESS');
const taskQueue = `saga-test-${randomUUID()}`;

let client: Client;
let worker: Worker;
let running: Promise<void>;
let journal: string[] = [];
let failAt = 0;
let failingUndos: number[] = [];

const activities: HarnessActivities = {
  async doStep(step) {
    if (step === failAt) throw ApplicationFailure.nonRetryable(`step ${step} broke`, 'InjectedFailure');
    journal.push(`do ${step}`);
  },
  async undoStep(step) {
    if (failingUndos.includes(step)) throw ApplicationFailure.nonRetryable(`undo ${step} broke`, 'InjectedUndoFailure');
    journal.push(`undo ${step}`);
  },
  async slowDo(step) {
    journal.push(`start ${step}`);
    // Like the hub's do activities, it does not abort its call on a cancel: it finishes and
    // commits. It waits until the cancel has reached it (a heartbeat's answer for an ordinary
    // activity; the worker itself for a local one), so the cancel certainly came first.
    const context = Context.current();
    const deadline = Date.now() + 20_000;
    while (!context.cancellationSignal.aborted) {
      if (Date.now() > deadline) throw new Error('the cancel never reached the activity');
      context.heartbeat();
      await new Promise((r) => setTimeout(r, 50));
    }
    journal.push(`do ${step}`);
    return `made ${step}`;
  },
  async undoWithOutcome(step, outcome) {
    journal.push(`undo ${step} (${outcome})`);
  },
};

beforeAll(async () => {
  const connection = await Connection.connect({ address: TEMPORAL_ADDRESS });
  client = new Client({ connection });
  worker = await Worker.create({
    connection: await NativeConnection.connect({ address: TEMPORAL_ADDRESS }),
    taskQueue,
    workflowsPath: require.resolve('../../test/workflows/saga-harness'),
    activities,
  });
  running = worker.run();
});

afterAll(async () => {
  worker.shutdown();
  await running;
  await client.connection.close();
});

beforeEach(() => {
  journal = [];
  failAt = 0;
  failingUndos = [];
});

async function run(input: HarnessInput): Promise<{ result?: string; error?: WorkflowFailedError; workflowId: string }> {
  failAt = input.failAt ?? 0;
  failingUndos = input.failingUndos ?? [];
  const workflowId = `saga-${randomUUID()}`;
  try {
    const result = await client.workflow.execute('sagaHarness', { taskQueue, workflowId, args: [input] });
    return { result: result as string, workflowId };
  } catch (error) {
    if (error instanceof WorkflowFailedError) return { error, workflowId };
    throw error;
  }
}

async function compensationMemo(workflowId: string): Promise<CompensationReport | undefined> {
  const description = await client.workflow.getHandle(workflowId).describe();
  return (description.memo as { compensation?: CompensationReport } | undefined)?.compensation;
}

describe('saga compensation stack', () => {
  test('with no failure, nothing is undone', async () => {
    const { result } = await run({ steps: 3 });
    expect(result).toBe('done');
    expect(journal).toEqual(['do 1', 'do 2', 'do 3']);
  });

  test.each([1, 2, 3, 4])('a failure at step %i undoes the earlier steps in reverse', async (k) => {
    const { error, workflowId } = await run({ steps: 4, failAt: k });
    const done = Array.from({ length: k - 1 }, (_, i) => `do ${i + 1}`);
    // Step k's own undo runs too: it was registered before its call, which may have committed.
    const undone = Array.from({ length: k }, (_, i) => `undo ${k - i}`);
    expect(journal).toEqual([...done, ...undone]);
    const failure = error?.cause as ApplicationFailure;
    expect(failure.type).toBe(ROLLED_BACK);
    expect(failure.message).toBe(`step ${k} failed: step ${k} broke. Rolled back: ${undone.map((u) => u.replace('undo', 'step')).join(', ')}`);
    const memo = await compensationMemo(workflowId);
    expect(memo?.outcomes.map((o) => o.status)).toEqual(Array(k).fill('undone'));
  });

  test('a failing undo is surfaced by name, and the rest still unwind', async () => {
    const { error, workflowId } = await run({ steps: 3, failAt: 3, failingUndos: [2] });
    expect(journal).toEqual(['do 1', 'do 2', 'undo 3', 'undo 1']);
    const failure = error?.cause as ApplicationFailure;
    expect(failure.type).toBe(COMPENSATION_FAILED);
    expect(failure.message).toContain('step 2 (undo 2 broke');
    expect(failure.message).toContain('step 3 broke');
    const memo = await compensationMemo(workflowId);
    expect(memo?.outcomes).toEqual([
      { step: 'step 3', status: 'undone' },
      { step: 'step 2', status: 'failed', error: expect.stringContaining('undo 2 broke') },
      { step: 'step 1', status: 'undone' },
    ]);
    // What the Web UI shows as the run's current details.
    const metadata = await client.workflow.getHandle(workflowId).query<{ currentDetails: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain('step 2: **failed** — undo 2 broke');
  });

  test('continueWithError: false stops at the first failed undo and says what was skipped', async () => {
    const { error } = await run({ steps: 3, failAt: 3, failingUndos: [2], continueWithError: false });
    expect(journal).toEqual(['do 1', 'do 2', 'undo 3']);
    expect(error?.cause?.message).toContain('not attempted: step 1');
  });

  test('parallel compensation runs every undo and collects every failure', async () => {
    const { error, workflowId } = await run({ steps: 4, failAt: 4, failingUndos: [1, 3], parallelCompensation: true });
    expect(journal.filter((j) => j.startsWith('undo')).sort()).toEqual(['undo 2', 'undo 4']);
    expect(error?.cause?.message).toMatch(/step 3 \(undo 3 broke.*step 1 \(undo 1 broke|step 1 \(undo 1 broke.*step 3 \(undo 3 broke/);
    const memo = await compensationMemo(workflowId);
    expect(memo?.outcomes.filter((o) => o.status === 'failed').map((o) => o.step).sort()).toEqual(['step 1', 'step 3']);
  });

  test('cancelling a run mid-way still compensates what was done', async () => {
    failAt = 0;
    failingUndos = [];
    const workflowId = `saga-${randomUUID()}`;
    const handle = await client.workflow.start('sagaHarness', { taskQueue, workflowId, args: [{ steps: 4, waitBefore: 3 }] });
    // Wait for the run to reach its wait before step 3, then cancel it.
    await waitFor(() => journal.length === 2);
    await handle.cancel();
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(journal).toEqual(['do 1', 'do 2', 'undo 2', 'undo 1']);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
  });
});

describe('cancelling a run while a do is in flight', () => {
  // The defect: with the SDK's default cancellation type the cancelled do's promise rejected at
  // once, the saga ran the undo (which found nothing), and the do committed afterwards: an orphan.
  test.each([
    ['an ordinary activity', false],
    ['a local activity', true],
  ])('the undo waits for %s to settle, and receives what it made', async (_kind, local) => {
    const workflowId = `saga-${randomUUID()}`;
    const handle = await client.workflow.start('sagaInFlightHarness', { taskQueue, workflowId, args: [{ local }] });
    await waitFor(() => journal.includes('start 1'));
    await handle.cancel();
    const error = await handle.result().catch((e: unknown) => e);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(journal).toEqual(['start 1', 'do 1', 'undo 1 (completed: made 1)']);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect((await compensationMemo(workflowId))?.outcomes).toEqual([{ step: 'step 1', status: 'undone' }]);
  });
});

describe('steps planned before the first runs', () => {
  // A lost workflow task may have run later local-activity steps than this execution reaches;
  // their undos run too, with an unknown outcome, and the message names only what was reached.
  test('a failure at step 2 also checks step 3, which this execution never reached', async () => {
    failAt = 2;
    const workflowId = `saga-${randomUUID()}`;
    const handle = await client.workflow.start('sagaPlannedHarness', { taskQueue, workflowId });
    const error = (await handle.result().catch((e: unknown) => e)) as WorkflowFailedError;
    expect((error.cause as ApplicationFailure).type).toBe(ROLLED_BACK);
    expect(error.cause?.message).toMatch(/^step 2 failed: step 2 broke\. Rolled back: step 2, step 1$/);
    expect(journal).toEqual(['do 1', 'undo 3 (unknown: not reached by this execution)', 'undo 2 (unknown: step 2 broke)', 'undo 1 (completed)']);
    expect((await compensationMemo(workflowId))?.outcomes).toEqual([
      { step: 'step 3', status: 'undone', reached: false },
      { step: 'step 2', status: 'undone' },
      { step: 'step 1', status: 'undone' },
    ]);
  });
});

async function waitFor(predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
