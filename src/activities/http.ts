import { ApplicationFailure } from '@temporalio/common';
import type { RequestPacer } from './pacer';

/**
 * One place decides which failures of an external system are worth retrying, so every adapter
 * (ERP, WMS, CMS, Medusa) behaves the same under Temporal's retry policy:
 * - 4xx other than 408/429: the request itself is wrong; retrying cannot help → non-retryable.
 * - 429: retryable, after the system's Retry-After when it sends one (Temporal's nextRetryDelay).
 * - 5xx, 408, timeouts, connection errors: retryable with the policy's backoff.
 */
export const HTTP_CLIENT_ERROR = 'HttpClientError';
export const HTTP_RATE_LIMITED = 'HttpRateLimited';
export const HTTP_SERVER_ERROR = 'HttpServerError';
export const HTTP_UNREACHABLE = 'HttpUnreachable';

export interface HttpErrorDetails {
  system: string;
  method: string;
  path: string;
  status?: number;
  body?: string;
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds; undefined when absent or bad. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function failureForStatus(
  details: HttpErrorDetails & { status: number },
  retryAfter?: string | null,
): ApplicationFailure {
  const { system, method, path, status } = details;
  const summary = `${system} ${method} ${path} answered ${status}${details.body ? `: ${truncate(details.body, 300)}` : ''}`;
  if (status === 429) {
    return ApplicationFailure.create({
      message: summary,
      type: HTTP_RATE_LIMITED,
      details: [details],
      nextRetryDelay: retryAfterMs(retryAfter),
    });
  }
  if (status >= 500 || status === 408) {
    return ApplicationFailure.retryable(summary, HTTP_SERVER_ERROR, details);
  }
  return ApplicationFailure.nonRetryable(summary, HTTP_CLIENT_ERROR, details);
}

export function failureForNetworkError(details: HttpErrorDetails, cause: unknown): ApplicationFailure {
  const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return ApplicationFailure.create({
    message: `${details.system} ${details.method} ${details.path} failed: ${reason}`,
    type: HTTP_UNREACHABLE,
    details: [details],
    cause: cause instanceof Error ? cause : undefined,
  });
}

export interface JsonHttpClientOptions {
  /** Name used in error messages and the Web UI, e.g. "ERP". */
  system: string;
  baseUrl: string;
  headers?: Record<string, string>;
  /** Per-request timeout; the activity's startToClose bounds the whole attempt. */
  timeoutMs?: number;
  /** Paces this process's requests to the system; the timeout starts once a request's turn comes. */
  pacer?: RequestPacer;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  /** Statuses that are answers, not failures (e.g. 404 for an undo that finds nothing). */
  accept?: number[];
}

export interface JsonResponse<T> {
  status: number;
  body: T;
}

/**
 * A small JSON-over-HTTP client. It throws ApplicationFailures classified as above, so the
 * activities built on it need no error handling of their own.
 */
export class JsonHttpClient {
  constructor(private readonly opts: JsonHttpClientOptions) {}

  async request<T>(method: string, path: string, req: RequestOptions = {}): Promise<JsonResponse<T>> {
    const url = new URL(path.replace(/^\//, ''), this.opts.baseUrl.endsWith('/') ? this.opts.baseUrl : `${this.opts.baseUrl}/`);
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const details: HttpErrorDetails = { system: this.opts.system, method, path: url.pathname };
    await this.opts.pacer?.take();
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...this.opts.headers,
          ...req.headers,
        },
        body: req.body !== undefined ? JSON.stringify(req.body) : undefined,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 15_000),
      });
    } catch (err) {
      throw failureForNetworkError(details, err);
    }
    const text = await res.text();
    if (!res.ok && !(req.accept ?? []).includes(res.status)) {
      throw failureForStatus({ ...details, status: res.status, body: text }, res.headers.get('retry-after'));
    }
    let body: T;
    try {
      body = (text ? JSON.parse(text) : undefined) as T;
    } catch {
      throw failureForStatus({ ...details, status: 502, body: `invalid JSON: ${truncate(text, 200)}` });
    }
    return { status: res.status, body };
  }
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
