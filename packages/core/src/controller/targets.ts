// A shard's load-balancer ingress as the planner takes it: addresses, hostnames the provider
// can alias, and the other hostnames resolved to addresses.
import type { ShardStatus } from '../types.js';

export interface Resolution {
  /** Whether the DNS provider writes `hostname` as an ALIAS target. */
  readonly aliased: (hostname: string) => boolean;
  /** The addresses last resolved; absent without a resolver. */
  readonly resolved?: ((hostname: string) => readonly string[]) | undefined;
}

export interface Targets {
  readonly addresses: string[];
  readonly hostnames: string[];
  /** Hostnames neither aliased nor resolvable: the shard serves nothing through them. */
  readonly unresolvable: string[];
}

export function shardTargets(shard: ShardStatus, resolution: Resolution): Targets {
  const targets: Targets = { addresses: [], hostnames: [], unresolvable: [] };
  for (const entry of shard.ingress) {
    if (entry.ip !== undefined) targets.addresses.push(entry.ip);
    else if (entry.hostname === undefined) continue;
    else if (resolution.aliased(entry.hostname)) targets.hostnames.push(entry.hostname);
    else if (resolution.resolved) targets.addresses.push(...resolution.resolved(entry.hostname));
    else targets.unresolvable.push(entry.hostname);
  }
  return targets;
}

/** The hostnames to resolve: those the provider cannot alias. */
export function hostnamesToResolve(shards: Iterable<ShardStatus>, aliased: (hostname: string) => boolean): Set<string> {
  const hosts = new Set<string>();
  for (const shard of shards) {
    for (const entry of shard.ingress) {
      if (entry.ip === undefined && entry.hostname !== undefined && !aliased(entry.hostname)) hosts.add(entry.hostname);
    }
  }
  return hosts;
}
