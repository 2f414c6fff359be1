/**
 * What the hub last synced from a Medusa product, kept in the product's own metadata. Medusa's
 * product.updated events carry ids only, and most of them are about nothing the hub syncs from
 * Medusa: above all the echo of the hub's own metadata write-back, one per created product. The
 * hub's Medusa subscriber compares the product with this marker and forwards the event only when
 * a field Medusa owns (ownership.ts: title, handle) or the set of SKUs differs from it, so an
 * echo never becomes a run. Missing or unreadable, the marker lets every event through.
 *
 * The subscriber (apps/medusa/src/subscribers/hub-forwarder.ts) builds the same string with its
 * own copy of this function (it must be copyable into any Medusa app on its own);
 * src/activities/medusa/hub-forwarder.test.ts checks that the two agree.
 */
export const SYNCED_MARKER_KEY = 'hub_synced';

export interface SyncedMarkerFields {
  title: string;
  handle: string;
  skus: readonly string[];
}

/** JSON with a fixed key order and SKUs sorted, so equal content gives an equal string. */
export function syncedMarker({ title, handle, skus }: SyncedMarkerFields): string {
  return JSON.stringify({ title, handle, skus: [...skus].sort() });
}

/** The marker's content, or null when it is missing or not one of ours (then nothing is assumed). */
export function parseSyncedMarker(marker: string | null): SyncedMarkerFields | null {
  if (!marker) return null;
  try {
    const parsed: unknown = JSON.parse(marker);
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { title, handle, skus } = parsed as Record<string, unknown>;
    if (typeof title !== 'string' || typeof handle !== 'string' || !Array.isArray(skus) || !skus.every((s) => typeof s === 'string')) return null;
    return { title, handle, skus: skus as string[] };
  } catch {
    return null;
  }
}
