import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { HUB_ORIGIN_PREFIX } from '../../domain/origin';
import type { Change, ChangePage } from '../ports/common';
import type { ErpChangeFeed, ErpItem } from '../ports/erp';
import type { WmsChangeFeed, WmsFulfillmentOrder, WmsStockLevel } from '../ports/wms';

/**
 * The pull half of the event bridge: reads a page of changes from a system that cannot push them
 * and hands each to the same route the system's webhook would reach (api/rest-events.ts), as the
 * same event type and data. So a change polled from Tryton and one pushed by a REST ERP start and
 * signal exactly the same runs, and the routes stay the one place an event becomes workflow work.
 */
export const CHANGE_FEEDS = ['erp-items', 'wms-shipments', 'wms-stock'] as const;
export type ChangeFeedName = (typeof CHANGE_FEEDS)[number];

/** An event as a webhook would carry it: the route table of `source` picks the route by `type`. */
export interface PolledEvent {
  source: 'erp' | 'wms';
  type: string;
  messageId: string;
  data: unknown;
  envelope: { type: string; id: string; occurred_at: string; data: unknown; sequence: number; origin: string | null };
}

/** What the route made of one event; `ignored` covers echoes, unlinked records and invalid data alike (the reason says which). */
export type DeliveryOutcome = { status: 'started' | 'duplicate' | 'signaled' } | { status: 'ignored'; reason: string };

export interface InboundDeps {
  erp?: ErpChangeFeed;
  wms?: WmsChangeFeed;
  /** Supplied by the worker: validates the data with the route's schema and runs its handler. */
  deliver(event: PolledEvent): Promise<DeliveryOutcome>;
}

export interface PollPageInput {
  feed: ChangeFeedName;
  cursor: string | null;
  limit: number;
}

export interface PollPageResult {
  cursor: string;
  more: boolean;
  delivered: number;
  /** Changes the hub made itself, dropped by the routes as echoes. */
  echoes: number;
  ignored: number;
}

/** The origin a polled change of the hub's own carries: what X-Origin is for a REST system. */
const POLLED_HUB_ORIGIN = `${HUB_ORIGIN_PREFIX}tryton`;

function event(source: PolledEvent['source'], type: string, key: string, sequence: number, occurredAt: string, data: unknown, byHub: boolean): PolledEvent {
  // Record and version name the change, so a page read twice names the same deliveries again.
  const messageId = `poll:${source}:${type}:${key}:${sequence}`;
  return {
    source,
    type,
    messageId,
    data,
    envelope: { type, id: messageId, occurred_at: occurredAt, data, sequence, origin: byHub ? POLLED_HUB_ORIGIN : null },
  };
}

const itemEvent = ({ record: i, byHub }: Change<ErpItem>): PolledEvent =>
  event('erp', 'item.updated', i.id, i.version, i.updated_at, { id: i.id, sku: i.sku, price: i.price, status: i.status, external_ref: i.external_ref }, byHub);

const shipmentEvent = ({ record: fo, byHub }: Change<WmsFulfillmentOrder>): PolledEvent | null => {
  const sequence = Date.parse(fo.updated_at);
  if (fo.status === 'shipped') {
    const data = { id: fo.id, external_ref: fo.external_ref, tracking_number: fo.tracking_number, carrier: fo.carrier };
    return event('wms', 'fulfillment.shipped', fo.id, sequence, fo.shipped_at ?? fo.updated_at, data, byHub);
  }
  if (fo.status === 'canceled') return event('wms', 'fulfillment.canceled', fo.id, sequence, fo.canceled_at ?? fo.updated_at, { id: fo.id }, byHub);
  return null;
};

const stockEvent = ({ record: l, byHub }: Change<WmsStockLevel>): PolledEvent =>
  event('wms', 'stock.changed', JSON.stringify([l.sku, l.warehouse_code]), l.sequence, l.updated_at, { sku: l.sku, warehouse_code: l.warehouse_code, on_hand: l.on_hand, sequence: l.sequence }, byHub);

export function createInboundActivities(deps: InboundDeps) {
  const read = async (input: PollPageInput): Promise<{ page: ChangePage<unknown>; events: Array<PolledEvent | null> }> => {
    switch (input.feed) {
      case 'erp-items': {
        const page = await need(deps.erp, input.feed).itemChangesSince(input.cursor, input.limit);
        return { page, events: page.changes.map(itemEvent) };
      }
      case 'wms-shipments': {
        const page = await need(deps.wms, input.feed).shipmentChangesSince(input.cursor, input.limit);
        return { page, events: page.changes.map(shipmentEvent) };
      }
      case 'wms-stock': {
        const page = await need(deps.wms, input.feed).stockChangesSince(input.cursor, input.limit);
        return { page, events: page.changes.map(stockEvent) };
      }
    }
  };
  return {
    /**
     * One page after the cursor, delivered in order. A delivery that fails fails the activity
     * before the cursor moves, so the retry reads and delivers the same page again.
     */
    async pollChangeFeed(input: PollPageInput): Promise<PollPageResult> {
      const { page, events } = await read(input);
      const result: PollPageResult = { cursor: page.cursor, more: page.more, delivered: 0, echoes: 0, ignored: 0 };
      for (const e of events) {
        if (!e) {
          result.ignored++;
          continue;
        }
        if (e.envelope.origin) result.echoes++;
        const outcome = await deps.deliver(e);
        if (outcome.status !== 'ignored') result.delivered++;
        else if (!e.envelope.origin) {
          result.ignored++;
          log.info('polled change ignored', { feed: input.feed, type: e.type, messageId: e.messageId, reason: outcome.reason });
        }
      }
      return result;
    },
  };
}

export type InboundActivities = ReturnType<typeof createInboundActivities>;

function need<T>(feed: T | undefined, name: ChangeFeedName): T {
  // Pollers are started only for systems whose connector has a feed (workers/pollers.ts); one
  // reaching a worker without it is a deployment mix-up, not something a retry fixes.
  if (!feed) throw ApplicationFailure.nonRetryable(`this worker has no connector with the ${name} change feed; check ERP_CONNECTOR / WMS_CONNECTOR`, 'NoChangeFeed');
  return feed;
}
