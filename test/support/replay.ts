import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { hubDataConverter } from '../../src/temporal/connection';
import { requireEnv } from './env';

/**
 * Replays the histories of finished runs against today's workflow code (with the stack's codec),
 * and returns the ids that replayed cleanly, in order; a non-deterministic change fails here.
 */
export async function replayRuns(client: Client, workflowIds: string[]): Promise<string[]> {
  const { HUB_CODEC_KEY } = requireEnv('HUB_CODEC_KEY');
  const histories = (async function* () {
    for (const workflowId of workflowIds) {
      yield { workflowId, history: await client.workflow.getHandle(workflowId).fetchHistory() };
    }
  })();
  const replayed: string[] = [];
  for await (const result of Worker.runReplayHistories(
    { workflowsPath: require.resolve('../../src/workflows'), dataConverter: hubDataConverter(HUB_CODEC_KEY.split(',')) },
    histories,
  )) {
    if (result.error) throw result.error;
    replayed.push(result.workflowId);
  }
  return replayed;
}

/**
 * The closing test of a suite that collects the ids of the runs it finished: their histories
 * replay against today's code. `atLeast` guards against a suite that quietly collected none.
 */
export function testFinishedRunsReplay(suite: { readonly client: Client }, finishedRuns: string[], atLeast: number): void {
  test('the histories of these runs replay without non-determinism', async () => {
    expect(finishedRuns.length).toBeGreaterThanOrEqual(atLeast);
    expect(await replayRuns(suite.client, finishedRuns)).toEqual(finishedRuns);
  });
}
