// The controller's options with their defaults, checked once where they enter.
import type { Backoff } from '../backoff.js';
import { ValidationError } from '../errors.js';
import { normalizeName } from '../dns/names.js';
import { DEFAULT_MARKER_PREFIX, validateMarkerPrefix, validateOwnerId } from '../dns/ownership.js';
import { delayMs, fraction, MAX_TIMER_MS, positiveInteger, timerMs } from '../numbers.js';
import { recordNames } from '../planning/plan.js';
import { validateFederation } from '../planning/validate.js';
import { DEFAULT_TTL } from '../dns/ttl.js';
import { POLICIES, type Policy } from '../zone/policy.js';
import { retryPolicy } from '../zone/retry.js';
import { domainFilter } from './domain-filter.js';
import { checkWritable, warnUnresolvedRouting, writablePolicies, type WritablePolicies } from './traffic-policies.js';
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
  callTimeoutMs: 30_000,
  shardWritesPerCluster: 16,
} as const;

/** The options as the controller uses them: defaults filled in, every value checked. */
export interface Settings {
  readonly coalesceMs: number;
  /** `false`: no periodic resync. */
  readonly resyncMs: number | false;
  readonly concurrency: number;
  readonly zoneRateLimit: number;
  readonly maxWithdrawFraction: number;
  /**
   * Retry of a whole failed pass. Equal jitter: a pass fails on something that lasts (a
   * provider down, a cluster refusing a shard), so none is retried almost at once.
   */
  readonly backoff: Backoff;
  /** How long a resolved load-balancer hostname is trusted: the federation's record TTL, at most what a timer can wait. */
  readonly hostnameTtlMs: number;
  /** The deadline of every call into a port or an injected function. */
  readonly callTimeoutMs: number;
  /** Shard writes in flight to one member cluster at most. */
  readonly shardWritesPerCluster: number;
  /** The prefix of ownership marker names. */
  readonly markerPrefix: string;
  readonly policy: Policy;
  /** Whether a normalized name is inside the domain filter; undefined when every name is. */
  readonly inDomainFilter: ((name: string) => boolean) | undefined;
  /** The traffic policies the DNS provider writes. */
  readonly writablePolicies: WritablePolicies;
}

/** Throws ValidationError naming the first bad option. */
export function controllerSettings(options: ControllerOptions): Settings {
  if (typeof options !== 'object' || options === null) throw new ValidationError('options', options, 'must be an object');
  // Validates the federation (name, domain, TTL) at the boundary.
  recordNames(options.federation, { namespace: 'x', name: 'x' });
  validateOwnerId(options.ownerId);
  validatePorts(options);
  const retry = retryPolicy(options.retry);
  delayMs('retry.baseDelayMs', retry.baseDelayMs);
  delayMs('retry.maxDelayMs', retry.maxDelayMs);
  const writable = writablePolicies(options.dns.provider);
  checkWritable(options.federation.trafficPolicy, 'federation.trafficPolicy', writable);
  warnUnresolvedRouting(options.federation.trafficPolicy, 'federation.trafficPolicy', options);
  return {
    coalesceMs: delayMs('coalesceMs', options.coalesceMs, DEFAULTS.coalesceMs),
    resyncMs: options.resyncMs === false ? false : timerMs('resyncMs', options.resyncMs, DEFAULTS.resyncMs),
    concurrency: positiveInteger('concurrency', options.concurrency, DEFAULTS.concurrency),
    zoneRateLimit: positiveInteger('zoneRateLimit', options.zoneRateLimit, DEFAULTS.zoneRateLimit),
    maxWithdrawFraction: fraction('failStatic.maxWithdrawFraction', options.failStatic?.maxWithdrawFraction, DEFAULTS.maxWithdrawFraction),
    backoff: {
      baseMs: delayMs('backoff.baseMs', options.backoff?.baseMs, DEFAULTS.backoffBaseMs),
      maxMs: delayMs('backoff.maxMs', options.backoff?.maxMs, DEFAULTS.backoffMaxMs),
      jitter: 'equal',
    },
    hostnameTtlMs: hostnameTtlMs(options),
    callTimeoutMs: timerMs('callTimeoutMs', options.callTimeoutMs, DEFAULTS.callTimeoutMs),
    shardWritesPerCluster: positiveInteger('shardWritesPerCluster', options.shardWritesPerCluster, DEFAULTS.shardWritesPerCluster),
    markerPrefix: validateMarkerPrefix(options.markerPrefix ?? DEFAULT_MARKER_PREFIX),
    writablePolicies: writable,
    ...zoneScopeSettings(options),
  };
}

/** The policy (default `sync`) and the domain filter. */
function zoneScopeSettings(options: ControllerOptions): Pick<Settings, 'policy' | 'inDomainFilter'> {
  const policy = options.policy ?? 'sync';
  if (!POLICIES.includes(policy)) throw new ValidationError('policy', policy, `must be one of ${POLICIES.join(', ')}`);
  return { policy, inDomainFilter: domainFilter(options.domainFilter, options.dns.zone.dnsName, options.federation.domain) };
}

/** The federation's TTL in milliseconds; a TTL of more than 24.8 days is legal DNS, but no timer waits that long. */
function hostnameTtlMs(options: ControllerOptions): number {
  const ttl = options.federation.ttl ?? DEFAULT_TTL;
  if (ttl * 1000 <= MAX_TIMER_MS) return ttl * 1000;
  if (options.resolveHostname)
    options.logger?.warn(
      { ttl, refreshMs: MAX_TIMER_MS },
      'load-balancer hostnames are resolved again every 24.8 days, not at the record TTL',
    );
  return MAX_TIMER_MS;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** Throws unless `value` is an object with a function for each of `methods` (or, when `optional`, is undefined). */
function implementing(field: string, value: unknown, methods: readonly string[], what: string, optional = false): void {
  if (optional && value === undefined) return;
  if (!isObject(value) || methods.some((method) => typeof value[method] !== 'function')) {
    throw new ValidationError(field, value, `must be ${what}: an object with ${methods.map((m) => `${m}()`).join(', ')}`);
  }
}

function optionalFunction(field: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') throw new ValidationError(field, value, 'must be a function');
}

/** The ports and injected functions: each of the shape its use needs, so that none fails in a pass. */
function validatePorts(options: ControllerOptions): void {
  implementing('clusters', options.clusters, ['watch', 'applyShard'], 'a MemberClusters implementation');
  validateDns(options);
  if (options.services !== undefined && !Array.isArray(options.services))
    throw new ValidationError('services', options.services, 'must be an array of federated services');
  implementing('logger', options.logger, ['debug', 'info', 'warn', 'error'], 'a pino-compatible logger', true);
  implementing('leaderElection', options.leaderElection, ['campaign'], 'a LeaderElection implementation', true);
  optionalFunction('resolveHostname', options.resolveHostname);
  optionalFunction('sleep', options.sleep);
  optionalFunction('random', options.random);
  if (options.dryRun !== undefined && typeof options.dryRun !== 'boolean')
    throw new ValidationError('dryRun', options.dryRun, 'must be a boolean');
}

/** The DNS provider and zone; the federation's names must fall inside the zone, or every write would be refused. */
function validateDns(options: ControllerOptions): void {
  const dns: unknown = options.dns;
  if (!isObject(dns)) throw new ValidationError('dns', dns, 'must be an object with the DNS provider and zone');
  implementing('dns.provider', dns['provider'], ['zones', 'records', 'applyChanges'], 'a DnsProvider');
  const provider = dns['provider'] as Record<string, unknown>;
  if (typeof provider['name'] !== 'string') throw new ValidationError('dns.provider.name', provider['name'], 'must be a string');
  if (!isObject(provider['limits'])) throw new ValidationError('dns.provider.limits', provider['limits'], 'must be an object');
  const { atomic } = provider['limits'] as Record<string, unknown>;
  // Every pass would refuse it: no order of a change set is safe on a provider that applies part of a request.
  if (atomic !== true)
    throw new ValidationError(
      'dns.provider.limits.atomic',
      atomic,
      'must be true: the controller writes only to providers that apply a request all or nothing',
    );
  const zone = dns['zone'];
  if (!isObject(zone)) throw new ValidationError('dns.zone', zone, 'must be a DnsZone: an object with id and dnsName');
  if (typeof zone['id'] !== 'string') throw new ValidationError('dns.zone.id', zone['id'], 'must be a string');
  if (typeof zone['dnsName'] !== 'string' || zone['dnsName'] === '')
    throw new ValidationError('dns.zone.dnsName', zone['dnsName'], 'must be a DNS name');
  const zoneName = normalizeName(zone['dnsName']);
  const { domain } = validateFederation(options.federation);
  if (zoneName !== '.' && domain !== zoneName && !domain.endsWith(`.${zoneName}`)) {
    throw new ValidationError('federation.domain', options.federation.domain, `must be inside the DNS zone ${zoneName}`);
  }
}
