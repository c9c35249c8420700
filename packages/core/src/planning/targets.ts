// What a place (a zone, a region, everywhere, one shard) answers, and its record data.
import type { Address } from '../dns/addresses.js';
import type { ShardRdatas, ValidShard } from './validate.js';

/** Addresses, and hostnames to alias, gathered for a place. */
export interface Targets {
  readonly addresses: Address[];
  /** Made on the first hostname: most federations have none. */
  hostnames?: string[];
  /** What the hostnames resolve to; made with `hostnames`. */
  hostnameAddresses?: Address[];
  /**
   * The one healthy shard the place holds: `undefined` until a shard is added, `null` once a
   * second is. A place of one shard plans that shard's own data where it was made (see shardRdatas).
   */
  only: ValidShard | null | undefined;
  /** Its record data, once a `nearest` member has made it (see placeRdatas). */
  made: ShardRdatas | undefined;
}

/** What a place or a shard answers, read only. */
export interface TargetsView {
  readonly addresses: readonly Address[];
  readonly hostnames?: readonly string[] | undefined;
  readonly hostnameAddresses?: readonly Address[] | undefined;
  /** Its record data, once a `nearest` member has made it (see placeRdatas). */
  made?: ShardRdatas | undefined;
}

/** A place holding no shard yet. */
export const noTargets = (): Targets => ({ addresses: [], only: undefined, made: undefined });

export function addTargets(place: Targets, shard: ValidShard): void {
  for (const address of shard.addresses) place.addresses.push(address);
  if (shard.hostnames.length > 0) {
    (place.hostnames ??= []).push(...shard.hostnames);
    (place.hostnameAddresses ??= []).push(...shard.hostnameAddresses);
  }
  place.only = place.only === undefined ? shard : null;
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

/** No data of a type; shared, so never to be written. */
const NONE: readonly string[] = Object.freeze([]);

/** The addresses of one family once each, in numeric order; a lone address without copying and sorting (most shards have one). */
export function familyRdatas(targets: TargetsView, family: 4 | 6): readonly string[] {
  const { addresses } = targets;
  if (addresses.length === 1) return addresses[0]!.family === family ? [addresses[0]!.text] : NONE;
  const { v4, v6 } = uniqueAddresses(addresses);
  return family === 4 ? v4 : v6;
}

/**
 * A place's addresses of `type` once each, in numeric order, made once per place: a region's own
 * set and its `nearest` member hold the same array. Plans are read only, so sharing is safe.
 */
export function placeRdatas(targets: TargetsView, type: keyof ShardRdatas): readonly string[] {
  if (targets.made === undefined) {
    const { v4, v6 } = uniqueAddresses(targets.addresses);
    targets.made = { A: v4, AAAA: v6 };
  }
  return targets.made[type]!;
}

/** An ALIAS set's data: the hostnames once each and sorted, then the IPv4 and the IPv6 addresses. */
export function aliasRdatas(targets: TargetsView): string[] {
  const { v4, v6 } = uniqueAddresses(targets.addresses);
  return [...[...new Set(targets.hostnames)].sort(), ...v4, ...v6];
}

/**
 * One shard's own record data of `type`, routable (its hostnames by their addresses), made once
 * per plan and kept on the shard: its `weighted` member and a zone (or region) whose one healthy
 * shard it is hold the same array, so that a weighted plan holds one data array per shard rather
 * than two. A shard with hostnames plans an ALIAS set at its zone instead, so only shards without
 * share. Plans are read only (see planServiceRecords), so sharing is safe.
 */
export function shardRdatas(shard: ValidShard, type: keyof ShardRdatas): readonly string[] {
  const own = (shard.own ??= { A: undefined, AAAA: undefined });
  if (type === 'A') return (own.A ??= familyRdatas(routableTargets(shard), 4));
  return (own.AAAA ??= familyRdatas(routableTargets(shard), 6));
}
