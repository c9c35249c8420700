// How a provider answers a query for a routed record set, as Route 53 and Cloud DNS document
// it: `nearest`, the member whose location has the lowest latency from the client's location
// (Route 53 latency records; Cloud DNS `geo`, nearest item); `weighted`, each member at random
// in proportion to its weight, all alike when every weight is 0 (Route 53 weighted records;
// Cloud DNS `wrr`). A plain set answers all its data.
import type { RecordSet, RoutingLimits } from '../src/types.js';

/** Round-trip latency in ms between two locations, either order; a location to itself is 1. */
export type LatencyTable = Readonly<Record<string, number>>;

export function latency(table: LatencyTable, from: string, to: string): number {
  if (from === to) return 1;
  const ms = table[`${from} ${to}`] ?? table[`${to} ${from}`];
  if (ms === undefined) throw new Error(`no latency from ${from} to ${to}`);
  return ms;
}

/** The guide's four regions, with latencies in the order of those between the real ones. */
export const GUIDE_LATENCY: LatencyTable = {
  'us-central1 us-east1': 30,
  'us-central1 europe-west1': 100,
  'us-central1 asia-east1': 150,
  'us-east1 europe-west1': 80,
  'us-east1 asia-east1': 190,
  'europe-west1 asia-east1': 250,
};

/** What a client at `client` gets for `set`: for `nearest` the nearest member's data (ties by location name). */
export function answer(set: RecordSet<string>, client: string, table: LatencyTable): readonly string[] {
  if (set.routing === undefined) return set.rrdatas;
  if (set.routing !== 'nearest') throw new Error(`a ${set.routing} set answers by chance: see distribution()`);
  const ranked = [...(set.members ?? [])].sort(
    (a, b) => latency(table, client, a.location!) - latency(table, client, b.location!) || (a.location! < b.location! ? -1 : 1),
  );
  return ranked[0]?.rrdatas ?? [];
}

/** For `weighted`: the chance of each member's data, by member id. */
export function distribution(set: RecordSet<string>): Map<string, number> {
  if (set.routing !== 'weighted') throw new Error('not a weighted set');
  const members = set.members ?? [];
  const total = members.reduce((sum, member) => sum + member.weight!, 0);
  return new Map(members.map((member) => [member.id, total === 0 ? 1 / members.length : member.weight! / total]));
}

/** Routing limits of a provider whose locations are the regions themselves (as Cloud DNS's are GCP regions). */
export function regionRouting(limits: Partial<RoutingLimits> = {}): RoutingLimits {
  return { locationOf: (region) => region, isLocation: () => true, maxWeight: 255, maxMembers: 100, ...limits };
}
