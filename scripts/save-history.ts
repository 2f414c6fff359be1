/**
 * Saves a run's history as a replay fixture under test/histories/, so later changes to the
 * workflow code are checked against it (src/workflows/products/replay.test.ts). Payloads are
 * stored decrypted: the fixture must replay on any machine, whatever its codec key. Only save runs
 * of test data, never a production run's history, which holds customer data.
 *
 *   set -a; . .data/dev/stack.env; set +a
 *   temporal workflow show -w <workflowId> --output json > /tmp/history.json
 *   node --import tsx scripts/save-history.ts /tmp/history.json <fixture-name>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON, JSONToPayload, payloadToJSON } from '@temporalio/common/lib/proto-utils';
import { z } from 'zod';
import { EncryptionCodec } from '../src/codec/encryption-codec';
import { repoRoot } from '../src/stack/profile';

const env = z.object({ HUB_CODEC_KEY: z.string().min(1) }).parse(process.env);
const [historyFile, name] = z.tuple([z.string().min(1), z.string().regex(/^[a-z0-9-]+$/)]).parse(process.argv.slice(2));

type Json = unknown;
const isPayload = (v: Json): v is { metadata: Record<string, string>; data?: string } =>
  typeof v === 'object' && v !== null && 'metadata' in v && typeof (v as { metadata: unknown }).metadata === 'object';

/** Walks the JSON history and replaces every encrypted payload by its plain form. */
async function decrypt(value: Json, codec: EncryptionCodec): Promise<Json> {
  if (Array.isArray(value)) return Promise.all(value.map((v) => decrypt(v, codec)));
  if (typeof value !== 'object' || value === null) return value;
  if (isPayload(value) && value.metadata.encoding === Buffer.from('binary/encrypted').toString('base64')) {
    const [plain] = await codec.decode([JSONToPayload(value as Parameters<typeof JSONToPayload>[0])]);
    return payloadToJSON(plain!);
  }
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(value)) out[k] = await decrypt(v, codec);
  return out;
}

async function main(): Promise<void> {
  const plain = await decrypt(JSON.parse(readFileSync(historyFile, 'utf8')), new EncryptionCodec(env.HUB_CODEC_KEY.split(',')));
  historyFromJSON(plain); // refuse to save what the replay test could not load
  const file = join(repoRoot, 'test', 'histories', `${name}.json`);
  writeFileSync(file, `${JSON.stringify(plain, null, 1)}\n`);
  console.log(`saved ${historyFile} as ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
