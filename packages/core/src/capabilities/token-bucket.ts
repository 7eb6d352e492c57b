/**
 * Token bucket rate limiter: holds up to `capacity` tokens, refilled
 * continuously at `capacity / perMs`. A call takes one token; an empty bucket
 * refuses and says how long until the next token. The clock is injected so
 * tests can move time without sleeping.
 */

export interface TokenBucketOptions {
  capacity: number;
  /** The window in which `capacity` tokens are refilled (ms), e.g. 60,000 for "per minute". */
  perMs: number;
  now: () => number;
}

export class TokenBucket {
  readonly capacity: number;
  readonly #ratePerMs: number;
  readonly #now: () => number;
  #tokens: number;
  #updated: number;

  constructor(options: TokenBucketOptions) {
    this.capacity = options.capacity;
    this.#ratePerMs = options.capacity / options.perMs;
    this.#now = options.now;
    this.#tokens = options.capacity;
    this.#updated = options.now();
  }

  /** Tokens available now (fractional while refilling). */
  get available(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Takes one token if there is one; otherwise returns the ms to wait for it. */
  take(): { ok: true } | { ok: false; retryAfterMs: number } {
    this.#refill();
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil((1 - this.#tokens) / this.#ratePerMs) };
  }

  #refill(): void {
    const now = this.#now();
    // A clock that goes backwards (NTP step) must not drain the bucket.
    const elapsed = Math.max(0, now - this.#updated);
    this.#tokens = Math.min(this.capacity, this.#tokens + elapsed * this.#ratePerMs);
    this.#updated = now;
  }
}
