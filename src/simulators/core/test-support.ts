import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Helpers for the simulator and adapter tests (imported only by *.test.ts files). They live
 * beside the code rather than in test/ because that folder belongs to the shared global setup.
 */
export const API_KEY = 'test-api-key';
export const CONTROL_KEY = 'test-control-key';
/** A valid Standard Webhooks secret: "whsec_" + base64 of 24 bytes. */
export const WEBHOOK_SECRET = `whsec_${Buffer.from('0123456789abcdef01234567').toString('base64')}`;

export function tempDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hub-sim-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CallResult<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** Raw HTTP against a simulator, so tests see exactly what an adapter would. */
export async function call<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  opts: { body?: unknown; rawBody?: string; headers?: Record<string, string>; apiKey?: string | null } = {},
): Promise<CallResult<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.apiKey !== null) headers.authorization = `Bearer ${opts.apiKey ?? API_KEY}`;
  let body: string | undefined;
  if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

export function control<T = unknown>(baseUrl: string, method: string, path: string, body?: unknown): Promise<CallResult<T>> {
  return call<T>(baseUrl, method, `/_control${path}`, { body, apiKey: null, headers: { 'x-control-key': CONTROL_KEY } });
}

export interface ReceivedWebhook {
  headers: Record<string, string>;
  body: string;
  /** Status the receiver answered. */
  status: number;
}

/**
 * A webhook endpoint for tests. `failNext(n)` makes it answer 500 to the next n deliveries, and
 * `waitFor` resolves as soon as the received deliveries satisfy a condition — no polling sleeps.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private failures = 0;
  private waiters: Array<{ check: () => boolean; resolve: () => void }> = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void readAll(req).then((body) => {
        const status = this.failures > 0 ? 500 : 204;
        if (this.failures > 0) this.failures--;
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
        this.received.push({ headers, body, status });
        res.statusCode = status;
        res.end();
        this.notify();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
    return this;
  }

  failNext(n: number): void {
    this.failures = n;
  }

  /** Deliveries the receiver accepted (2xx). */
  accepted(): ReceivedWebhook[] {
    return this.received.filter((r) => r.status < 300);
  }

  waitFor(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ check, resolve }));
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private notify(): void {
    this.waiters = this.waiters.filter((w) => {
      if (!w.check()) return true;
      w.resolve();
      return false;
    });
  }
}

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
