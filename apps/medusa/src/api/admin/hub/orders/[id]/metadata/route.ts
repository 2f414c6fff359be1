/**
 * POST /admin/hub/orders/:id/metadata { values: { hub_…: string } }: sets the integration hub's
 * own metadata keys on an order, keeping every other key.
 *
 * Why a route of its own: Medusa's admin order update (and every fulfillment call) refuses an
 * order once it is canceled. But a cancel can come too late: the warehouse has already shipped,
 * and the parcel is on its way. The hub then records that shipment (carrier, tracking number) on
 * the canceled order, so Medusa, the ERP and the warehouse agree that it shipped. The order
 * module itself has no such rule, so this writes through it. Only `hub_` keys, so the hub can
 * never overwrite or erase anyone else's keys; authenticated like every /admin route.
 */
import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError, Modules } from "@medusajs/framework/utils"

const HUB_KEY = /^hub_[a-z0-9_]{1,60}$/

export async function POST(req: AuthenticatedMedusaRequest, res: MedusaResponse): Promise<void> {
  const values = (req.body as { values?: unknown } | undefined)?.values
  if (typeof values !== "object" || values === null || Array.isArray(values)) {
    throw new MedusaError(MedusaError.Types.INVALID_DATA, "body.values must be an object of hub_ keys to strings")
  }
  const entries = Object.entries(values as Record<string, unknown>)
  const bad = entries.filter(([k, v]) => !HUB_KEY.test(k) || typeof v !== "string" || v.length > 1000)
  if (entries.length === 0 || bad.length > 0) {
    throw new MedusaError(
      MedusaError.Types.INVALID_DATA,
      `body.values takes 1 or more hub_ keys (lowercase) with string values of at most 1000 characters; refused: ${bad.map(([k]) => k).join(", ") || "none given"}`
    )
  }
  const orders = req.scope.resolve(Modules.ORDER)
  const order = await orders.retrieveOrder(req.params.id, { select: ["id", "metadata"] })
  const metadata = { ...(order.metadata ?? {}), ...Object.fromEntries(entries) }
  await orders.updateOrders(order.id, { metadata })
  res.json({ order: { id: order.id, metadata } })
}
