// The guide's world for controller tests: 13 in-memory clusters, dns-memory, and the planner's
// view of the truth to compare DNS against.
import { createMemoryProvider, type MemoryDnsProvider } from '@fedsvc/dns-memory';
import { afterEach } from 'vitest';
import { createController, type FederationController } from '../src/controller/controller.js';
import type { ControllerEvents, ControllerOptions } from '../src/controller/types.js';
import { MemoryClusters } from '../src/testing/memory-clusters.js';
import type { FederatedService } from '../src/placement/placement.js';
import { normalizeName } from '../src/dns/names.js';
import { planServiceRecords } from '../src/planning/plan.js';
import { guideLoadBalancerAddresses, guideZones } from '../src/testing/guide.js';
import type { Change, DnsProvider, DnsZone, Federation, RecordSet, ServiceManifest } from '../src/types.js';

export const federation: Federation = { name: 'myfederation', domain: 'example.com' };
export const OWNER = 'fed-test';

export const ZONES = guideZones;

/** The guide's addresses where it shows them; documentation addresses elsewhere. */
export const ADDRESSES = guideLoadBalancerAddresses;

export const regionOf = (zone: string): string => zone.slice(0, zone.lastIndexOf('-'));
export const clusterOf = (zone: string): string => `gce-${zone}`;

export const nginx = (namespace = 'mynamespace', name = 'nginx'): FederatedService => ({
  manifest: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: { run: 'nginx' } },
    spec: { type: 'LoadBalancer', selector: { run: 'nginx' }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  } satisfies ServiceManifest,
});

/** A person's records in the zone: the federation must never touch them. */
export const FOREIGN: readonly RecordSet<string>[] = [
  { name: 'www.example.com.', type: 'A', ttl: 300, rrdatas: ['192.0.2.1'] },
  { name: 'nginx.acme.example.com.', type: 'CNAME', ttl: 300, rrdatas: ['nginx.mynamespace.myfederation.svc.example.com.'] },
  { name: 'other.mynamespace.myfederation.svc.example.com.', type: 'A', ttl: 60, rrdatas: ['192.0.2.2'] },
];

export interface World {
  readonly clusters: MemoryClusters;
  readonly provider: MemoryDnsProvider;
  readonly zone: DnsZone;
  controller(overrides?: Partial<ControllerOptions>): FederationController;
}

/** The guide's world; `canAlias` makes dns-memory a provider that writes ALIAS record sets. */
export function guideWorld(dns: { canAlias?: (hostname: string) => boolean } = {}): World {
  const clusters = new MemoryClusters(
    ZONES.map((zone) => ({
      name: clusterOf(zone),
      zones: [zone],
      region: regionOf(zone),
      labels: { 'topology.kubernetes.io/region': regionOf(zone) },
      loadBalancerAddresses: [ADDRESSES[zone]!],
    })),
  );
  const provider = createMemoryProvider({ zones: [{ dnsName: 'example.com', id: 'example-dot-com', records: FOREIGN }], ...dns });
  const zone: DnsZone = { id: 'example-dot-com', dnsName: 'example.com.' };
  return {
    clusters,
    provider,
    zone,
    controller: (overrides = {}) =>
      createController({
        federation,
        ownerId: OWNER,
        clusters,
        dns: { provider, zone },
        coalesceMs: 5,
        backoff: { baseMs: 5, maxMs: 40 },
        sleep: async () => {},
        zoneRateLimit: 1000,
        ...overrides,
      }),
  };
}

/** The federation's A/AAAA/CNAME records in the zone (markers, apex and foreign records left out). */
export function published(world: World, namespace = 'mynamespace', name = 'nginx'): RecordSet<string>[] {
  const prefix = `${name}.${namespace}.myfederation.svc.`;
  return canonical(
    world.provider
      .snapshot(world.zone)
      .filter((r) => r.name.startsWith(prefix) && r.type !== 'TXT')
      .filter((r) => !FOREIGN.some((f) => f.name === r.name && f.type === r.type)),
  );
}

/** What the planner says the zone should hold, from the clusters' true state. */
export function expected(world: World, namespace = 'mynamespace', name = 'nginx'): RecordSet<string>[] {
  const clusters = world.clusters.clusters().map((c) => ({ name: c.name, zones: c.zones, region: c.region, ready: c.health === 'Ready' }));
  // Hostnames the provider aliases are published as they are; this world resolves no others.
  const aliased = (hostname: string | undefined) => hostname !== undefined && world.provider.canAlias?.(normalizeName(hostname)) === true;
  const shards = world.clusters.shards(namespace, name).map((s) => ({
    cluster: s.cluster,
    readyEndpoints: s.readyEndpoints,
    addresses: s.ingress.flatMap((i) => (i.ip ? [i.ip] : [])),
    hostnames: s.ingress.flatMap((i) => (aliased(i.hostname) ? [i.hostname!] : [])),
  }));
  return canonical(planServiceRecords({ federation, service: { namespace, name }, clusters, shards }));
}

export function canonical(records: readonly RecordSet<string>[]): RecordSet<string>[] {
  return records
    .map((r) => ({ name: r.name, type: r.type, ttl: r.ttl, rrdatas: [...r.rrdatas].sort() }))
    .sort((a, b) => (a.name + a.type < b.name + b.type ? -1 : 1));
}

/** Waits for `promise`, failing after `ms` (bounded waits; no timing assertions). */
export async function within<T>(promise: Promise<T>, ms = 10_000, what = 'operation'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `condition` until it holds, failing after `ms`. */
export async function until(condition: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function podsUp(world: World, zones: readonly string[], namespace = 'mynamespace', name = 'nginx'): void {
  for (const zone of zones) world.clusters.setReadyEndpoints(clusterOf(zone), namespace, name, 1);
}

export function podsDown(world: World, zones: readonly string[], namespace = 'mynamespace', name = 'nginx'): void {
  for (const zone of zones) world.clusters.setReadyEndpoints(clusterOf(zone), namespace, name, 0);
}

/** The world's provider with its writes going through `applyChanges` (which may call the real one). */
export function interceptWrites(world: World, applyChanges: (zone: DnsZone, changes: readonly Change[]) => Promise<void>): DnsProvider {
  const inner = world.provider;
  return { name: inner.name, limits: inner.limits, zones: () => inner.zones(), records: (zone) => inner.records(zone), applyChanges };
}

type Overrides = Parameters<World['controller']>[0];

/**
 * Controllers for the test file that calls it (at its top level), `defaults` under each call's
 * overrides, every one stopped after each test; a stop that never ends fails the test. `start`
 * makes and starts one; `create` only makes one, for a test that listens before it starts.
 */
export function controllers(defaults: Overrides = {}): {
  create: (world: World, overrides?: Overrides) => FederationController;
  start: (world: World, overrides?: Overrides) => FederationController;
} {
  const running: FederationController[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((controller) => within(controller.stop(), 10_000, 'stop')));
  });
  const create = (world: World, overrides: Overrides = {}) => {
    const controller = world.controller({ ...defaults, ...overrides });
    running.push(controller);
    return controller;
  };
  return {
    create,
    start: (world, overrides) => {
      const controller = create(world, overrides);
      controller.start();
      return controller;
    },
  };
}

/** Waits until the controller has nothing left to do. */
export const settle = (controller: FederationController): Promise<void> => within(controller.idle(), 10_000, 'controller idle');

/** Every payload of `event` the controller emits from now on. */
export function collect<E extends keyof ControllerEvents>(controller: FederationController, event: E): ControllerEvents[E][0][] {
  const seen: ControllerEvents[E][0][] = [];
  controller.on(event, ((payload: ControllerEvents[E][0]) => seen.push(payload)) as never);
  return seen;
}
