// A desired routed record set as the provider takes it: a routing it writes, members within its
// limits, in id order, each with a location or a weight it accepts and data of its own.
import { ValidationError } from '../errors.js';
import { canonicalRdata } from '../dns/rdata.js';
import type { DnsProvider, RecordSet, RoutingLimits } from '../types.js';

const ROUTED_TYPES: readonly string[] = ['A', 'AAAA', 'ALIAS'];

/** Throws ValidationError naming the first field of a routed record set `provider` cannot take. */
export function validateRouted(record: RecordSet, field: string, provider: DnsProvider): void {
  const { routing, members } = record;
  if (routing !== 'nearest' && routing !== 'weighted')
    throw new ValidationError(`${field}.routing`, routing, 'must be nearest or weighted, with members');
  const limits = provider.routing;
  if (limits === undefined || provider.trafficPolicies?.includes(routing) !== true)
    throw new ValidationError(`${field}.routing`, routing, `provider ${provider.name} does not write ${routing} routed record sets`);
  if (!ROUTED_TYPES.includes(record.type))
    throw new ValidationError(`${field}.type`, record.type, 'a routed record set is of type A, AAAA or ALIAS');
  if (!Array.isArray(members) || members.length === 0 || members.length > limits.maxMembers)
    throw new ValidationError(`${field}.members`, members, `must be 1 to ${limits.maxMembers} members`);
  const union = new Set<string>();
  const locations = new Set<string>();
  members.forEach((member, j) => {
    const at = `${field}.members[${j}]`;
    if (typeof member?.id !== 'string' || member.id === '') throw new ValidationError(`${at}.id`, member?.id, 'must be a non-empty string');
    if (j > 0 && !(members[j - 1]!.id < member.id))
      throw new ValidationError(`${at}.id`, member.id, 'members must be in id order, each id once');
    memberPlace(member, at, routing, limits, locations);
    if (
      !Array.isArray(member.rrdatas) ||
      member.rrdatas.length === 0 ||
      !member.rrdatas.every((r: unknown) => typeof r === 'string' && r !== '')
    )
      throw new ValidationError(`${at}.rrdatas`, member.rrdatas, 'must be one or more non-empty strings');
    for (const rrdata of member.rrdatas) union.add(canonicalRdata(record.type, rrdata));
  });
  const own = new Set(record.rrdatas.map((rrdata) => canonicalRdata(record.type, rrdata)));
  if (own.size !== union.size || [...own].some((rrdata) => !union.has(rrdata)))
    throw new ValidationError(`${field}.rrdatas`, record.rrdatas, "must be the union of the members' rrdatas");
}

/** `nearest`: a location the provider accepts, once in the set; `weighted`: a weight in its range. */
function memberPlace(
  member: NonNullable<RecordSet['members']>[number],
  at: string,
  routing: 'nearest' | 'weighted',
  limits: RoutingLimits,
  locations: Set<string>,
): void {
  if (routing === 'nearest') {
    const { location } = member;
    if (typeof location !== 'string' || limits.isLocation(location) !== true || member.weight !== undefined)
      throw new ValidationError(`${at}.location`, location, 'must be a location the provider accepts, and the member have no weight');
    if (locations.has(location)) throw new ValidationError(`${at}.location`, location, 'names a location another member has');
    locations.add(location);
    return;
  }
  const { weight } = member;
  if (
    typeof weight !== 'number' ||
    !Number.isSafeInteger(weight) ||
    weight < 0 ||
    weight > limits.maxWeight ||
    member.location !== undefined
  )
    throw new ValidationError(`${at}.weight`, weight, `must be an integer from 0 to ${limits.maxWeight}, and the member have no location`);
}
