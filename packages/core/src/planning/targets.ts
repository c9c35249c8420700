// What a place (a zone, a region, everywhere, one shard) answers, and its record data.
import type { Address } from '../dns/addresses.js';
import type { ValidShard } from './validate.js';

/** Addresses, and hostnames to alias, gathered for a place. */
export interface Targets {
  readonly addresses: Address[];
  /** Made on the first hostname: most federations have none. */
  hostnames?: string[];
  /** What the hostnames resolve to; made with `hostnames`. */
  hostnameAddresses?: Address[];
}

/** What a place or a shard answers, read only. */
export interface TargetsView {
  readonly addresses: readonly Address[];
  readonly hostnames?: readonly string[] | undefined;
  readonly hostnameAddresses?: readonly Address[] | undefined;
}

export function addTargets(place: Targets, shard: ValidShard): void {
  for (const address of shard.addresses) place.addresses.push(address);
  if (shard.hostnames.length > 0) {
    (place.hostnames ??= []).push(...shard.hostnames);
    (place.hostnameAddresses ??= []).push(...shard.hostnameAddresses);
  }
}

/**
 * What a place or a shard answers as addresses alone, its hostnames by what they resolve to: a
 * routed member is one record per location or weight, which holds one alias target at most.
 */
export function routableTargets(targets: TargetsView): TargetsView {
  if (targets.hostnames === undefined || targets.hostnames.length === 0) return targets;
  return { addresses: [...targets.addresses, ...(targets.hostnameAddresses ?? [])] };
}

/** The addresses once each, in numeric order, by family. */
export function uniqueAddresses(addresses: readonly Address[]): { v4: string[]; v6: string[] } {
  const sorted = [...addresses].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const v4: string[] = [];
  const v6: string[] = [];
  let previous: Address | undefined;
  for (const address of sorted) {
    if (previous?.key === address.key) continue;
    previous = address;
    (address.family === 4 ? v4 : v6).push(address.text);
  }
  return { v4, v6 };
}

/** The addresses of one family once each, in numeric order; a lone address without copying and sorting (most shards have one). */
export function familyRdatas(targets: TargetsView, family: 4 | 6): string[] {
  const { addresses } = targets;
  if (addresses.length === 1) return addresses[0]!.family === family ? [addresses[0]!.text] : [];
  const { v4, v6 } = uniqueAddresses(addresses);
  return family === 4 ? v4 : v6;
}

/** An ALIAS set's data: the hostnames once each and sorted, then the IPv4 and the IPv6 addresses. */
export function aliasRdatas(targets: TargetsView): string[] {
  const { v4, v6 } = uniqueAddresses(targets.addresses);
  return [...[...new Set(targets.hostnames)].sort(), ...v4, ...v6];
}
