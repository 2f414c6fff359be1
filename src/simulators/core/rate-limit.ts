/**
 * Token bucket per API key, like most SaaS APIs: a client may burst up to `burst` requests, then
 * sustains `perSecond`. The answer tells the caller how long to wait, so adapters can test their
 * Retry-After handling against it.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly cfg: { perSecond: number; burst: number }) {}

  /** Takes a token; when none is left, returns the whole seconds until one will be. */
  take(key: string, now = Date.now()): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const b = this.buckets.get(key) ?? { tokens: this.cfg.burst, at: now };
    b.tokens = Math.min(this.cfg.burst, b.tokens + ((now - b.at) / 1000) * this.cfg.perSecond);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    // Integer seconds, at least 1: that is all Retry-After can express, and 0 would invite a spin.
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.cfg.perSecond)) };
  }

  reset(): void {
    this.buckets.clear();
  }
}
