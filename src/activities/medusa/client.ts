import Medusa, { FetchError } from '@medusajs/js-sdk';
import type { ApplicationFailure } from '@temporalio/common';
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
