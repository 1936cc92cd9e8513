import type { Clock } from '../voice/ports.js';

/** A request admitted, or refused with the instant (ms) from which one more would be admitted. */
export type Admission = { ok: true } | { ok: false; retryAt: number };

interface Bucket {
  tokens: number;
  at: number;
}

/** A full bucket is the same as no bucket; buckets untouched this long are full at any rate (capacity = a minute's worth). */
const FULL_AFTER_MS = 60_000;

/**
 * Token buckets per member per guild: `perMinute` tokens at most, refilled at `perMinute` a minute, one taken per
 * request. The rate is read on every request, so a changed setting applies at once (tokens kept, capped).
 */
export class MemberRateLimiter {
  readonly #clock: Pick<Clock, 'now'>;
  readonly #buckets = new Map<string, Bucket>();
  #sweptAt: number;

  constructor(clock: Pick<Clock, 'now'>) {
    this.#clock = clock;
    this.#sweptAt = clock.now();
  }

  /** Takes a token for the member if one is there; otherwise says when the next one will be. */
  take(guildId: string, userId: string, perMinute: number): Admission {
    const now = this.#clock.now();
    this.#sweep(now);
    const key = `${guildId}:${userId}`;
    const tokens = this.#tokens(this.#buckets.get(key), now, perMinute);
    if (tokens >= 1) {
      this.#buckets.set(key, { tokens: tokens - 1, at: now });
      return { ok: true };
    }
    this.#buckets.set(key, { tokens, at: now });
    return { ok: false, retryAt: now + Math.ceil(((1 - tokens) * FULL_AFTER_MS) / perMinute) };
  }

  /** Buckets held in memory (members seen in the last minute or so). */
  get size(): number {
    return this.#buckets.size;
  }

  #tokens(bucket: Bucket | undefined, now: number, perMinute: number): number {
    if (!bucket) return perMinute;
    const refilled = bucket.tokens + (Math.max(0, now - bucket.at) * perMinute) / FULL_AFTER_MS;
    return Math.min(perMinute, refilled);
  }

  /** Forgets buckets that have refilled whatever the rate: at most one pass a minute. */
  #sweep(now: number): void {
    if (now - this.#sweptAt < FULL_AFTER_MS) return;
    this.#sweptAt = now;
    for (const [key, bucket] of this.#buckets) if (now - bucket.at >= FULL_AFTER_MS) this.#buckets.delete(key);
  }
}
