import type { Client } from '@temporalio/client';
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import { z } from 'zod';
import type { BridgeConfig } from '../config';
import { cmsEventRoutes, strapiEnvelopeSchema, strapiMessageId } from './cms-events';
import { medusaEnvelopeSchema, medusaEventRoutes } from './medusa-events';
import type { EventRoute } from './routes';
import { erpEventRoutes, saasEnvelopeSchema, wmsEventRoutes } from './rest-events';
import { deliveryIdSchema, findPrototypeKey } from './ids';
import { sharedSecretVerifier, standardWebhooksVerifier, type Verifier } from './verify';

/** Large enough for any event envelope (Medusa sends ids only), small enough to refuse abuse. */
export const BODY_LIMIT_BYTES = 256 * 1024;

interface Source {
  verify: Verifier;
  envelope: z.ZodType<{ type: string; data: unknown }>;
  routes: Record<string, EventRoute>;
}

type ErrorCode =
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'missing_signature'
  | 'stale_timestamp'
  | 'bad_signature'
  | 'malformed_json'
  | 'forbidden_key'
  | 'invalid_delivery_id'
  | 'invalid_event'
  | 'unknown_event_type'
  | 'unknown_source'
  | 'temporal_unavailable';

function sendError(res: Response, status: number, code: ErrorCode, message: string, details?: unknown): void {
  res.status(status).json({ error: { code, message, ...(details !== undefined ? { details } : {}) } });
}

/**
 * Each source has its verifier, its envelope and its route table (medusa-events.ts,
 * rest-events.ts, cms-events.ts). A source without a configured secret is not exposed at all.
 */
function configuredSources(config: BridgeConfig): Record<string, Source> {
  const sources: Record<string, Source> = {
    medusa: { verify: standardWebhooksVerifier(config.WEBHOOK_SECRETS_MEDUSA), envelope: medusaEnvelopeSchema, routes: medusaEventRoutes },
  };
  if (config.WEBHOOK_SECRETS_ERP) sources.erp = { verify: standardWebhooksVerifier(config.WEBHOOK_SECRETS_ERP), envelope: saasEnvelopeSchema, routes: erpEventRoutes };
  if (config.WEBHOOK_SECRETS_WMS) sources.wms = { verify: standardWebhooksVerifier(config.WEBHOOK_SECRETS_WMS), envelope: saasEnvelopeSchema, routes: wmsEventRoutes };
  if (config.CMS_WEBHOOK_SECRET) {
    sources.cms = { verify: sharedSecretVerifier('x-hub-webhook-secret', config.CMS_WEBHOOK_SECRET, strapiMessageId), envelope: strapiEnvelopeSchema, routes: cmsEventRoutes };
  }
  return sources;
}

function safeJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

export function createBridgeApp(client: Client, config: BridgeConfig): express.Express {
  const sources = configuredSources(config);
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    try {
      await client.connection.withDeadline(Date.now() + 2_000, () => client.workflowService.getSystemInfo({}));
      res.json({ status: 'ready', temporal: 'reachable' });
    } catch (err) {
      sendError(res, 503, 'temporal_unavailable', `Temporal is not reachable: ${err instanceof Error ? err.message : String(err)}`);
    }
  });

  app.post(
    '/webhooks/:source',
    (req, res, next) => {
      if (!sources[req.params.source ?? '']) {
        sendError(res, 404, 'unknown_source', `no webhook source "${req.params.source}" is configured; known: ${Object.keys(sources).join(', ')}`);
        return;
      }
      if (!req.is('application/json')) {
        sendError(res, 415, 'unsupported_media_type', 'content-type must be application/json');
        return;
      }
      next();
    },
    // Raw bytes, not parsed JSON: the signature covers the exact body as sent.
    express.raw({ type: () => true, limit: BODY_LIMIT_BYTES }),
    (req, res, next) => {
      handleWebhook(client, sources[req.params.source!]!, req, res).catch(next);
    },
  );

  const onError: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
    const type = (err as { type?: unknown }).type;
    if (type === 'entity.too.large') {
      sendError(res, 413, 'payload_too_large', `the body exceeds ${BODY_LIMIT_BYTES} bytes`);
      return;
    }
    // Temporal down or slow: 503 tells the sender to retry later, which Standard Webhooks senders do.
    sendError(res, 503, 'temporal_unavailable', err instanceof Error ? err.message : String(err));
  };
  app.use(onError);
  return app;
}

async function handleWebhook(client: Client, source: Source, req: Request, res: Response): Promise<void> {
  const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const verified = source.verify(raw, req.headers);
  if (!verified.ok) {
    sendError(res, 401, verified.code, verified.message);
    return;
  }
  const json = safeJson(raw);
  if (json === undefined) {
    sendError(res, 400, 'malformed_json', 'the body is not valid JSON');
    return;
  }
  // Refused before any schema sees the body: a schema that strips or spreads unknown keys would
  // otherwise let one through to code that merges objects.
  const prototypeKey = findPrototypeKey(json);
  if (prototypeKey !== undefined) {
    sendError(res, 400, 'forbidden_key', `the body uses the key "${prototypeKey}": the keys __proto__, constructor and prototype are refused anywhere in a body`);
    return;
  }
  const deliveryId = deliveryIdSchema.safeParse(verified.messageId);
  if (!deliveryId.success) {
    sendError(res, 422, 'invalid_delivery_id', `the delivery id is invalid: ${deliveryId.error.issues.map((i) => i.message).join('; ')}`);
    return;
  }
  const envelope = source.envelope.safeParse(json);
  if (!envelope.success) {
    sendError(res, 422, 'invalid_event', 'the event envelope is invalid', z.treeifyError(envelope.error));
    return;
  }
  const { type, data } = envelope.data;
  const route = source.routes[type];
  if (!route) {
    sendError(res, 422, 'unknown_event_type', `event type "${type}" is not handled; known: ${Object.keys(source.routes).join(', ') || 'none yet'}`);
    return;
  }
  const parsedData = route.data.safeParse(data);
  if (!parsedData.success) {
    sendError(res, 422, 'invalid_event', `the data of "${type}" is invalid`, z.treeifyError(parsedData.error));
    return;
  }
  const outcome = await route.handle(parsedData.data, { client, messageId: verified.messageId, envelope: envelope.data as Record<string, unknown> });
  if (outcome.status === 'ignored') {
    res.status(200).json({ status: 'ignored', type, reason: outcome.reason });
    return;
  }
  // 202: work was started or handed to a run; 200: it had been already (a duplicate delivery).
  res.status(outcome.status === 'duplicate' ? 200 : 202).json(outcome);
}
