// A shard's load-balancer ingress as the planner takes it: addresses, hostnames the provider
// can alias, and the other hostnames resolved to addresses.
import { normalizeName } from '../dns/names.js';
import { publicAddress } from '../dns/addresses.js';
import { withOne } from '../lists.js';
import { isShardHealthy } from '../planning/plan.js';
import type { Logger, Shard, ShardStatus } from '../types.js';
import type { JudgeHealth } from './cluster-state.js';
import { HostnameCache } from './hostnames.js';
import type { ControllerOptions, RefusedAddress, ServiceKey } from './types.js';

export interface Resolution {
  /** Whether the DNS provider writes `hostname` as an ALIAS target. */
  readonly aliased: (hostname: string) => boolean;
  /** The addresses last resolved; absent without a resolver. */
  readonly resolved?: ((hostname: string) => readonly string[]) | undefined;
}

/**
 * How load-balancer hostnames become targets: those the provider aliases stay hostnames; with
 * `resolveHostname`, the others are resolved (each lookup within `timeoutMs`), and resolved again at the record TTL (`ttlMs`),
 * a change of addresses asking a pass (`replan`) for the services whose shards name the hostname
 * (`using`).
 */
export function hostnameResolution(
  options: Pick<ControllerOptions, 'dns' | 'resolveHostname' | 'logger'>,
  ttlMs: number,
  timeoutMs: number,
  using: (hostname: string) => ServiceKey[],
  replan: (keys: ServiceKey[]) => void,
): { readonly hostnames: HostnameCache | undefined; readonly resolution: Resolution } {
  const resolve = options.resolveHostname;
  const hostnames =
    resolve &&
    new HostnameCache({
      resolve,
      ttlMs,
      timeoutMs,
      inUse: (hostname) => using(hostname).length > 0,
      onChange: (hostname) => replan(using(hostname)),
      logger: options.logger,
    });
  const resolution = {
    aliased: (hostname: string) => options.dns.provider.canAlias?.(normalizeName(hostname)) === true,
    resolved: hostnames && ((hostname: string) => hostnames.addresses(hostname)),
  };
  return { hostnames, resolution };
}

export interface Targets {
  readonly addresses: readonly string[];
  readonly hostnames: readonly string[];
  /** What the aliased hostnames last resolved to, for a routed global name (hostnamesToResolve). */
  readonly hostnameAddresses: readonly string[];
  /** Hostnames neither aliased nor resolvable: the shard serves nothing through them. */
  readonly unresolvable: readonly string[];
  /** Addresses no public record may carry, each with why: left out, the shard's others go on. */
  readonly refused: readonly RefusedAddress[];
}

/** The lists of a shard's targets while they are read: each made only once something goes in it. */
type Lists = { -readonly [K in keyof Targets]?: Targets[K] extends readonly (infer T)[] ? T[] : never };

const NONE: readonly never[] = [];

export function shardTargets(shard: ShardStatus, resolution: Resolution): Targets {
  // Read for every ready shard when its events are heard and again when it is planned: most have
  // one address and nothing else, and five lists each would be most of what reading them costs.
  const lists: Lists = {};
  for (const entry of shard.ingress) {
    const { hostname } = entry;
    if (entry.ip !== undefined) screened(lists, 'addresses', entry.ip);
    else if (hostname === undefined) continue;
    else if (resolution.aliased(hostname)) {
      lists.hostnames = withOne(lists.hostnames, hostname);
      for (const address of resolution.resolved?.(hostname) ?? []) screened(lists, 'hostnameAddresses', address, hostname);
    } else if (resolution.resolved) for (const address of resolution.resolved(hostname)) screened(lists, 'addresses', address, hostname);
    else lists.unresolvable = withOne(lists.unresolvable, hostname);
  }
  return {
    addresses: lists.addresses ?? NONE,
    hostnames: lists.hostnames ?? NONE,
    hostnameAddresses: lists.hostnameAddresses ?? NONE,
    unresolvable: lists.unresolvable ?? NONE,
    refused: lists.refused ?? NONE,
  };
}

/** Adds the address to the list `into`, or to the shard's addresses refused. */
function screened(lists: Lists, into: 'addresses' | 'hostnameAddresses', raw: unknown, hostname?: string): void {
  const address = publicAddress(raw);
  if (typeof address !== 'string') lists[into] = withOne(lists[into], address.text);
  else
    lists.refused = withOne(
      lists.refused,
      hostname === undefined ? { address: String(raw), reason: address } : { address: String(raw), reason: address, hostname },
    );
}

/**
 * The hostnames to resolve: those the provider cannot alias, and, for a service whose global name
 * is routed (`routed`), every one: a routed member is one record, which holds one alias target at
 * most, so the global name answers their addresses while its zones and regions alias them.
 */
export function hostnamesToResolve(shards: Iterable<ShardStatus>, aliased: (hostname: string) => boolean, routed = false): Set<string> {
  const hosts = new Set<string>();
  for (const shard of shards) {
    for (const entry of shard.ingress) {
      if (entry.ip === undefined && entry.hostname !== undefined && (routed || !aliased(entry.hostname))) hosts.add(entry.hostname);
    }
  }
  return hosts;
}

/** A shard's targets as the planner takes them. */
export type PlannedTargets = Pick<Shard, 'addresses' | 'hostnames' | 'hostnameAddresses'>;

/**
 * A shard's targets as a pass plans them. A hostname nothing can turn into addresses is warned
 * about once (per controller), since its shard then silently serves nothing; an address no
 * public record may carry is told to `onRefused` once (per controller) for each service,
 * cluster and address.
 */
export function plannedTargets(
  resolution: Resolution,
  logger: Logger | undefined,
  onRefused: (shard: ShardStatus, refused: RefusedAddress) => void,
): (shard: ShardStatus) => PlannedTargets {
  const warned = new Set<string>();
  const told = new Set<string>();
  return (shard) => {
    const { addresses, hostnames, hostnameAddresses, unresolvable, refused } = shardTargets(shard, resolution);
    for (const entry of refused) {
      const key = `${shard.namespace}/${shard.name}\n${shard.cluster}\n${entry.address}`;
      if (told.has(key)) continue;
      told.add(key);
      onRefused(shard, entry);
    }
    for (const hostname of unresolvable) {
      if (warned.has(hostname)) continue;
      warned.add(hostname);
      logger?.warn(
        { hostname },
        'load-balancer hostname neither resolved (no resolveHostname) nor aliased by the DNS provider: its shard has no address',
      );
    }
    // Fail static keeps one planned shard per cluster and service: an empty list in each would
    // cost megabytes at 100,000 shards.
    if (hostnames.length === 0) return { addresses };
    return hostnameAddresses.length > 0 ? { addresses, hostnames, hostnameAddresses } : { addresses, hostnames };
  };
}

/** The planner's rule of shard health, over the shard's targets as a pass plans them. */
export function shardHealth(resolution: Resolution): JudgeHealth {
  // A shard without ready endpoints, or in a cluster not Ready, serves nothing whatever its
  // targets; most shard events are of such shards (every shard a start-up creates), and reading
  // the targets parses addresses.
  return (cluster, shard) =>
    cluster?.health === 'Ready' &&
    shard.readyEndpoints > 0 &&
    isShardHealthy({ ready: true }, { readyEndpoints: shard.readyEndpoints, ...shardTargets(shard, resolution) });
}
