import { z } from 'zod';
import type { EventRoute } from './routes';

/**
 * The envelope the ERP and WMS send (Standard Webhooks, body as the simulators emit it; a real
 * system's adapter maps its own shape here). `sequence` orders events per entity; `origin` is the
 * X-Origin the hub set on its own write, so the hub can recognise the echo of its own change.
 */
export const saasEnvelopeSchema = z.object({
  type: z.string().min(1),
  id: z.string().min(1),
  occurred_at: z.string(),
  data: z.unknown(),
  sequence: z.number().int().nonnegative(),
  origin: z.string().nullable(),
});
export type SaasEnvelope = z.infer<typeof saasEnvelopeSchema>;

/** ERP events that start or signal workflows. */
export const erpEventRoutes: Record<string, EventRoute> = {};

/** WMS events that start or signal workflows. */
export const wmsEventRoutes: Record<string, EventRoute> = {};
