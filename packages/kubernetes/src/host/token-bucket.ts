// A token bucket: at most `burst` requests at once, then `perSecond` on average. What keeps the
// source's writes (statuses and finalizers in one bucket, Events in another) from flooding the host cluster's API server.
import { sleep } from '@fedsvc/core/provider';

export interface RateLimit {
  /** Tokens added per second. */
  readonly perSecond: number;
  /** Tokens the bucket holds at most (and starts with). */
  readonly burst: number;
}

export interface BucketState {
  readonly tokens: number;
  /** When `tokens` was counted, ms. */
  readonly at: number;
}

/** The bucket at `now`: refilled for the time since it was counted, never above the burst. */
export function refill(state: BucketState, now: number, limit: RateLimit): BucketState {
  const elapsed = Math.max(0, now - state.at);
  return { tokens: Math.min(limit.burst, state.tokens + (elapsed * limit.perSecond) / 1000), at: Math.max(now, state.at) };
}

/** How long from `now` until the bucket holds a whole token, ms (0 when it does). */
export function waitForToken(state: BucketState, now: number, limit: RateLimit): number {
  const tokens = refill(state, now, limit).tokens;
  // Less a nanosecond before rounding up: (1 − 0.999) is 0.0010000000000000009 in floating point,
  // which would otherwise name a wait a whole millisecond longer than the token takes.
  return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * 1000) / limit.perSecond - 1e-9);
}

export class TokenBucket {
  #state: BucketState;
  /** Takers in line: each waits for the one before, so tokens go first come, first served. */
  #line: Promise<void> = Promise.resolve();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {
    this.#state = { tokens: limit.burst, at: now() };
  }

  /** Resolves when a token was taken; rejects when `signal` aborts first. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.#line.then(async () => {
      // Bounded: each wait makes at least the missing fraction of a token.
      for (let i = 0; i < 1000; i++) {
        signal?.throwIfAborted();
        const wait = waitForToken(this.#state, this.now(), this.limit);
        if (wait === 0) break;
        await sleep(wait, signal);
      }
      signal?.throwIfAborted();
      const state = refill(this.#state, this.now(), this.limit);
      this.#state = { tokens: state.tokens - 1, at: state.at };
    });
    this.#line = turn.catch(() => undefined);
    return turn;
  }
}
