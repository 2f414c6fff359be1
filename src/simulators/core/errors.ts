import { z } from 'zod';

/**
 * An error the simulator answers as `{ error: { code, message } }`. Handlers throw it instead of
 * writing responses themselves, so every failure has the same JSON shape a real SaaS API would
 * give and adapters can be tested against it.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /** Extra fields placed next to code/message, e.g. the id of the record a conflict is about. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  toBody(): ErrorBody {
    return { error: { ...this.extra, code: this.code, message: this.message } };
  }
}

export interface ErrorBody {
  error: { code: string; message: string; [k: string]: unknown };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/** Validates a request part with zod; a failure is the client's mistake, so 400 with the issues. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new HttpError(400, 'validation_error', `invalid ${what}: ${z.prettifyError(result.error)}`);
  }
  return result.data;
}
