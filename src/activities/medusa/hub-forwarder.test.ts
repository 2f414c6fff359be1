import { Webhook } from 'standardwebhooks';
import { syncedMarker, SYNCED_MARKER_KEY } from '../../domain/synced-marker';
import { createMedusaSdk } from './client';
import {
  createTestProducts,
  eventually,
  medusaPostingTo,
  startWebhookListener,
  type ReceivedWebhook,
  type TestMedusa,
  type WebhookListener,
} from '../../../test/support/medusa';

function isCreatedEventOf(productId: string | undefined) {
  return (r: ReceivedWebhook): boolean => {
    const body = JSON.parse(r.body) as { type?: string; data?: { id?: string } };
    return body.type === 'product.created' && body.data?.id === productId;
  };
}

let listener: WebhookListener;
let medusa: TestMedusa;

beforeAll(async () => {
  listener = await startWebhookListener();
  medusa = await medusaPostingTo(listener);
});

afterAll(async () => {
  await medusa?.stop();
  await listener?.close();
});

describe('hub-forwarder subscriber (apps/medusa/src/subscribers)', () => {
  it('forwards product.created as a Standard Webhook that verifies with the shared secret', async () => {
    const sdk = createMedusaSdk({ baseUrl: medusa.env.MEDUSA_BACKEND_URL!, apiKey: medusa.env.MEDUSA_API_KEY! });
    const [productId] = await createTestProducts(sdk, 1, {
      salesChannelId: medusa.env.MEDUSA_SALES_CHANNEL_ID!,
      shippingProfileId: medusa.env.MEDUSA_SHIPPING_PROFILE_ID!,
    });

    const hook = await eventually('product.created webhook', () => listener.received.find(isCreatedEventOf(productId)));

    expect(hook.headers['content-type']).toBe('application/json');
    expect(hook.headers['webhook-id']).toMatch(/^msg_/);
    expect(hook.headers['webhook-signature']).toMatch(/^v1,/);
    const verified = new Webhook(listener.secret).verify(hook.body, hook.headers);
    expect(verified).toMatchObject({ type: 'product.created', data: { id: productId }, metadata: { eventGroupId: expect.any(String) } });

    // A second secret must not verify: the signature really depends on the key.
    const other = new Webhook(`whsec_${Buffer.from('another secret entirely').toString('base64')}`);
    expect(() => other.verify(hook.body, hook.headers)).toThrow();
  });

  it('retries a delivery the bridge failed, with the same webhook-id and a fresh valid signature', async () => {
    const sdk = createMedusaSdk({ baseUrl: medusa.env.MEDUSA_BACKEND_URL!, apiKey: medusa.env.MEDUSA_API_KEY! });
    // Nothing else posts to this listener meanwhile: the next two requests are our product's.
    listener.answers.push(503, 500);
    const [productId] = await createTestProducts(sdk, 1, {
      salesChannelId: medusa.env.MEDUSA_SALES_CHANNEL_ID!,
      shippingProfileId: medusa.env.MEDUSA_SHIPPING_PROFILE_ID!,
    });

    const delivered = await eventually('retried product.created webhook', () =>
      listener.received.find((r) => isCreatedEventOf(productId)(r) && r.status === 204),
    );
    const attempts = listener.received.filter(isCreatedEventOf(productId));
    expect(attempts.map((a) => a.status)).toEqual([503, 500, 204]);
    expect(new Set(attempts.map((a) => a.headers['webhook-id']))).toEqual(new Set([delivered.headers['webhook-id']]));
    expect(new Webhook(listener.secret).verify(delivered.body, delivered.headers)).toMatchObject({ data: { id: productId } });
  });

  it("keeps a product.updated home when the product still matches the hub's synced marker, and sends the next real change", async () => {
    const sdk = createMedusaSdk({ baseUrl: medusa.env.MEDUSA_BACKEND_URL!, apiKey: medusa.env.MEDUSA_API_KEY! });
    const [productId] = await createTestProducts(sdk, 1, {
      salesChannelId: medusa.env.MEDUSA_SALES_CHANNEL_ID!,
      shippingProfileId: medusa.env.MEDUSA_SHIPPING_PROFILE_ID!,
    });
    const updatesOf = (): ReceivedWebhook[] =>
      listener.received.filter((r) => {
        const body = JSON.parse(r.body) as { type?: string; data?: { id?: string } };
        return body.type === 'product.updated' && body.data?.id === productId;
      });
    const { product } = await sdk.admin.product.retrieve(productId!, { fields: 'title,handle,variants.sku' });
    const skus = (product.variants ?? []).map((v) => v.sku ?? '');

    // The hub's write-back: ids plus a marker built by the hub's own function, which must agree
    // with the subscriber's copy of it for this update to be recognised as an echo.
    await sdk.admin.product.update(productId!, {
      metadata: { erp_item_ids: 'X=1', [SYNCED_MARKER_KEY]: syncedMarker({ title: product.title, handle: product.handle, skus }) },
    });
    // Its event is checked within milliseconds; the rename must not be what that check reads.
    await new Promise((r) => setTimeout(r, 1_000));
    // A real change of a field the hub syncs from Medusa.
    await sdk.admin.product.update(productId!, { title: `${product.title} (renamed)` });

    await eventually('product.updated webhook for the rename', () => (updatesOf().length > 0 ? true : undefined));
    // Events are handled in order, so the write-back's would have come first: only the rename's came.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(updatesOf()).toHaveLength(1);
  });
});
