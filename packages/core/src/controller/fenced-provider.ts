// The DNS provider as a pass sees it: every write checked against leadership first, so that a
// pass started before this replica lost the lease writes nothing once another replica leads;
// and every request bounded by the call deadline, so that one never answered cannot hang a pass.
import type { DnsProvider } from '../types.js';
import { providerRequest } from './deadline.js';

/** Ends a pass whose replica stopped leading; never reported as a failure. */
export class LeadershipLost extends Error {
  constructor() {
    super('this replica no longer leads');
  }
}

/**
 * How each member of the port is passed on. Typed over `Required<DnsProvider>` so that a member
 * added to the port fails type-checking here until it is handled, instead of being dropped
 * silently (a provider's `canAlias` dropped would turn ALIAS targets into unresolved hostnames).
 */
type Forwarders = {
  readonly [K in keyof Required<DnsProvider>]: (provider: DnsProvider, fence: Fence) => DnsProvider[K];
};

interface Fence {
  readonly leading: () => boolean;
  /** The deadline of each request, milliseconds. */
  readonly deadlineMs: number;
}

const FORWARDERS: Forwarders = {
  name: (provider) => provider.name,
  limits: (provider) => provider.limits,
  zones:
    (provider, { deadlineMs }) =>
    () =>
      providerRequest(provider.name, deadlineMs, 'zones', () => provider.zones()),
  records:
    (provider, { deadlineMs }) =>
    (zone) =>
      providerRequest(provider.name, deadlineMs, 'records', () => provider.records(zone)),
  applyChanges:
    (provider, { leading, deadlineMs }) =>
    (zone, changes) =>
      leading()
        ? providerRequest(provider.name, deadlineMs, 'applyChanges', () => provider.applyChanges(zone, changes))
        : Promise.reject(new LeadershipLost()),
  canAlias: (provider) => provider.canAlias?.bind(provider),
  requestCost: (provider) => provider.requestCost?.bind(provider),
  zoneVersion: (provider, { deadlineMs }) => {
    const ask = provider.zoneVersion;
    return ask && ((zone) => providerRequest(provider.name, deadlineMs, 'zoneVersion', () => ask.call(provider, zone)));
  },
  readInterval: (provider) => provider.readInterval?.bind(provider),
  trafficPolicies: (provider) => provider.trafficPolicies,
  routing: (provider) => provider.routing,
};

/**
 * `provider` with every member passed on, each request bounded by `deadlineMs` (one past it is a
 * `transient` ProviderError), writes refused with LeadershipLost once `leading()` is false.
 */
export function fencedProvider(provider: DnsProvider, leading: () => boolean, deadlineMs: number): DnsProvider {
  const members = Object.keys(FORWARDERS) as (keyof DnsProvider)[];
  const fence: Fence = { leading, deadlineMs };
  // Each value comes from its member's forwarder, so the object has the port's type member by member.
  return Object.fromEntries(members.map((member) => [member, FORWARDERS[member](provider, fence)])) as unknown as DnsProvider;
}
