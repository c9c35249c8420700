// Retrying provider requests: full-jitter exponential backoff, bounded in attempts and in time.
import { backoffDelay as jittered, sleep } from '../backoff.js';
import { ProviderError, ValidationError } from '../errors.js';
import type { ProviderErrorKind } from '../types.js';

export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  readonly maxAttempts: number;
  /** Cap of the first wait; each later cap doubles. */
  readonly baseDelayMs: number;
  /** No single wait is longer, unless the provider asks for more (`retryAfterMs`). */
  readonly maxDelayMs: number;
  /** The sum of every wait stays within this; a wait that would overrun it is not made. */
  readonly budgetMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  budgetMs: 30_000,
};

export interface RetryOptions {
  readonly policy?: Partial<RetryPolicy>;
  /** Waits `ms` milliseconds; tests pass one that returns at once. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1); tests pass a seeded one. */
  readonly random?: () => number;
  /** Told before each wait. */
  readonly onRetry?: (retry: { readonly attempt: number; readonly delayMs: number; readonly error: ProviderError }) => void;
}

/** Kinds a later identical request may get past. */
export const RETRYABLE_KINDS: ReadonlySet<ProviderErrorKind> = new Set(['throttled', 'transient']);

/** Validates a partial policy over the defaults; throws ValidationError naming the bad field. */
export function retryPolicy(partial: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...partial };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new ValidationError('retry.maxAttempts', policy.maxAttempts, 'must be an integer of at least 1');
  }
  for (const field of ['baseDelayMs', 'maxDelayMs', 'budgetMs'] as const) {
    const value = policy[field];
    if (!Number.isFinite(value) || value < 0) {
      throw new ValidationError(`retry.${field}`, value, 'must be a finite number of milliseconds, 0 or more');
    }
  }
  return policy;
}

/**
 * The wait after failed attempt `attempt` (1-based): full jitter, uniform in
 * [0, min(maxDelayMs, baseDelayMs·2^(attempt-1))), whole milliseconds, and never shorter than
 * the provider's `retryAfterMs`. Full jitter because a throttled provider is one API shared by
 * every caller: spreading their retries over the whole step is what lets it recover.
 */
export function retryDelay(attempt: number, policy: RetryPolicy, random: () => number, retryAfterMs = 0): number {
  const delay = jittered(attempt, { baseMs: policy.baseDelayMs, maxMs: policy.maxDelayMs, jitter: 'full' }, random);
  return Math.max(retryAfterMs, Math.floor(delay));
}

/** The same error, saying how many attempts were made. */
export function withAttempts(error: ProviderError, attempts: number): ProviderError {
  const prefix = `${error.provider}: `;
  const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  const copy = new ProviderError(error.provider, error.kind, message, {
    cause: error.cause,
    record: error.record,
    retryAfterMs: error.retryAfterMs,
    attempts,
  });
  if (error.stack !== undefined) copy.stack = error.stack;
  return copy;
}

/**
 * Runs `operation` until it succeeds, retrying throttled and transient ProviderErrors. Any
 * other error is thrown at once. When attempts or time run out, the last ProviderError is
 * thrown with `attempts` set.
 */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const policy = retryPolicy(options.policy);
  const wait = options.sleep ?? sleep;
  const random = options.random ?? Math.random;
  let waited = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      if (!RETRYABLE_KINDS.has(error.kind) || attempt >= policy.maxAttempts) throw withAttempts(error, attempt);
      const delayMs = retryDelay(attempt, policy, random, error.retryAfterMs);
      if (waited + delayMs > policy.budgetMs) throw withAttempts(error, attempt);
      options.onRetry?.({ attempt, delayMs, error });
      waited += delayMs;
      await wait(delayMs);
    }
  }
}
