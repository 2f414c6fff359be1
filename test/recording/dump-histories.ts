import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import globalTeardown from '../global-teardown';
import { codecFromKeys, decryptPayloads } from './decrypt-payloads';

/**
 * A jest globalTeardown for scripts/record-histories.sh: before the stack (and its in-memory
 * Temporal) stops, saves the decrypted history of every run the suites left, finished or still
 * open, to $HUB_RECORD_DIR, one file per run; scripts/pick-histories.ts picks the fixtures from
 * them. It only reads, so it works against the code of any commit the script checks out.
 */
export default async function dumpThenTeardown(): Promise<void> {
  try {
    await dump();
  } finally {
    await globalTeardown();
  }
}

async function dump(): Promise<void> {
  const dir = process.env.HUB_RECORD_DIR;
  const { TEMPORAL_ADDRESS, HUB_CODEC_KEY } = process.env;
  if (!dir || !TEMPORAL_ADDRESS || !HUB_CODEC_KEY) throw new Error('HUB_RECORD_DIR, TEMPORAL_ADDRESS and HUB_CODEC_KEY are needed to save histories');
  mkdirSync(dir, { recursive: true });
  const codec = codecFromKeys(HUB_CODEC_KEY);
  const connection = await Connection.connect({ address: TEMPORAL_ADDRESS });
  try {
    // The codec too: listing decodes each run's memo, which is encrypted like every payload.
    const client = new Client({ connection, dataConverter: { payloadCodecs: [codec] } });
    let n = 0;
    for await (const run of client.workflow.list()) {
      const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      const plain = await decryptPayloads(JSON.parse(historyToJSON(history)), codec);
      const file = `${run.type}--${run.workflowId.replace(/[^A-Za-z0-9-]+/g, '_')}--${run.runId}.json`;
      writeFileSync(join(dir, file), `${JSON.stringify(plain, null, 1)}\n`);
      n++;
    }
    process.stdout.write(`\n[record] saved ${n} histories to ${dir}\n`);
  } finally {
    await connection.close();
  }
}
