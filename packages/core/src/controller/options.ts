// The controller's options with their defaults, checked once where they enter.
import type { Backoff } from '../backoff.js';
import { DEFAULT_MARKER_PREFIX, validateMarkerPrefix, validateOwnerId } from '../dns/ownership.js';
import { fraction, nonNegativeNumber, positiveInteger, positiveNumber } from '../numbers.js';
import { recordNames } from '../planning/plan.js';
import { DEFAULT_TTL } from '../dns/ttl.js';
import { POLICIES, type Policy } from '../zone/policy.js';
import { ValidationError } from '../errors.js';
import { domainFilter } from './domain-filter.js';
import type { ControllerOptions } from './types.js';

/** Every default of ControllerOptions, stated once (and in its TSDoc). */
export const DEFAULTS = {
  coalesceMs: 50,
  resyncMs: 5 * 60_000,
  concurrency: 4,
  zoneRateLimit: 10,
  maxWithdrawFraction: 0.5,
  backoffBaseMs: 500,
  backoffMaxMs: 60_000,
} as const;

/** The options as the controller uses them: defaults filled in, every value checked. */
export interface Settings {
  readonly coalesceMs: number;
  readonly resyncMs: number;
  readonly concurrency: number;
  readonly zoneRateLimit: number;
  readonly maxWithdrawFraction: number;
  /**
   * Retry of a whole failed pass. Equal jitter: a pass fails on something that lasts (a
   * provider down, a cluster refusing a shard), so none is retried almost at once.
   */
  readonly backoff: Backoff;
  /** How long a resolved load-balancer hostname is trusted: the federation's record TTL. */
  readonly hostnameTtlMs: number;
  /** The prefix of ownership marker names. */
  readonly markerPrefix: string;
  readonly policy: Policy;
  /** Whether a normalized name is inside the domain filter; undefined when every name is. */
  readonly inDomainFilter: ((name: string) => boolean) | undefined;
}

/** Throws ValidationError naming the first bad option. */
export function controllerSettings(options: ControllerOptions): Settings {
  // Validates the federation (name, domain, TTL) at the boundary.
  recordNames(options.federation, { namespace: 'x', name: 'x' });
  validateOwnerId(options.ownerId);
  return {
    coalesceMs: nonNegativeNumber('coalesceMs', options.coalesceMs, DEFAULTS.coalesceMs),
    resyncMs: positiveNumber('resyncMs', options.resyncMs, DEFAULTS.resyncMs),
    concurrency: positiveInteger('concurrency', options.concurrency, DEFAULTS.concurrency),
    zoneRateLimit: positiveInteger('zoneRateLimit', options.zoneRateLimit, DEFAULTS.zoneRateLimit),
    maxWithdrawFraction: fraction('failStatic.maxWithdrawFraction', options.failStatic?.maxWithdrawFraction, DEFAULTS.maxWithdrawFraction),
    backoff: {
      baseMs: nonNegativeNumber('backoff.baseMs', options.backoff?.baseMs, DEFAULTS.backoffBaseMs),
      maxMs: nonNegativeNumber('backoff.maxMs', options.backoff?.maxMs, DEFAULTS.backoffMaxMs),
      jitter: 'equal',
    },
    hostnameTtlMs: (options.federation.ttl ?? DEFAULT_TTL) * 1000,
    markerPrefix: validateMarkerPrefix(options.markerPrefix ?? DEFAULT_MARKER_PREFIX),
    ...zoneScopeSettings(options),
  };
}

/** The policy (default `sync`) and the domain filter. */
function zoneScopeSettings(options: ControllerOptions): Pick<Settings, 'policy' | 'inDomainFilter'> {
  const policy = options.policy ?? 'sync';
  if (!POLICIES.includes(policy)) throw new ValidationError('policy', policy, `must be one of ${POLICIES.join(', ')}`);
  return { policy, inDomainFilter: domainFilter(options.domainFilter, options.dns.zone.dnsName, options.federation.domain) };
}
