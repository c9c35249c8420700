// The DNS provider as a pass sees it: every write checked against leadership first, so that a
// pass started before this replica lost the lease writes nothing once another replica leads.
import type { DnsProvider } from '../types.js';

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
  readonly [K in keyof Required<DnsProvider>]: (provider: DnsProvider, leading: () => boolean) => DnsProvider[K];
};

const FORWARDERS: Forwarders = {
  name: (provider) => provider.name,
  limits: (provider) => provider.limits,
  zones: (provider) => () => provider.zones(),
  records: (provider) => (zone) => provider.records(zone),
  applyChanges: (provider, leading) => (zone, changes) =>
    leading() ? provider.applyChanges(zone, changes) : Promise.reject(new LeadershipLost()),
  canAlias: (provider) => provider.canAlias?.bind(provider),
  requestCost: (provider) => provider.requestCost?.bind(provider),
  zoneVersion: (provider) => provider.zoneVersion?.bind(provider),
  readInterval: (provider) => provider.readInterval?.bind(provider),
};

/** `provider` with every member passed on, writes refused with LeadershipLost once `leading()` is false. */
export function fencedProvider(provider: DnsProvider, leading: () => boolean): DnsProvider {
  const members = Object.keys(FORWARDERS) as (keyof DnsProvider)[];
  // Each value comes from its member's forwarder, so the object has the port's type member by member.
  return Object.fromEntries(members.map((member) => [member, FORWARDERS[member](provider, leading)])) as unknown as DnsProvider;
}
