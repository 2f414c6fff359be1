import { JSONToPayload, payloadToJSON } from '@temporalio/common/lib/proto-utils';
import { EncryptionCodec } from '../../src/codec/encryption-codec';

/**
 * Replay fixtures are saved with their payloads in plain form: the replay test has no codec key,
 * and a fixture must replay on any machine. Only histories of test data are saved this way.
 */
type Json = unknown;
const ENCRYPTED = Buffer.from('binary/encrypted').toString('base64');
const isPayload = (v: Json): v is { metadata: Record<string, string>; data?: string } =>
  typeof v === 'object' && v !== null && 'metadata' in v && typeof (v as { metadata: unknown }).metadata === 'object';

/** Walks a history in Temporal's JSON form and replaces every encrypted payload by its plain form. */
export async function decryptPayloads(value: Json, codec: EncryptionCodec): Promise<Json> {
  if (Array.isArray(value)) return Promise.all(value.map((v) => decryptPayloads(v, codec)));
  if (typeof value !== 'object' || value === null) return value;
  if (isPayload(value) && value.metadata.encoding === ENCRYPTED) {
    const [plain] = await codec.decode([JSONToPayload(value as Parameters<typeof JSONToPayload>[0])]);
    return payloadToJSON(plain!);
  }
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(value)) out[k] = await decryptPayloads(v, codec);
  return out;
}

export const codecFromKeys = (keys: string): EncryptionCodec => new EncryptionCodec(keys.split(','));
