import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec, ValueError } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/**
 * AES-256-GCM payload codec. Workflow inputs, results, memos and activity arguments can carry
 * customer data (order addresses, emails), and Temporal stores them in its history; this codec
 * encrypts them before they leave the process, so the server, and anyone who reads its database,
 * sees ciphertext. The Web UI shows plain text only through the codec server (codec/server.ts),
 * which holds the same key. Search attributes are not payloads and are never encrypted: keep PII
 * out of them and out of workflow ids.
 *
 * Several keys may be configured for rotation: the first encrypts, any of them decrypts.
 */
const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface CodecKey {
  id: string;
  key: Buffer;
}

export function parseCodecKeys(base64Keys: string[]): CodecKey[] {
  return base64Keys.map((b64) => {
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32) throw new Error('a payload codec key must be 32 bytes, base64-encoded');
    // The id names the key without revealing it, so a history says which key it needs.
    return { id: createHash('sha256').update(key).digest('hex').slice(0, 12), key };
  });
}

export class EncryptionCodec implements PayloadCodec {
  private readonly keys: CodecKey[];

  constructor(base64Keys: string[]) {
    this.keys = parseCodecKeys(base64Keys);
    if (this.keys.length === 0) throw new Error('EncryptionCodec needs at least one key');
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keys[0]!;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCODING), [KEY_ID]: Buffer.from(id) },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (Buffer.from(payload.metadata?.[METADATA_ENCODING_KEY] ?? []).toString() !== ENCODING) return payload;
      const keyId = Buffer.from(payload.metadata?.[KEY_ID] ?? []).toString();
      const codecKey = this.keys.find((k) => k.id === keyId);
      if (!codecKey) throw new ValueError(`payload was encrypted with key ${keyId}, which this process does not have`);
      const data = Buffer.from(payload.data ?? []);
      const iv = data.subarray(0, IV_BYTES);
      const tag = data.subarray(data.length - TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', codecKey.key, iv);
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
