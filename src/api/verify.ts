import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

export type VerifyResult = { ok: true; messageId: string } | { ok: false; code: 'missing_signature' | 'stale_timestamp' | 'bad_signature'; message: string };

export type Verifier = (rawBody: Buffer, headers: IncomingHttpHeaders) => VerifyResult;

/**
 * Standard Webhooks: HMAC-SHA256 over "id.timestamp.body", ±5 minutes of clock tolerance,
 * constant-time compare (all inside the `standardwebhooks` library). Several secrets may be
 * configured at once so a sender can rotate: a request is good if any of them verifies it.
 */
export function standardWebhooksVerifier(secrets: string[]): Verifier {
  const webhooks = secrets.map((s) => new Webhook(s));
  return (rawBody, headers) => {
    const id = header(headers, 'webhook-id');
    const timestamp = header(headers, 'webhook-timestamp');
    const signature = header(headers, 'webhook-signature');
    if (!id || !timestamp || !signature) {
      return { ok: false, code: 'missing_signature', message: 'webhook-id, webhook-timestamp and webhook-signature headers are required' };
    }
    const h = { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature };
    let last: unknown;
    for (const webhook of webhooks) {
      try {
        webhook.verify(rawBody.toString('utf8'), h, { jsonParse: false });
        return { ok: true, messageId: h['webhook-id'] };
      } catch (err) {
        last = err;
        // A timestamp outside the window fails the same way for every secret; say so plainly,
        // since a replay of an old delivery is the likely cause.
        if (err instanceof WebhookVerificationError && /timestamp/i.test(err.message)) {
          return { ok: false, code: 'stale_timestamp', message: `${err.message}: the tolerance is 5 minutes` };
        }
      }
    }
    const reason = last instanceof Error ? last.message : 'no secret matched';
    return { ok: false, code: 'bad_signature', message: `signature verification failed: ${reason}` };
  };
}

/**
 * For senders that cannot sign (Strapi's webhooks carry only static headers): a shared secret
 * in a header, compared in constant time. Weaker than a signature (no body integrity, no replay
 * window), which the README states; the id for deduplication comes from the body instead.
 */
export function sharedSecretVerifier(headerName: string, secret: string, messageIdOf: (rawBody: Buffer) => string): Verifier {
  const expected = Buffer.from(secret);
  return (rawBody, headers) => {
    const given = Buffer.from(header(headers, headerName) ?? '');
    if (given.length === 0) return { ok: false, code: 'missing_signature', message: `the ${headerName} header is required` };
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { ok: false, code: 'bad_signature', message: `the ${headerName} header does not match` };
    }
    return { ok: true, messageId: messageIdOf(rawBody) };
  };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
