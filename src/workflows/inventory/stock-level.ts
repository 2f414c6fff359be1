import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { MedusaProductChangeActivities } from '../../activities/medusa/product-changes';
import type { WmsStockActivities } from '../../activities/wms/stock';
import { TASK_QUEUES } from '../task-queues';

/**
 * The WMS's stock level of one SKU at one warehouse → the Medusa inventory level at the stock
 * location mapped to that warehouse. One run per SKU + warehouse (signal-with-start), because
 * the WMS numbers each level's changes (`sequence`) and only the highest number is the truth:
 * deliveries arrive out of order and some twice, so the run keeps the highest sequence seen and
 * writes only that level, once per burst.
 */
export const STOCK_LEVEL_FLOW = 'stock-level';

/** JSON keeps any character of a SKU or warehouse code from colliding with the separator. */
export const stockLevelWorkflowId = (sku: string, warehouseCode: string): string => `stock/${JSON.stringify([sku, warehouseCode])}`;

export interface StockChange {
  messageId: string;
  sku: string;
  warehouseCode: string;
  onHand: number;
  sequence: number;
}

export const stockChangeSignal = defineSignal<[StockChange]>('stockChange');

export interface StockLevelState {
  /** Highest WMS sequence received, and its level. */
  latest: { sequence: number; onHand: number } | null;
  /** Highest sequence written to Medusa. */
  appliedSequence: number;
  writes: number;
  received: number;
  stale: number;
  continuedAsNew: number;
}

export interface StockLevelInput {
  sku: string;
  warehouseCode: string;
  state?: StockLevelState;
  debounceMs?: number;
  idleTimeoutMs?: number;
  maxHistoryEvents?: number;
}

export const stockLevelQuery = defineQuery<StockLevelState>('stockLevel');

const options = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;
const medusa = proxyActivities<MedusaProductChangeActivities>({ ...options, taskQueue: TASK_QUEUES.medusa });
const wms = proxyActivities<WmsStockActivities>({ ...options, taskQueue: TASK_QUEUES.wms });

export async function stockLevel(input: StockLevelInput): Promise<StockLevelState> {
  const state: StockLevelState = input.state ?? { latest: null, appliedSequence: 0, writes: 0, received: 0, stale: 0, continuedAsNew: 0 };
  setHandler(stockChangeSignal, (c) => {
    state.received++;
    // A re-delivery has the same sequence, an overtaken one a lower one: neither is news. No
    // delivery-id bookkeeping needed, the sequence says it all.
    if (state.latest && c.sequence <= state.latest.sequence) {
      state.stale++;
      return;
    }
    state.latest = { sequence: c.sequence, onHand: c.onHand };
  });
  setHandler(stockLevelQuery, () => state);
  const behind = (): boolean => state.latest !== null && state.latest.sequence > state.appliedSequence;

  if (!input.state) {
    // A fresh run knows no sequence yet, so a delivery delayed past the previous run's end
    // could carry an old level. The WMS's current level (and its sequence) is the floor: the
    // run writes at least that, and anything older is stale.
    const current = await wms.wmsGetStockLevel({ sku: input.sku, warehouseCode: input.warehouseCode });
    if (current && (!state.latest || current.sequence > state.latest.sequence)) state.latest = current;
  }

  for (;;) {
    setCurrentDetails(`${input.sku} @ ${input.warehouseCode}: Medusa at WMS sequence ${state.appliedSequence}`);
    if (!(await condition(behind, input.idleTimeoutMs ?? 10 * 60_000))) return state;
    await sleep(input.debounceMs ?? 500);
    const target = state.latest;
    if (!target) continue;
    await medusa.medusaSetStockLevel({ sku: input.sku, warehouseCode: input.warehouseCode, onHand: target.onHand });
    state.appliedSequence = target.sequence;
    state.writes++;

    const { historyLength, continueAsNewSuggested } = workflowInfo();
    if (continueAsNewSuggested || historyLength > (input.maxHistoryEvents ?? 5_000)) {
      await condition(allHandlersFinished);
      state.continuedAsNew++;
      await continueAsNew<typeof stockLevel>({ ...input, state });
    }
  }
}
