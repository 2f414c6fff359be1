import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { repoRoot } from '../../stack/profile';

/**
 * Histories of real runs, saved with scripts/save-history.ts, replayed against today's workflow
 * code: a change that would break runs already in flight fails here, before a deploy.
 */
const dir = join(repoRoot, 'test', 'histories');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json'));

test('there are saved histories to replay', () => {
  expect(fixtures).toEqual(
    expect.arrayContaining([
      // Before and after the forward steps became local activities (both kinds are in flight
      // during a deploy), and the entity after its reads did.
      'product-created-two-variants.json',
      'product-created-wms-refused-rolled-back.json',
      'product-created-local-activities.json',
      'product-entity-renamed-in-medusa.json',
    ]),
  );
});

test.each(fixtures)('%s replays without non-determinism', async (file) => {
  const history = historyFromJSON(JSON.parse(readFileSync(join(dir, file), 'utf8')));
  await expect(
    Worker.runReplayHistory({ workflowsPath: require.resolve('../index'), replayName: file }, history),
  ).resolves.toBeUndefined();
});
