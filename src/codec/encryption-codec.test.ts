import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec';

describe('payload encryption codec', () => {
  const key = randomBytes(32).toString('base64');
  const payload = defaultPayloadConverter.toPayload({ email: 'ada@example.com', address: '1 Analytical St' });

  test('encrypted payloads do not contain the plain text, and decode back to the original', async () => {
    const codec = new EncryptionCodec([key]);
    const [encoded] = await codec.encode([payload]);
    expect(Buffer.from(encoded!.data!).toString('latin1')).not.toContain('ada@example.com');
    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ email: 'ada@example.com', address: '1 Analytical St' });
  });

  test('after a key rotation, payloads written with the old key still decode', async () => {
    const [oldEncoded] = await new EncryptionCodec([key]).encode([payload]);
    const rotated = new EncryptionCodec([randomBytes(32).toString('base64'), key]);
    const [decoded] = await rotated.decode([oldEncoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ email: 'ada@example.com', address: '1 Analytical St' });
  });

  test('a payload encrypted with an unknown key is refused with the key id', async () => {
    const [encoded] = await new EncryptionCodec([key]).encode([payload]);
    await expect(new EncryptionCodec([randomBytes(32).toString('base64')]).decode([encoded!])).rejects.toThrow(/encrypted with key [0-9a-f]{12}/);
  });
});
