// The controller bench's world, 1,000 services × 100 clusters in memory, and what it measures at
// start: the controller's start-up (placing every shard, then the first convergence) and the two
// floors, what any controller must compute for them. Shared by the bench, which runs them in its
// own process, and by controller-cold.ts, which runs one side of them in a fresh process.
import {
  type Cluster,
  createController,
  diffRecords,
  type FederatedService,
  placeShards,
  planServiceRecords,
  type RecordSet,
  type Shard,
} from '@fedsvc/core';
import { MemoryClusters } from '@fedsvc/core/testing';
import { createMemoryProvider, type MemoryDnsProvider } from '@fedsvc/dns-memory';
import { address, clustersOf } from './federation.js';
import { gc } from './measure.js';

export const SERVICES = Number(process.env.SERVICES ?? 1_000);
export const CLUSTERS = 100;

export const service = (s: number): FederatedService => ({
  manifest: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: `ns${s % 50}`, name: `svc${s}` },
    spec: { type: 'LoadBalancer', selector: { app: `svc${s}` }, ports: [{ port: 80, protocol: 'TCP' }] },
  },
});
export const ref = (s: number) => ({ namespace: `ns${s % 50}`, name: `svc${s}` });

export const topology = clustersOf(CLUSTERS);
/** Member clusters whose load balancers hand each service an address of its own. */
export const world = (): MemoryClusters =>
  new MemoryClusters(
    topology.map((cluster, c) => ({
      ...cluster,
      loadBalancerAddresses: Array.from({ length: SERVICES }, (_, s) => address(s * 512 + c)),
    })),
  );
export const zone = { id: 'bench', dnsName: 'example.com.' };
// When each change set is handed to the provider: the end of the controller's own work. And
// from when to when the provider worked on each (here the in-memory zone applying it): a pass
// waits for one change set's answer before it hands the next, and no floor counts the
// provider's work, so a figure leaves out the time of the answers it waited for. The process's
// CPU is read at the same points, to leave the answers out of it too.
export const handed: { at: number; cpu: number }[] = [];
const answered: { from: number; to: number; cpu: number }[] = [];
/** An in-memory zone whose change sets are timed as they are handed and answered. */
export function timedProvider(): MemoryDnsProvider {
  const provider = createMemoryProvider({ zones: [{ dnsName: 'example.com', id: 'bench' }], pageSize: 300 });
  const applyChanges = provider.applyChanges.bind(provider);
  provider.applyChanges = (target, changes) => {
    const from = performance.now();
    const fromCpu = cpuMs();
    handed.push({ at: from, cpu: fromCpu });
    const answer = applyChanges(target, changes);
    const done = () => answered.push({ from, to: performance.now(), cpu: cpuMs() - fromCpu });
    answer.then(done, done);
    return answer;
  };
  return provider;
}
/** The controller's own wall time and CPU from `start` until the last change set was handed: the provider's answers before it left out. */
export function ownUntilHanded(start: { at: number; cpu: number }): { wall: number; cpu: number } {
  const last = handed.at(-1) ?? start;
  const before = answered.filter(({ from, to }) => from >= start.at && to <= last.at);
  return {
    wall: before.reduce((rest, { from, to }) => rest - (to - from), last.at - start.at),
    cpu: before.reduce((rest, { cpu }) => rest - cpu, last.cpu - start.cpu),
  };
}
// When the last shard action was carried out: the end of placing. And the process's CPU then.
// Both are read at the last of the services × clusters creates only: the floor reads no clock
// at each action either.
let lastPlaced = Number.NaN;
let lastPlacedCpu = Number.NaN;
let shardActions = 0;

/**
 * One start-up over a fresh world: placing every shard, then the first convergence once every
 * shard has a ready endpoint. Each clock starts once its world is built, after a full collection.
 */
export async function startUp() {
  const clusters = world();
  const provider = timedProvider();
  const applyShard = clusters.applyShard.bind(clusters);
  shardActions = 0;
  clusters.applyShard = (action) => {
    const done = applyShard(action);
    if (++shardActions === SERVICES * CLUSTERS) {
      lastPlaced = performance.now();
      lastPlacedCpu = cpuMs();
    }
    return done;
  };
  const controller = createController({
    federation: { name: 'fed', domain: 'example.com' },
    ownerId: 'bench',
    clusters,
    dns: { provider, zone },
    services: Array.from({ length: SERVICES }, (_, s) => service(s)),
  });
  gc();
  let start = performance.now();
  const startCpu = cpuMs();
  controller.start();
  await controller.idle();
  const placing = { idle: performance.now() - start, shards: lastPlaced - start, cpu: lastPlacedCpu - startCpu };
  handed.length = 0;
  start = performance.now();
  readyEverywhere(clusters);
  // The member clusters' own work of making the events ends here; the floor, too, starts with the shards made.
  const sent = { at: performance.now(), cpu: cpuMs() };
  await controller.idle();
  const convergence = {
    idle: performance.now() - start,
    handed: (handed.at(-1)?.at ?? start) - start,
    own: ownUntilHanded(sent),
  };
  return { clusters, provider, controller, placing, convergence };
}

/** Every shard of every service gets one ready endpoint. */
export function readyEverywhere(clusters: MemoryClusters): void {
  for (let s = 0; s < SERVICES; s++)
    for (const cluster of topology) clusters.setReadyEndpoints(cluster.name, ref(s).namespace, ref(s).name, 1);
}

/**
 * Re-planning every service from the shards `clusters` hold now (`notReady` clusters out), then
 * one diff of their record sets against `current`: the work a cluster event needs at least.
 * The clock starts once the shards are read, after a full collection.
 */
export function replanFloor(
  clusters: MemoryClusters,
  notReady: ReadonlySet<string>,
  current: readonly RecordSet<string>[],
): { wall: number; cpu: number } {
  const planned: Cluster[] = topology.map((c) => ({ name: c.name, zones: c.zones, region: c.region, ready: !notReady.has(c.name) }));
  const shards: Shard[][] = Array.from({ length: SERVICES }, (_, s) =>
    clusters.shards(ref(s).namespace, ref(s).name).map((shard) => ({
      cluster: shard.cluster,
      readyEndpoints: shard.readyEndpoints,
      addresses: shard.ingress.flatMap((entry) => (entry.ip ? [entry.ip] : [])),
    })),
  );
  gc();
  const at = performance.now();
  const cpu = cpuMs();
  const desired: RecordSet[] = [];
  for (let s = 0; s < SERVICES; s++)
    desired.push(
      ...planServiceRecords({ federation: { name: 'fed', domain: 'example.com' }, service: ref(s), clusters: planned, shards: shards[s]! }),
    );
  diffRecords(current, desired, { ownerId: 'bench' });
  return { wall: performance.now() - at, cpu: cpuMs() - cpu };
}

/**
 * Placing every service in every cluster of a fresh world like the one the controller placed, the
 * actions decided and carried out: what start-up needs at least. Like the start-up, the clock
 * starts once the world and the services are built, after a full collection.
 */
export function placementFloor(): { world: MemoryClusters; wall: number; cpu: number } {
  const fresh = world();
  const statuses = fresh.clusters();
  const services = Array.from({ length: SERVICES }, (_, s) => service(s));
  gc();
  const cpu = cpuMs();
  const at = performance.now();
  for (const one of services) {
    const actions = placeShards({ service: one, clusters: statuses, existing: [], created: new Set(), ownerId: 'bench' });
    for (const action of actions) void fresh.applyShard(action);
  }
  const wall = performance.now() - at;
  return { world: fresh, wall, cpu: cpuMs() - cpu };
}

/** The process's CPU so far, user and system, all its threads, in milliseconds. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
