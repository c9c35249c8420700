// One campaign run as data: the world it starts from, the provider's settings, and the schedule
// of events, all drawn from one seed. The runner (run.ts) carries the schedule out.
import type { ClusterHealth } from '@fedsvc/core';
import { type Random, seeded } from './random.js';

export interface ClusterSpec {
  readonly name: string;
  readonly region: string;
  /** Zones of the region (letters) its nodes span. */
  readonly zones: readonly string[];
}

/** Another writer's edit; `pick` in [0, 1) chooses among the names it fits when carried out. */
export interface Edit {
  readonly what: 'free' | 'owned-extra' | 'drift' | 'other-marker' | 'hijack' | 'unmark' | 'cleanup' | 'outside';
  readonly type: 'A' | 'TXT' | 'MX' | 'CNAME';
  readonly pick: number;
}

/** `transient-nth`: the n-th request from now fails; `partial`: non-atomic only. */
export type DnsFault = 'transient' | 'transient-nth' | 'throttled' | 'timeout' | 'conflict' | 'answer-lost' | 'partial';

export type Step =
  | { readonly kind: 'health'; readonly cluster: number; readonly health: ClusterHealth }
  | { readonly kind: 'topology'; readonly cluster: number; readonly zones: readonly string[] }
  | { readonly kind: 'membership'; readonly cluster: number }
  /** `everywhere`: in every cluster that holds a shard of the service. */
  | { readonly kind: 'endpoints'; readonly service: number; readonly cluster: number; readonly ready: number; readonly everywhere: boolean }
  | {
      readonly kind: 'ingress';
      readonly service: number;
      readonly cluster: number;
      readonly lb: 'none' | 'v4' | 'v6' | 'dual' | 'hostname';
      readonly n: number;
    }
  | { readonly kind: 'apply'; readonly service: number }
  | { readonly kind: 'delete'; readonly service: number }
  | { readonly kind: 'foreign'; readonly edit: Edit }
  /** The edit is made between two pages of the next listing that has more than `page` pages. */
  | { readonly kind: 'foreign-during-read'; readonly edit: Edit; readonly page: number }
  | { readonly kind: 'dns-fault'; readonly fault: DnsFault; readonly n: number; readonly on: 'read' | 'write' | 'any'; readonly ms: number }
  | { readonly kind: 'cluster-fault'; readonly n: number }
  | { readonly kind: 'restart' }
  | { readonly kind: 'resync' }
  | { readonly kind: 'wait'; readonly ms: number };

export interface Setup {
  readonly seed: number;
  readonly atomic: boolean;
  readonly maxChangesPerRequest: number;
  readonly pageSize: number;
  readonly latencyMs: number;
  /** The provider writes ALIAS record sets for hostnames under `lb.example.net`. */
  readonly aliases: boolean;
  readonly ttl: number;
  readonly coalesceMs: number;
  readonly resyncMs: number;
  readonly clusters: readonly ClusterSpec[];
  readonly services: readonly string[];
  /** Services applied from the start. */
  readonly initial: readonly number[];
  /** Ready endpoints each first shard gets once placed, by service and cluster. */
  readonly endpoints: readonly (readonly number[])[];
  readonly steps: readonly Step[];
}

export const REGIONS = ['us-east1', 'europe-west1', 'asia-east1'] as const;
export const ZONE_LETTERS = ['a', 'b', 'c'] as const;
const SERVICES = ['web', 'api', 'cart'] as const;

export function makeSetup(seed: number): Setup {
  const random = seeded(seed);
  const atomic = random.chance(0.5);
  const regions = REGIONS.slice(0, random.between(2, 3));
  const clusters = Array.from({ length: random.between(3, 5) }, (_, i) => ({
    name: `c${i}`,
    region: random.pick(regions),
    zones: zonesOf(random),
  }));
  const services = SERVICES.slice(0, random.between(1, 3));
  const aliases = random.chance(0.3);
  const stepCount = random.between(20, 70);
  return {
    seed,
    atomic,
    maxChangesPerRequest: random.pick([6, 8, 12, 1000]),
    pageSize: random.pick([3, 5, 8, 20]),
    latencyMs: random.pick([0, 1, 5, 20]),
    aliases,
    ttl: random.pick([60, 180, 300]),
    coalesceMs: random.pick([0, 5, 50]),
    resyncMs: random.pick([1_000, 3_000, 10_000]),
    clusters,
    services,
    initial: services.map((_, i) => i).filter(() => random.chance(0.7)),
    endpoints: services.map(() => clusters.map(() => random.pick([0, 1, 1, 1, 2]))),
    steps: Array.from({ length: stepCount }, () => step(random, clusters.length, services.length, atomic, aliases)),
  };
}

function zonesOf(random: Random): string[] {
  const zones = ZONE_LETTERS.filter(() => random.chance(0.4));
  return zones.length > 0 ? zones : [random.pick(ZONE_LETTERS)];
}

function edit(random: Random): Edit {
  return {
    what: random.pick(['free', 'free', 'owned-extra', 'owned-extra', 'drift', 'other-marker', 'hijack', 'unmark', 'cleanup', 'outside']),
    type: random.pick(['A', 'TXT', 'MX', 'CNAME']),
    pick: random.next(),
  };
}

function step(random: Random, clusters: number, services: number, atomic: boolean, aliases: boolean): Step {
  const cluster = random.int(clusters);
  const service = random.int(services);
  const roll = random.int(100);
  if (roll < 12) return { kind: 'health', cluster, health: random.pick(['Ready', 'Ready', 'NotReady', 'Offline'] as const) };
  if (roll < 15) return { kind: 'topology', cluster, zones: zonesOf(random) };
  if (roll < 17) return { kind: 'membership', cluster };
  if (roll < 32) return { kind: 'endpoints', service, cluster, ready: random.pick([0, 1, 1, 2]), everywhere: random.chance(0.3) };
  if (roll < 42) {
    const lbs = ['none', 'v4', 'v4', 'v6', 'dual', ...(aliases ? (['hostname', 'hostname'] as const) : [])] as const;
    return { kind: 'ingress', service, cluster, lb: random.pick(lbs), n: random.int(3) };
  }
  if (roll < 47) return { kind: 'apply', service };
  if (roll < 50) return { kind: 'delete', service };
  if (roll < 60) return { kind: 'foreign', edit: edit(random) };
  if (roll < 67) return { kind: 'foreign-during-read', edit: edit(random), page: random.between(1, 4) };
  if (roll < 80) {
    const faults: DnsFault[] = [
      'transient',
      'transient-nth',
      'throttled',
      'timeout',
      'conflict',
      'answer-lost',
      ...(atomic ? [] : (['partial'] as const)),
    ];
    return {
      kind: 'dns-fault',
      fault: random.pick(faults),
      n: random.between(1, 3),
      on: random.pick(['read', 'write', 'any'] as const),
      ms: random.pick([0, 50, 500, 5_000]),
    };
  }
  if (roll < 82) return { kind: 'cluster-fault', n: random.between(1, 2) };
  if (roll < 84) return { kind: 'restart' };
  if (roll < 87) return { kind: 'resync' };
  return { kind: 'wait', ms: random.pick([10, 100, 500, 2_000, 8_000]) };
}
