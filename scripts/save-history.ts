/**
 * Saves a run's history as a replay fixture under test/histories/, so later changes to the
 * workflow code are checked against it (src/workflows/replay.test.ts). Payloads are
 * stored decrypted: the fixture must replay on any machine, whatever its codec key. Only save runs
 * of test data, never a production run's history, which holds customer data.
 *
 *   set -a; . .data/dev/stack.env; set +a
 *   temporal workflow show -w <workflowId> --output json > /tmp/history.json
 *   node --import tsx scripts/save-history.ts /tmp/history.json <fixture-name>
 *
 * For fixtures of the code before a change, scripts/record-histories.sh records whole suites.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { z } from 'zod';
import { repoRoot } from '../src/stack/profile';
import { codecFromKeys, decryptPayloads } from '../test/recording/decrypt-payloads';

const env = z.object({ HUB_CODEC_KEY: z.string().min(1) }).parse(process.env);
const [historyFile, name] = z.tuple([z.string().min(1), z.string().regex(/^[a-z0-9-]+$/)]).parse(process.argv.slice(2));

async function main(): Promise<void> {
  const plain = await decryptPayloads(JSON.parse(readFileSync(historyFile, 'utf8')), codecFromKeys(env.HUB_CODEC_KEY));
  historyFromJSON(plain); // refuse to save what the replay test could not load
  const file = join(repoRoot, 'test', 'histories', `${name}.json`);
  writeFileSync(file, `${JSON.stringify(plain, null, 1)}\n`);
  console.log(`saved ${historyFile} as ${file}; add it to test/histories/manifest.json`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
