import type { Payload } from '@temporalio/common';
import express from 'express';
import { z } from 'zod';
import { EncryptionCodec } from './encryption-codec';

/**
 * The remote codec endpoint the Temporal Web UI calls to show encrypted payloads in plain text
 * (the UI sends the ciphertext; only this server holds the key). The UI calls it from the
 * operator's browser, hence CORS, including the x-namespace header the UI adds.
 * It is bound to loopback by default: put it behind your SSO proxy before exposing it.
 */
const jsonPayload = z.object({
  metadata: z.record(z.string(), z.string()).optional(),
  data: z.string().optional(),
});
const bodySchema = z.object({ payloads: z.array(jsonPayload) });

const fromJson = (p: z.infer<typeof jsonPayload>): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: p.data !== undefined ? Buffer.from(p.data, 'base64') : undefined,
});
const toJson = (p: Payload): z.infer<typeof jsonPayload> => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: p.data ? Buffer.from(p.data).toString('base64') : undefined,
});

export function createCodecServer(opts: { keys: string[]; corsOrigins: string[] }): express.Express {
  const codec = new EncryptionCodec(opts.keys);
  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    const origin = req.headers.origin;
    if (origin && opts.corsOrigins.includes(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
      res.setHeader('access-control-allow-headers', 'content-type, x-namespace, authorization');
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('vary', 'origin');
    }
    if (req.method === 'OPTIONS') {
      res.sendStatus(204);
      return;
    }
    next();
  });
  app.use(express.json({ limit: '4mb' }));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  for (const op of ['encode', 'decode'] as const) {
    app.post(`/${op}`, async (req, res) => {
      const body = bodySchema.safeParse(req.body);
      if (!body.success) {
        res.status(400).json({ error: { code: 'invalid_payloads', message: z.prettifyError(body.error) } });
        return;
      }
      try {
        const out = await codec[op](body.data.payloads.map(fromJson));
        res.json({ payloads: out.map(toJson) });
      } catch (err) {
        res.status(422).json({ error: { code: `${op}_failed`, message: err instanceof Error ? err.message : String(err) } });
      }
    });
  }
  return app;
}
