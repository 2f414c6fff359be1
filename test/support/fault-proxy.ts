import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * An HTTP proxy for tests that puts faults between a client and a real system (Tryton has no
 * fault switches of its own, unlike the simulators). It forwards everything to `target` unless
 * an armed fault matches the request:
 * - `drop_response`: forwards, waits for the whole answer (so the system has committed), then
 *   destroys the client's socket (`as: 'reset'`, default) or answers 502 without the body, the
 *   "lost response" of a create that did happen;
 * - `fail_before`: answers `status` (e.g. 503, or 429 with Retry-After) without forwarding.
 * A fault matches on HTTP method, a path substring and a JSON-RPC method substring (any left
 * out match all) and fires `times` times (default once); the first armed fault that matches wins.
 */
export interface FaultSpec {
  mode: 'drop_response' | 'fail_before';
  method?: string;
  path?: string;
  /** Substring of the JSON-RPC `method`, e.g. "product.template.create". */
  rpcMethod?: string;
  /** fail_before's status; default 503. */
  status?: number;
  /** fail_before: the Retry-After header to send (seconds). */
  retryAfter?: number;
  /** drop_response: reset the connection, or answer 502 with no body. */
  as?: 'reset' | '502';
  /** How many matching requests it fires for; default 1, Infinity for all. */
  times?: number;
}

export interface ProxiedRequest {
  method: string;
  path: string;
  rpcMethod: string | null;
  /** The request's Authorization header (a test may end the session it names). */
  authorization: string | null;
  /** The fault it met, if any. */
  fault: FaultSpec['mode'] | null;
}

export interface FaultProxy {
  /** Base URL to give the client instead of the target's. */
  url: string;
  arm(fault: FaultSpec): void;
  /** Disarms every fault and forgets the request log. */
  reset(): void;
  /** Every request seen, in order. */
  requests(): ProxiedRequest[];
  close(): Promise<void>;
}

interface Armed extends FaultSpec {
  left: number;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'host', 'upgrade']);

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  let faults: Armed[] = [];
  let log: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();

  const matches = (f: Armed, req: ProxiedRequest): boolean =>
    f.left > 0 &&
    (f.method === undefined || f.method.toUpperCase() === req.method) &&
    (f.path === undefined || req.path.includes(f.path)) &&
    (f.rpcMethod === undefined || (req.rpcMethod ?? '').includes(f.rpcMethod));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const seen: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', rpcMethod: rpcMethodOf(body), authorization: req.headers.authorization ?? null, fault: null };
    log.push(seen);
    const fault = faults.find((f) => matches(f, seen));
    if (fault) {
      fault.left--;
      seen.fault = fault.mode;
    }
    if (fault?.mode === 'fail_before') {
      const status = fault.status ?? 503;
      res.writeHead(status, { 'content-type': 'text/html', ...(fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {}) });
      res.end(`<!doctype html><title>${status}</title><h1>injected by the fault proxy</h1>`);
      return;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string' && !HOP_BY_HOP.has(e[0])));
    const upstream = await fetch(new URL(seen.path, target), { method: seen.method, headers, body: body.length ? body : undefined });
    const answer = Buffer.from(await upstream.arrayBuffer());
    if (fault?.mode === 'drop_response') {
      if (fault.as === '502') {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end();
      } else {
        req.socket.destroy();
      }
      return;
    }
    const out: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (!HOP_BY_HOP.has(k)) out[k] = v;
    });
    res.writeHead(upstream.status, out);
    res.end(answer);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault proxy: ${String(err)}`);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    arm: (fault) => {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    reset: () => {
      faults = [];
      log = [];
    },
    requests: () => [...log],
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const s of sockets) s.destroy();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function rpcMethodOf(body: Buffer): string | null {
  if (!body.length) return null;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return parsed && typeof parsed === 'object' && 'method' in parsed && typeof parsed.method === 'string' ? parsed.method : null;
  } catch {
    return null;
  }
}
