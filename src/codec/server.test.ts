import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec';
import { createCodecServer } from './server';

const key = randomBytes(32).toString('base64');
const uiOrigin = 'http://localhost:8233';
let server: Server;
let url: string;

beforeAll(async () => {
  server = createCodecServer({ keys: [key], corsOrigins: [uiOrigin] }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

test('the Web UI can decode what the worker encrypted', async () => {
  const [encrypted] = await new EncryptionCodec([key]).encode([defaultPayloadConverter.toPayload({ email: 'ada@example.com' })]);
  const asJson = {
    metadata: Object.fromEntries(Object.entries(encrypted!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(encrypted!.data!).toString('base64'),
  };
  const res = await fetch(`${url}/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: uiOrigin, 'x-namespace': 'default' },
    body: JSON.stringify({ payloads: [asJson] }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('access-control-allow-origin')).toBe(uiOrigin);
  const { payloads } = (await res.json()) as { payloads: Array<{ data: string }> };
  expect(JSON.parse(Buffer.from(payloads[0]!.data, 'base64').toString())).toEqual({ email: 'ada@example.com' });
});

test('the CORS preflight allows the x-namespace header the UI sends', async () => {
  const res = await fetch(`${url}/decode`, { method: 'OPTIONS', headers: { origin: uiOrigin, 'access-control-request-headers': 'x-namespace' } });
  expect(res.status).toBe(204);
  expect(res.headers.get('access-control-allow-headers')).toContain('x-namespace');
});

test('a malformed body is a 400 that says why', async () => {
  const res = await fetch(`${url}/decode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payloads: 'nope' }) });
  expect(res.status).toBe(400);
  expect(await res.json()).toMatchObject({ error: { code: 'invalid_payloads' } });
});
