'use strict';

/**
 * Startup reconciliation for the hub's dev/test CMS. Strapi keeps API tokens and webhooks in its
 * database and offers no environment variables for them, so bootstrap() brings the database in
 * line with the environment on every start: what the environment says wins, and running it
 * twice changes nothing.
 */

const TOKEN_NAME = 'integration-hub';
const WEBHOOK_NAME = 'integration-hub';
const WEBHOOK_SECRET_HEADER = 'x-hub-webhook-secret';
// Subscribed to when CMS_WEBHOOK_EVENTS is empty (a Strapi started without the stack, such as
// the CMS adapter's own tests, which watch entry.create). The stack sets CMS_WEBHOOK_EVENTS to
// the events the bridge routes: every other delivery costs Strapi a request and the bridge a
// check and a refusal, which under a burst of product creations adds up on a small machine.
const DEFAULT_WEBHOOK_EVENTS = ['entry.create', 'entry.update', 'entry.delete', 'entry.publish', 'entry.unpublish'];

module.exports = {
  register() {},

  async bootstrap({ strapi }) {
    await ensureApiToken(strapi);
    await ensureWebhook(strapi);
  },
};

/**
 * A full-access content-API token whose key is CMS_API_TOKEN. Strapi only ever generates random
 * keys, so the token is created through the service (which sets up type, kind and lifespan the
 * way the admin panel would) and its stored hash is then replaced with the hash of the configured
 * key. Checking the hash on each start also covers a changed secret.
 */
async function ensureApiToken(strapi) {
  const key = process.env.CMS_API_TOKEN;
  if (!key) {
    strapi.log.warn('CMS_API_TOKEN is not set: no API token is provisioned, the hub cannot call this CMS');
    return;
  }
  const tokens = strapi.service('admin::api-token-content-api');
  const accessKey = tokens.hash(key);
  const query = strapi.db.query('admin::api-token');
  const existing = await query.findOne({
    where: { name: TOKEN_NAME },
    select: ['id', 'kind', 'type', 'accessKey', 'expiresAt'],
  });

  if (existing && existing.kind === 'admin') {
    throw new Error(`an admin token named "${TOKEN_NAME}" exists; remove it so the hub's content-API token can be created`);
  }
  let id;
  if (existing) {
    id = existing.id;
    if (existing.type !== 'full-access') await tokens.update(id, { type: 'full-access' });
  } else {
    const created = await tokens.create({
      name: TOKEN_NAME,
      description: 'Used by the integration hub; its key comes from CMS_API_TOKEN and is reset on every start',
      type: 'full-access',
      lifespan: null,
    });
    id = created.id;
  }
  if (!existing || existing.accessKey !== accessKey || existing.expiresAt !== null) {
    await query.update({
      where: { id },
      data: {
        accessKey,
        // Keeps the admin panel's "view token" working; it decrypts this with ENCRYPTION_KEY.
        encryptedKey: strapi.service('admin::encryption').encrypt(key),
        lifespan: null,
        expiresAt: null,
      },
    });
    strapi.log.info(`API token "${TOKEN_NAME}" ${existing ? 'updated to the configured key' : 'created'}`);
  }
}

/**
 * The webhook to CMS_WEBHOOK_URL. Written through the webhook store (not POST /admin/webhooks,
 * which refuses loopback URLs in production mode, and the hub listens on 127.0.0.1). The runner
 * already loaded the stored webhooks before bootstrap() runs, so every change is mirrored there
 * too, or it would keep delivering to the old URL until the next restart.
 */
async function ensureWebhook(strapi) {
  const store = strapi.get('webhookStore');
  const runner = strapi.get('webhookRunner');
  const ours = (await store.findWebhooks()).filter((w) => w.name === WEBHOOK_NAME);
  const url = process.env.CMS_WEBHOOK_URL;

  if (!url) {
    // A webhook left from an earlier run would post to a listener that is gone (tests use a new
    // port each run); the environment no longer asks for one, so it goes.
    for (const webhook of ours) {
      await removeWebhook(store, runner, webhook);
      strapi.log.info(`webhook "${WEBHOOK_NAME}" removed: CMS_WEBHOOK_URL is not set`);
    }
    return;
  }
  const secret = process.env.CMS_WEBHOOK_SECRET;
  if (!secret) {
    // Strapi does not sign deliveries: this header is the receiver's only proof of origin.
    throw new Error('CMS_WEBHOOK_URL is set but CMS_WEBHOOK_SECRET is not; refusing to send unauthenticated webhooks');
  }
  const wanted = {
    name: WEBHOOK_NAME,
    url,
    headers: { [WEBHOOK_SECRET_HEADER]: secret },
    events: webhookEvents(store),
    isEnabled: true,
  };

  const [current, ...duplicates] = ours;
  for (const webhook of duplicates) await removeWebhook(store, runner, webhook);
  if (!current) {
    runner.add(await store.createWebhook(wanted));
    strapi.log.info(`webhook "${WEBHOOK_NAME}" created for ${url}`);
  } else if (!sameWebhook(current, wanted)) {
    // Also when only the events differ (sameWebhook compares them), so a webhook made by an
    // earlier start with other events is narrowed or widened on this one.
    runner.update(await store.updateWebhook(current.id, wanted));
    strapi.log.info(`webhook "${WEBHOOK_NAME}" updated to ${url} (events: ${wanted.events.join(', ')})`);
  }
}

/**
 * CMS_WEBHOOK_EVENTS (comma-separated, e.g. "entry.update"; empty: the defaults), checked here
 * against the events this Strapi knows so a bad value stops the start with the list of valid
 * ones: the webhook store's own check names only the first bad event, and runs only when the
 * webhook changes. Plugins register their events (media.*, releases.*, …) in their bootstrap,
 * which runs before this one.
 */
function webhookEvents(store) {
  const raw = process.env.CMS_WEBHOOK_EVENTS ?? '';
  if (raw.trim() === '') return DEFAULT_WEBHOOK_EVENTS;
  const events = [...new Set(raw.split(',').map((e) => e.trim()).filter(Boolean))];
  if (events.length === 0) {
    throw new Error(`CMS_WEBHOOK_EVENTS ("${raw}") lists no event; leave it empty for the defaults (${DEFAULT_WEBHOOK_EVENTS.join(', ')})`);
  }
  const known = store.listAllowedEvents().map((key) => store.getAllowedEvent(key));
  const unknown = events.filter((e) => !known.includes(e));
  if (unknown.length > 0) {
    throw new Error(`CMS_WEBHOOK_EVENTS: unknown Strapi webhook event(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  }
  return events;
}

async function removeWebhook(store, runner, webhook) {
  await store.deleteWebhook(webhook.id);
  runner.remove(webhook);
}

function sameWebhook(a, b) {
  return (
    a.url === b.url &&
    a.isEnabled === b.isEnabled &&
    canonical(a.headers) === canonical(b.headers) &&
    canonical([...(a.events ?? [])].sort()) === canonical([...b.events].sort())
  );
}

function canonical(value) {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return JSON.stringify(Object.fromEntries(Object.entries(value).sort(([x], [y]) => x.localeCompare(y))));
  }
  return JSON.stringify(value ?? null);
}
