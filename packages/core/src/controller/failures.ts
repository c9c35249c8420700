// Whether a failed pass may succeed when tried again as it was: one rule for every failure a
// pass meets. A failure retrying cannot fix parks its service (not retried on a backoff), so
// that a wrong zone, refused credentials or a malformed service are said loudly, once, and
// idle() settles.
import { ProviderError, ValidationError } from '../errors.js';
import type { ProviderErrorKind } from '../types.js';
import { RETRYABLE_KINDS } from '../zone/retry.js';

/**
 * ProviderError kinds a pass tried again may get past: those a later identical request may
 * (throttled, transient, a deadline passed), and a conflict, since the next pass reads the zone
 * anew. `invalid`, `denied` and `not-found` fail the same pass again.
 */
const PASS_RETRYABLE_KINDS: ReadonlySet<ProviderErrorKind> = new Set([...RETRYABLE_KINDS, 'conflict']);

/**
 * Whether a service's pass that failed with `error` may succeed when tried again with the same
 * inputs. A ValidationError (the service's input, or what a pass planned from it, is malformed)
 * may not; a ProviderError may when its kind is throttled, transient or conflict; anything
 * else (a cluster refusing a shard, an error no port typed) may. `heldBack`: the service's
 * records were left unwritten only because of other record sets the provider refused in the
 * same request or pass (see `UnwrittenRecordsError.refused`); without those, they may go through.
 * Default false.
 */
export function retryable(error: unknown, heldBack = false): boolean {
  if (heldBack) return true;
  if (error instanceof ValidationError) return false;
  if (error instanceof ProviderError) return PASS_RETRYABLE_KINDS.has(error.kind);
  return true;
}

/** The same failure, told once: its reason, cluster and message as one string. */
export const failureKey = (reason: string, error: Error, cluster: string | undefined): string =>
  JSON.stringify([reason, cluster ?? null, error.message]);
