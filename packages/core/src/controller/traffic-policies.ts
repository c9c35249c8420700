// Which traffic policies the controller may ask of its DNS provider, checked where policies enter.
import { ValidationError } from '../errors.js';
import { PLAIN_TRAFFIC_POLICIES, TRAFFIC_POLICY_TYPES } from '../planning/traffic-policy.js';
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
