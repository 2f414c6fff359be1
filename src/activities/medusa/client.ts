import Medusa, { FetchError } from '@medusajs/js-sdk';
import { ApplicationFailure } from '@temporalio/common';
import type { BatchItemResult } from '../batcher';
import { failureForNetworkError, failureForStatus, type HttpErrorDetails } from '../http';

export interface MedusaClientConfig {
  baseUrl: string;
  /** An admin secret API key (sk_…); it never expires, unlike a login token. */
  apiKey: string;
}

export function createMedusaSdk(config: MedusaClientConfig): Medusa {
  return new Medusa({ baseUrl: config.baseUrl, apiKey: config.apiKey });
}

/** The client a worker uses: MEDUSA_BACKEND_URL and MEDUSA_API_KEY, as the stack exports them. */
export function medusaSdkFromEnv(env: NodeJS.ProcessEnv = process.env): Medusa {
  const baseUrl = env.MEDUSA_BACKEND_URL;
  const apiKey = env.MEDUSA_API_KEY;
  if (!baseUrl || !apiKey) throw new Error('MEDUSA_BACKEND_URL and MEDUSA_API_KEY must be set');
  return createMedusaSdk({ baseUrl, apiKey });
}

export interface MedusaCall {
  method: string;
  /** The route, for messages and failure details, e.g. /admin/products/batch. */
  path: string;
  /**
   * The js-sdk takes no abort signal, so a hung request is abandoned (not cancelled) after this.
   * Shorter than typical activity timeouts, so the attempt fails with a clear reason.
   */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Runs one js-sdk call and turns whatever it throws into an ApplicationFailure classified like
 * every other system's (src/activities/http.ts). Every Medusa activity goes through here, so
 * retry behaviour is decided in one place.
 */
export async function callMedusa<T>(call: MedusaCall, fn: () => Promise<T>): Promise<T> {
  const details: HttpErrorDetails = { system: 'Medusa', method: call.method, path: call.path };
  const timeoutMs = call.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([fn(), timeout]);
  } catch (err) {
    throw medusaFailure(details, err);
  } finally {
    clearTimeout(timer);
  }
}

export function medusaFailure(details: HttpErrorDetails, err: unknown): ApplicationFailure {
  const status = fetchErrorStatus(err);
  if (status !== undefined) {
    // The js-sdk keeps only the status and Medusa's message, not the headers, so a 429's
    // Retry-After is lost; the retry policy's backoff applies instead.
    return failureForStatus({ ...details, status, body: err instanceof Error ? err.message : undefined });
  }
  // TypeError "fetch failed" (connection refused, reset), our timeout, or a body that was not JSON.
  return failureForNetworkError(details, err);
}

/** The HTTP status of an error the js-sdk threw for a non-2xx answer. */
export function fetchErrorStatus(err: unknown): number | undefined {
  if (err instanceof FetchError) return err.status;
  // A second copy of the js-sdk (another version nested somewhere) has its own FetchError class.
  if (err instanceof Error && err.constructor.name === 'FetchError' && 'status' in err && typeof err.status === 'number') {
    return err.status;
  }
  return undefined;
}

export const MEDUSA_REFUSED_ID = 'MedusaRefusedId';

/**
 * Runs one call for a batch of products on behalf of many runs, splitting it when Medusa refuses
 * it. One odd id can make Medusa refuse a whole call (a 400, or a 500 from its database: a NUL
 * in an id does it), and every run in the batch would then fail and retry together for as long
 * as the odd run lives. So a refused call is halved, down to single ids, one part at a time (a
 * batcher keeps one call in flight, and a split is no exception): the other ids get their
 * answers, and an id Medusa refuses on its own fails alone, for good. If no part is answered,
 * the refusal says nothing about any one id (Medusa or its database is failing), and the whole
 * batch fails with the original error, for each run to retry. `run` answers every id it is given.
 */
export async function splitRefusedCall<O>(ids: string[], run: (ids: string[]) => Promise<Map<string, BatchItemResult<O>>>): Promise<Map<string, BatchItemResult<O>>> {
  const unique = [...new Set(ids)];
  let original: unknown;
  try {
    return await run(unique);
  } catch (err) {
    if (unique.length === 1 || !isRefusal(err)) throw err;
    original = err;
  }
  const results = new Map<string, BatchItemResult<O>>();
  let answered = false;
  const attempt = async (part: string[]): Promise<void> => {
    try {
      for (const [id, r] of await run(part)) results.set(id, r);
      answered = true;
      return;
    } catch (err) {
      // Medusa stopped answering meanwhile: the whole batch is retried, like every outage.
      if (!isRefusal(err)) throw err;
      if (part.length === 1) {
        const id = part[0]!;
        const error = ApplicationFailure.nonRetryable(
          `Medusa refuses a call for product id ${JSON.stringify(id)} while it answers the same call for other ids: ${err instanceof Error ? err.message : String(err)}`,
          MEDUSA_REFUSED_ID,
          { productId: id },
        );
        results.set(id, { ok: false, error });
        return;
      }
    }
    await halves(part);
  };
  const halves = async (part: string[]): Promise<void> => {
    const half = Math.ceil(part.length / 2);
    await attempt(part.slice(0, half));
    await attempt(part.slice(half));
  };
  await halves(unique);
  if (!answered) throw original;
  return results;
}

/**
 * Medusa turned a call down for what it asked (a 4xx on the query, or a 500 from the database
 * choking on a value), as opposed to not answering, throttling or refusing the key: only such a
 * refusal can be the fault of one id in the call.
 */
function isRefusal(err: unknown): boolean {
  if (!(err instanceof ApplicationFailure)) return false;
  const details: unknown = err.details?.[0];
  const status = typeof details === 'object' && details !== null && 'status' in details ? details.status : undefined;
  if (typeof status !== 'number') return false;
  return status === 500 || (status >= 400 && status < 500 && ![401, 403, 408, 429].includes(status));
}
