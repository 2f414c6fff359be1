import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { readManifest, workflowTypes } from '../../test/support/fixture-manifest';
import { historyFacts } from '../../test/support/history-facts';
import { repoRoot } from '../stack/profile';
import { ENTITY_LOCAL_READS_PATCH, ENTITY_SYNCED_MARKER_PATCH } from './products/product-entity';

/**
 * Histories of real runs, recorded from the code before each change (scripts/record-histories.sh,
 * scripts/save-history.ts), replayed against today's workflow code: a change that would break
 * runs already in flight fails here, before a deploy. README "Changing a workflow".
 */
const dir = join(repoRoot, 'test', 'histories');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'manifest.json');
const json = new Map(fixtures.map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown]));
const facts = new Map(fixtures.map((f) => [f, historyFacts(json.get(f))]));
const manifest = readManifest();

test('every fixture is in the manifest, under the workflow type its history started', () => {
  expect(Object.keys(manifest).sort()).toEqual([...fixtures].sort());
  for (const f of fixtures) expect({ f, workflowType: manifest[f]?.workflowType }).toEqual({ f, workflowType: facts.get(f)?.workflowType });
});

test('every workflow type the worker runs (src/workflows/index.ts) has a fixture', () => {
  expect(workflowTypes()).toContain('productEntity');
  const covered = new Set([...facts.values()].map((f) => f.workflowType));
  expect(workflowTypes().filter((type) => !covered.has(type))).toEqual([]);
});

// Runs of all three eras are in flight: before any patch, with the first id, and with the second.
test.each([[[]], [[ENTITY_LOCAL_READS_PATCH]], [[ENTITY_SYNCED_MARKER_PATCH]]])('the entity has a fixture of the runs that recorded the markers %j', (markers) => {
  const entity = [...facts.values()].filter((f) => f.workflowType === 'productEntity');
  expect(entity.map((f) => f.patches)).toContainEqual(markers);
});

describe('replay', () => {
  const errors = new Map<string, unknown>();
  // One worker (and one workflow bundle) for every history: bundling per fixture costs seconds each.
  beforeAll(async () => {
    const histories = fixtures.map((f) => ({ workflowId: f, history: historyFromJSON(json.get(f)) }));
    for await (const r of Worker.runReplayHistories({ workflowsPath: require.resolve('./index') }, histories)) errors.set(r.workflowId, r.error ?? null);
  }, 300_000);

  test.each(fixtures)('%s replays without non-determinism', (file) => {
    expect(errors.get(file)).toBeNull();
  });
});
