/**
 * Forwards Medusa's commerce events to the integration hub as Standard Webhooks
 * (https://www.standardwebhooks.com): POST HUB_WEBHOOK_URL, signed with HUB_WEBHOOK_SECRET
 * (`whsec_<base64>`).
 *
 * Self-contained on purpose: it needs only node:crypto and Medusa's own framework types, so it can
 * be copied into any Medusa v2 app's src/subscribers/ as it is.
 *
 * Design, in short:
 * - Hand off, don't work. The hub does the real work durably; this only delivers the event. It
 *   waits for the first attempt at most HANDOFF_WAIT_MS, then lets delivery finish in the
 *   background, so a slow hub never slows Medusa's event processing.
 * - Bounded everything: requests in flight, attempts per event, events waiting. When the hub is
 *   down for long, events are dropped with an error in the log; the hub's scheduled
 *   reconciliation catches what was missed (Medusa's local event bus loses events on a crash
 *   anyway, so reconciliation is needed regardless).
 * - A webhook-id that is a function of the event, so a re-delivered or re-emitted event is
 *   recognised and dropped by the receiver.
 * - Echoes stay home. The hub keeps a marker of what it last synced from each product in the
 *   product's metadata (`hub_synced`: title, handle and SKUs). A product.updated that leaves
 *   all of those as the marker says (the hub's own metadata write-back, say, one per created
 *   product) has nothing for the hub, so it is not sent. Checking costs one batched read by id;
 *   no marker, or any doubt, and the event is sent.
 */
import { createHash, createHmac } from "node:crypto"
import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { Modules } from "@medusajs/framework/utils"

/** One attempt's limit: the hub's bridge only records the event, so this is generous. */
const ATTEMPT_TIMEOUT_MS = 5_000
/** How long the subscriber itself waits for the first attempt before returning. */
const HANDOFF_WAIT_MS = 1_000
/** Pauses before the 2nd, 3rd, ... attempts (plus jitter); about 1.5 minutes in total. */
const RETRY_DELAYS_MS = [1_000, 5_000, 20_000, 60_000]
/** Requests in flight at once, so a burst (a 1 000-product import) doesn't open 1 000 sockets. */
const MAX_IN_FLIGHT = 8
/** Events queued or waiting for a retry; beyond this we drop rather than grow without bound. */
const MAX_PENDING = 5_000

type Logger = { info(msg: string): void; warn(msg: string): void; error(msg: string): void }

type Delivery = {
  id: string
  body: string
  type: string
  attempt: number
}

let pending = 0
let inFlight = 0
const queue: Array<{ delivery: Delivery; done: (ok: boolean) => void }> = []
let warnedUnconfigured = false

export default async function hubForwarder({ event, container }: SubscriberArgs<unknown>): Promise<void> {
  const logger = container.resolve<Logger>("logger")
  const target = readTarget(logger)
  if (!target) return

  if (event.name === "product.updated" && (await isEcho(container, event.data))) return

  if (pending >= MAX_PENDING) {
    logger.error(`hub-forwarder: ${pending} events already pending, dropping ${event.name}; reconciliation will pick it up`)
    return
  }
  const body = JSON.stringify({ type: event.name, data: event.data, metadata: event.metadata ?? {} })
  const delivery: Delivery = { id: webhookId(event.name, event.data, event.metadata), body, type: event.name, attempt: 0 }
  pending++
  const firstAttempt = new Promise<boolean>((resolve) => enqueue(delivery, target, logger, resolve))
  // Wait a little so the usual case (hub answers in milliseconds) completes inside the
  // subscriber, but never longer: Medusa must not feel the hub's latency.
  let timer: NodeJS.Timeout | undefined
  await Promise.race([firstAttempt, new Promise<void>((r) => (timer = setTimeout(r, HANDOFF_WAIT_MS)))])
  clearTimeout(timer)
}

/** Every event this subscriber can forward. */
const FORWARDABLE_EVENTS = [
  "product.created",
  "product.updated",
  "product.deleted",
  "order.placed",
  "order.canceled",
  "inventory-level.created",
  "inventory-level.updated",
  "inventory-item.created",
  "inventory-item.updated",
]

/**
 * HUB_FORWARD_EVENTS (comma-separated) narrows the list to what the hub consumes: a burst of new
 * products otherwise also sends an inventory-item.created each that nobody reads. Read once, at
 * load; a name this file does not know fails the subscriber's loading, naming the known ones.
 */
function forwardedEvents(): string[] {
  const wanted = (process.env.HUB_FORWARD_EVENTS ?? "").split(",").map((e) => e.trim()).filter(Boolean)
  if (wanted.length === 0) return FORWARDABLE_EVENTS
  const unknown = wanted.filter((e) => !FORWARDABLE_EVENTS.includes(e))
  if (unknown.length > 0) {
    throw new Error(`hub-forwarder: HUB_FORWARD_EVENTS names events it cannot forward: ${unknown.join(", ")} (known: ${FORWARDABLE_EVENTS.join(", ")})`)
  }
  return wanted
}

export const config: SubscriberConfig = {
  event: forwardedEvents(),
  context: { subscriberId: "hub-forwarder" },
}

type Target = { url: string; key: Buffer }

/** The metadata key and format of the hub's marker (the hub's src/workflows/products/synced-marker.ts). */
const SYNCED_MARKER_KEY = "hub_synced"
function syncedMarker(p: { title: string; handle: string; skus: string[] }): string {
  return JSON.stringify({ title: p.title, handle: p.handle, skus: [...p.skus].sort() })
}

type MarkedProduct = { id: string; title: string; handle: string; metadata?: Record<string, unknown> | null; variants?: Array<{ sku?: string | null }> | null }
type ProductReader = { listProducts(filters: { id: string[] }, config: { select: string[]; relations: string[]; take: number }): Promise<MarkedProduct[]> }

/** True when the product still matches the hub's marker, so this update has nothing for the hub. */
async function isEcho(container: SubscriberArgs<unknown>["container"], data: unknown): Promise<boolean> {
  const id = (data as { id?: unknown } | null)?.id
  if (typeof id !== "string") return false
  try {
    const product = await readProduct(container, id)
    const marker = product?.metadata?.[SYNCED_MARKER_KEY]
    if (!product || typeof marker !== "string") return false
    const skus = (product.variants ?? []).map((v) => v.sku).filter((sku): sku is string => Boolean(sku))
    return marker === syncedMarker({ title: product.title, handle: product.handle, skus })
  } catch {
    return false
  }
}

/** Reads asked for within a few milliseconds share one query: a bulk update brings hundreds. */
const ECHO_READ_WAIT_MS = 20
let echoReads: Array<{ id: string; done: (p: MarkedProduct | undefined) => void; fail: (err: unknown) => void }> = []

function readProduct(container: SubscriberArgs<unknown>["container"], id: string): Promise<MarkedProduct | undefined> {
  return new Promise((done, fail) => {
    echoReads.push({ id, done, fail })
    if (echoReads.length > 1) return
    setTimeout(() => {
      const batch = echoReads
      echoReads = []
      const ids = [...new Set(batch.map((r) => r.id))]
      container
        .resolve<ProductReader>(Modules.PRODUCT)
        .listProducts({ id: ids }, { select: ["id", "title", "handle", "metadata", "variants.sku"], relations: ["variants"], take: ids.length })
        .then((products) => {
          const byId = new Map(products.map((p) => [p.id, p]))
          for (const r of batch) r.done(byId.get(r.id))
        })
        .catch((err: unknown) => batch.forEach((r) => r.fail(err)))
    }, ECHO_READ_WAIT_MS)
  })
}

function readTarget(logger: Logger): Target | undefined {
  const url = process.env.HUB_WEBHOOK_URL
  const secret = process.env.HUB_WEBHOOK_SECRET
  if (!url || !secret) {
    if (!warnedUnconfigured) {
      warnedUnconfigured = true
      logger.info(`hub-forwarder: ${url ? "HUB_WEBHOOK_SECRET" : "HUB_WEBHOOK_URL"} is not set, events are not forwarded`)
    }
    return undefined
  }
  // Standard Webhooks secrets are base64 with a whsec_ prefix; the HMAC key is the decoded bytes.
  return { url, key: Buffer.from(secret.startsWith("whsec_") ? secret.slice(6) : secret, "base64") }
}

/**
 * Deterministic per event. Creations, deletions, placements and cancellations happen once per
 * entity, so name + data identify them, and any re-emission of one collapses into one message.
 * Updates recur for the same id, so the emission time joins the hash; an event re-delivered as
 * the same message keeps its created_at and still deduplicates.
 */
function webhookId(name: string, data: unknown, metadata: Record<string, unknown> | undefined): string {
  const hash = createHash("sha256").update(name).update("\n").update(JSON.stringify(data ?? null))
  if (name.endsWith(".updated")) {
    const at = metadata?.created_at
    hash.update("\n").update(at instanceof Date ? at.toISOString() : String(at ?? metadata?.eventGroupId ?? ""))
  }
  return `msg_${hash.digest("base64url").slice(0, 32)}`
}

function enqueue(delivery: Delivery, target: Target, logger: Logger, done: (ok: boolean) => void): void {
  queue.push({ delivery, done })
  pump(target, logger)
}

function pump(target: Target, logger: Logger): void {
  while (inFlight < MAX_IN_FLIGHT && queue.length > 0) {
    const { delivery, done } = queue.shift()!
    inFlight++
    void attempt(delivery, target, logger)
      .then((outcome) => {
        inFlight--
        done(outcome === "delivered")
        settle(delivery, outcome, target, logger)
        pump(target, logger)
      })
  }
}

type Outcome = "delivered" | "retry" | "rejected"

async function attempt(delivery: Delivery, target: Target, logger: Logger): Promise<Outcome> {
  delivery.attempt++
  // A fresh timestamp per attempt: receivers reject signatures older than a few minutes, and a
  // retry a minute later must still verify. The id stays, so the receiver still deduplicates.
  const timestamp = Math.floor(Date.now() / 1000).toString()
  const signature = createHmac("sha256", target.key)
    .update(`${delivery.id}.${timestamp}.${delivery.body}`)
    .digest("base64")
  try {
    const res = await fetch(target.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "webhook-id": delivery.id,
        "webhook-timestamp": timestamp,
        "webhook-signature": `v1,${signature}`,
      },
      body: delivery.body,
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    })
    await res.arrayBuffer().catch(() => undefined)
    if (res.ok) return "delivered"
    // 408/429/5xx may pass; any other 4xx (bad signature, unknown event) will fail every time.
    const retryable = res.status === 408 || res.status === 429 || res.status >= 500
    logger.warn(`hub-forwarder: ${delivery.type} ${delivery.id} attempt ${delivery.attempt} answered ${res.status}`)
    return retryable ? "retry" : "rejected"
  } catch (err) {
    logger.warn(`hub-forwarder: ${delivery.type} ${delivery.id} attempt ${delivery.attempt} failed: ${err instanceof Error ? err.message : String(err)}`)
    return "retry"
  }
}

function settle(delivery: Delivery, outcome: Outcome, target: Target, logger: Logger): void {
  const delay = RETRY_DELAYS_MS[delivery.attempt - 1]
  if (outcome === "retry" && delay !== undefined) {
    // Jitter spreads a burst of failures so they do not all come back at the same instant.
    const timer = setTimeout(() => enqueue(delivery, target, logger, () => undefined), delay * (0.75 + Math.random() / 2))
    // Retries must not keep a stopping Medusa alive.
    timer.unref()
    return
  }
  pending--
  if (outcome !== "delivered") {
    logger.error(`hub-forwarder: gave up on ${delivery.type} ${delivery.id} after ${delivery.attempt} attempt(s); reconciliation will pick it up`)
  }
}
