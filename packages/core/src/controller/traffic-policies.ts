// Which traffic policies the controller may ask of its DNS provider, checked where policies enter.
import { ValidationError } from '../errors.js';
import { PLAIN_TRAFFIC_POLICIES, TRAFFIC_POLICY_TYPES, validateTrafficPolicy } from '../planning/traffic-policy.js';
import type { DnsProvider, TrafficPolicy, TrafficPolicyType } from '../types.js';

/** The provider's name and the policies it writes. */
export interface WritablePolicies {
  readonly provider: string;
  readonly policies: readonly TrafficPolicyType[];
}

/** What the provider says it writes (plain record sets when it says nothing); throws ValidationError when that is malformed. */
export function writablePolicies(provider: DnsProvider): WritablePolicies {
  const stated: unknown = provider.trafficPolicies;
  if (stated === undefined) return { provider: provider.name, policies: PLAIN_TRAFFIC_POLICIES };
  if (!Array.isArray(stated) || stated.some((type) => !TRAFFIC_POLICY_TYPES.includes(type)))
    throw new ValidationError(
      'dns.provider.trafficPolicies',
      stated,
      `must be an array of traffic policies (${TRAFFIC_POLICY_TYPES.join(', ')})`,
    );
  return { provider: provider.name, policies: [...stated] };
}

/** Throws ValidationError naming the policy, the provider and what it writes, when the provider cannot write `policy`. */
export function checkWritable(policy: TrafficPolicy | undefined, field: string, writable: WritablePolicies): void {
  if (policy === undefined || writable.policies.includes(policy.type)) return;
  throw new ValidationError(
    `${field}.type`,
    policy.type,
    `the ${writable.provider} DNS provider does not write the ${policy.type} traffic policy; it writes ${writable.policies.join(', ') || 'none'}`,
  );
}

/**
 * `checkWritable` for a service as the host gives it, before anything of it is kept: a malformed
 * policy is refused as such first, naming the field that is wrong.
 */
export function checkServiceWritable(service: unknown, field: string, writable: WritablePolicies): void {
  const policy: unknown =
    typeof service === 'object' && service !== null ? (service as { trafficPolicy?: unknown }).trafficPolicy : undefined;
  if (policy !== undefined) checkWritable(validateTrafficPolicy(policy, `${field}.trafficPolicy`), `${field}.trafficPolicy`, writable);
}
