import { ApplicationFailure } from '@temporalio/common';
import type { ErpPort } from '../ports/erp';
import { toMinorUnits } from '../../domain/money';

export interface ErpCreateSalesOrderInput {
  idempotencyKey: string;
  /** The Medusa order id: the ERP keeps external_ref unique, so it finds the order again. */
  externalRef: string;
  currencyCode: string;
  /** Unit prices in Medusa's major units; the ERP stores minor units. */
  lines: Array<{ sku: string; quantity: number; unitPrice: number }>;
}

/** What a status change did: `refused` carries the ERP's reason (e.g. a shipped order cannot be canceled). */
export type ErpStatusChange = { outcome: 'changed' | 'unchanged' | 'absent' } | { outcome: 'refused'; reason: string };

/**
 * ERP order activities. The sales order is keyed by the Medusa order id (external_ref), so every
 * call can find it again after a lost response, and a cancel that finds nothing has nothing to do.
 */
export function createErpOrderActivities(client: ErpPort) {
  return {
    /** Creates the sales order; a 409 for our own external_ref (an earlier attempt committed) is success. */
    async erpCreateSalesOrder(input: ErpCreateSalesOrderInput): Promise<{ salesOrderId: string }> {
      const created = await client.createSalesOrder(
        {
          external_ref: input.externalRef,
          currency_code: input.currencyCode,
          lines: input.lines.map((l) => ({
            sku: l.sku,
            quantity: l.quantity,
            unit_price: toMinorUnits({ amount: l.unitPrice, currency_code: input.currencyCode }).amount,
          })),
        },
        { idempotencyKey: input.idempotencyKey },
      );
      if (created.outcome === 'created') return { salesOrderId: created.record.id };
      const existing = await client.findSalesOrderByExternalRef(input.externalRef);
      if (!existing) {
        // A conflict on a record we cannot see: retry, the ERP's index may lag its write.
        throw ApplicationFailure.retryable(`ERP refused the sales order for ${input.externalRef} (${created.message}) but lists none`, 'ErpSalesOrderRace');
      }
      if (existing.status === 'canceled') {
        // Left by an earlier, rolled-back run of this order: the ERP keeps external_ref unique and
        // a canceled order never reopens, so this run cannot book the order on it.
        throw ApplicationFailure.nonRetryable(
          `ERP sales order ${existing.id} for ${input.externalRef} is canceled and cannot be reopened; an operator must book this order by hand`,
          'ErpSalesOrderCanceled',
        );
      }
      return { salesOrderId: existing.id };
    },

    /**
     * Moves the order's sales order to `status`. Used for "shipped", for a business cancel and as
     * the saga's undo of erpCreateSalesOrder (an ERP keeps canceled orders for its books, so the
     * undo cancels rather than deletes). No sales order is "absent", not an error.
     */
    async erpSetSalesOrderStatus(input: { idempotencyKey: string; externalRef: string; status: 'shipped' | 'canceled' }): Promise<ErpStatusChange> {
      const order = await client.findSalesOrderByExternalRef(input.externalRef);
      if (!order) return { outcome: 'absent' };
      if (order.status === input.status) return { outcome: 'unchanged' };
      if (order.status !== 'open') {
        return { outcome: 'refused', reason: `ERP sales order ${order.id} is ${order.status}; it cannot become ${input.status}` };
      }
      await client.updateSalesOrderStatus(order.id, input.status, { idempotencyKey: input.idempotencyKey });
      return { outcome: 'changed' };
    },
  };
}

export type ErpOrderActivities = ReturnType<typeof createErpOrderActivities>;
