import type { Client } from '@temporalio/client';
import type { z } from 'zod';

/**
 * How one event type becomes workflow work. Each source (Medusa, ERP, WMS, CMS) has a table of
 * these in its own file; the bridge verifies, parses the envelope, validates `data` with the
 * route's schema, then calls `handle`.
 */
export interface EventContext {
  client: Client;
  /** The delivery's id (webhook-id): the key to deduplicate signals on. */
  messageId: string;
  /** The envelope as the source sent it (for sequence numbers, origin tags, timestamps). */
  envelope: Record<string, unknown>;
}

export type EventOutcome =
  | { status: 'started' | 'duplicate' | 'signaled'; workflowId: string; runId?: string }
  | { status: 'ignored'; reason: string };

export interface EventRoute<D = unknown> {
  data: z.ZodType<D>;
  handle(data: D, ctx: EventContext): Promise<EventOutcome>;
  /** Set by ignore(): the type is acknowledged, but no flow consumes it. */
  ignored?: true;
}

/** Keeps each route's data type tied to its schema inside a table of routes. */
export const route = <D>(r: EventRoute<D>): EventRoute => r as unknown as EventRoute;

/**
 * Acknowledged (so the sender does not retry) and reported as ignored, never silently dropped:
 * the response says so, and reconciliation catches any drift.
 */
export const ignore = (data: z.ZodType, reason: string): EventRoute => ({
  data,
  handle: async () => ({ status: 'ignored', reason }),
  ignored: true,
});

/**
 * The event types a flow consumes: what a sender should be subscribed to. Ignored types keep
 * their routes, so a system that sends everything gets a clear answer, but need not be sent.
 */
export const consumedEventTypes = (routes: Record<string, EventRoute>): string[] =>
  Object.entries(routes)
    .filter(([, r]) => !r.ignored)
    .map(([type]) => type);

/**
 * Runs an event that did not come over HTTP (a change a poller read) through its route, with the
 * same data validation the bridge applies. Invalid data is reported as ignored with the reason,
 * not thrown: it will not become valid on a retry, and the poller must move past it.
 */
export async function deliverEvent(
  routes: Record<string, EventRoute>,
  client: Client,
  event: { type: string; messageId: string; data: unknown; envelope: Record<string, unknown> },
): Promise<EventOutcome> {
  const r = routes[event.type];
  if (!r) return { status: 'ignored', reason: `no route for event type "${event.type}"` };
  const data = r.data.safeParse(event.data);
  if (!data.success) return { status: 'ignored', reason: `the data of "${event.type}" is invalid: ${data.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
  return r.handle(data.data, { client, messageId: event.messageId, envelope: event.envelope });
}
