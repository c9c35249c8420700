// Which traffic policies the controller may ask of its DNS provider, checked where policies enter.
import { ValidationError } from '../errors.js';
import {
  isRouted,
  PLAIN_TRAFFIC_POLICIES,
  ROUTED_TRAFFIC_POLICIES,
  routedPolicy,
  TRAFFIC_POLICY_TYPES,
  validateRoutingLimits,
} from '../planning/traffic-policy.js';
import type { DnsProvider, RoutingLimits, TrafficPolicy, TrafficPolicyType } from '../types.js';
import type { ControllerOptions } from './types.js';

/** The provider's name, the policies it writes, and what its routed record sets accept. */
export interface WritablePolicies {
  readonly provider: string;
  readonly policies: readonly TrafficPolicyType[];
  /** Present when the provider writes `nearest` or `weighted`. */
  readonly routing?: RoutingLimits;
}

/**
 * What the provider says it writes (plain record sets when it says nothing); throws
 * ValidationError when that is malformed, or when it lists a routed policy without `routing`.
 */
export function writablePolicies(provider: DnsProvider): WritablePolicies {
  const stated: unknown = provider.trafficPolicies;
  if (stated === undefined) return { provider: provider.name, policies: PLAIN_TRAFFIC_POLICIES };
  if (!Array.isArray(stated) || stated.some((type) => !TRAFFIC_POLICY_TYPES.includes(type)))
    throw new ValidationError(
      'dns.provider.trafficPolicies',
      stated,
      `must be an array of traffic policies (${TRAFFIC_POLICY_TYPES.join(', ')})`,
    );
  const policies: readonly TrafficPolicyType[] = [...stated];
  if (!policies.some((type) => ROUTED_TRAFFIC_POLICIES.includes(type))) return { provider: provider.name, policies };
  return { provider: provider.name, policies, routing: validateRoutingLimits(provider.routing, 'dns.provider.routing') };
}

/**
 * Throws ValidationError naming the policy, the provider and what it writes, when the provider
 * cannot write `policy`; for `nearest`, also a `locations` value that is none of the provider's
 * locations. Whether every region maps to a location is known only with the clusters: the
 * planner checks it at each pass.
 */
export function checkWritable(policy: TrafficPolicy | undefined, field: string, writable: WritablePolicies): void {
  if (policy === undefined) return;
  if (!writable.policies.includes(policy.type))
    throw new ValidationError(
      `${field}.type`,
      policy.type,
      `the ${writable.provider} DNS provider does not write the ${policy.type} traffic policy; it writes ${writable.policies.join(', ') || 'none'}`,
    );
  routedPolicy(policy, field, [], writable.routing);
}

/**
 * Warns when `policy` routes the global name while the provider aliases load-balancer hostnames
 * and no `resolveHostname` is given: a routed member holds addresses, so a service whose healthy
 * shards are named by hostname alone keeps its global name as `all` plans it (an ALIAS set).
 * Returns whether it warned.
 */
export function warnUnresolvedRouting(
  policy: TrafficPolicy | undefined,
  field: string,
  options: Pick<ControllerOptions, 'dns' | 'resolveHostname' | 'logger'>,
): boolean {
  if (!isRouted(policy)) return false;
  if (options.resolveHostname !== undefined || options.dns.provider.canAlias === undefined) return false;
  options.logger?.warn(
    { field, trafficPolicy: policy.type, provider: options.dns.provider.name },
    'no resolveHostname: load balancers named by hostname are aliased, and a global name whose healthy shards have only hostnames answers as with the all traffic policy',
  );
  return true;
}
