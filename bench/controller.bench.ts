// The controller with 1,000 services × 100 clusters loaded: propagation latency from a
// shard health event to the zone, steady state with nothing changing, and memory held.
import {
  type Cluster,
  createController,
  diffRecords,
  type FederatedService,
  type FederationController,
  placeShards,
  planServiceRecords,
  type RecordSet,
  type Shard,
} from '@fedsvc/core';
import { sleep } from '@fedsvc/core/provider';
import { MemoryClusters } from '@fedsvc/core/testing';
import { createMemoryProvider, type MemoryDnsProvider } from '@fedsvc/dns-memory';
import { address, clustersOf } from './federation.js';
import { gc, machine, ms, percentile, retainedHeap, table } from './measure.js';

const SERVICES = Number(process.env.SERVICES ?? 1_000);
const CLUSTERS = 100;
const EVENTS = Number(process.env.EVENTS ?? 1_000);

const service = (s: number): FederatedService => ({
  manifest: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: `ns${s % 50}`, name: `svc${s}` },
    spec: { type: 'LoadBalancer', selector: { app: `svc${s}` }, ports: [{ port: 80, protocol: 'TCP' }] },
  },
});
const ref = (s: number) => ({ namespace: `ns${s % 50}`, name: `svc${s}` });

const topology = clustersOf(CLUSTERS);
/** Member clusters whose load balancers hand each service an address of its own. */
const world = (): MemoryClusters =>
  new MemoryClusters(
    topology.map((cluster, c) => ({
      ...cluster,
      loadBalancerAddresses: Array.from({ length: SERVICES }, (_, s) => address(s * 512 + c)),
    })),
  );
const zone = { id: 'bench', dnsName: 'example.com.' };
// When each change set is handed to the provider: the end of the controller's own work. And
// from when to when the provider worked on each (here the in-memory zone applying it): a pass
// waits for one change set's answer before it hands the next, and no floor counts the
// provider's work, so a figure leaves out the time of the answers it waited for.
const handed: number[] = [];
const answered: { from: number; to: number }[] = [];
/** An in-memory zone whose change sets are timed as they are handed and answered. */
function timedProvider(): MemoryDnsProvider {
  const provider = createMemoryProvider({ zones: [{ dnsName: 'example.com', id: 'bench' }], pageSize: 300 });
  const applyChanges = provider.applyChanges.bind(provider);
  provider.applyChanges = (target, changes) => {
    const from = performance.now();
    handed.push(from);
    const answer = applyChanges(target, changes);
    const done = () => answered.push({ from, to: performance.now() });
    answer.then(done, done);
    return answer;
  };
  return provider;
}
/** The controller's own time from `start` until the last change set was handed: the provider's answers before it left out. */
function ownUntilHanded(start: number): number {
  const last = handed.at(-1) ?? start;
  const waited = answered.reduce((sum, { from, to }) => (from >= start && to <= last ? sum + (to - from) : sum), 0);
  return last - start - waited;
}
// When the last shard action was carried out: the end of placing. And the process's CPU then.
// Both are read at the last of the services × clusters creates only: the floor reads no clock
// at each action either.
let lastPlaced = Number.NaN;
let lastPlacedCpu = Number.NaN;
let shardActions = 0;
/** The CPU of each run of placing's floor. */
const placeFloorCpu: number[] = [];

/** One start-up over a fresh world: placing every shard, then the first convergence once every shard has a ready endpoint. */
async function startUp() {
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
  for (let s = 0; s < SERVICES; s++)
    for (const cluster of topology) clusters.setReadyEndpoints(cluster.name, ref(s).namespace, ref(s).name, 1);
  // The member clusters' own work of making the events ends here; the floor, too, starts with the shards made.
  const sent = performance.now();
  await controller.idle();
  const convergence = { idle: performance.now() - start, handed: (handed.at(-1) ?? start) - start, own: ownUntilHanded(sent) };
  return { clusters, provider, controller, placing, convergence };
}

// The first start-up in a process also compiles placement, the in-memory clusters and the
// controller; the floors, measured after it, run on code already compiled (their own first run
// costs about twice their later ones). So the start-up measured is the second, over a world of
// its own, and the first one's figures are printed beside it, against the same floors.
const { placing: coldPlacing, convergence: coldConvergence } = await (async () => {
  const first = await startUp();
  await first.controller.stop();
  return first;
})();
// Its queues hold timers, and through them its world, for up to a second after it stops.
await sleep(1_500);
let measured: Awaited<ReturnType<typeof startUp>> | undefined = await startUp();
const { clusters, provider, placing, convergence } = measured;
let controller: FederationController | undefined = measured.controller;
// Only `controller` holds it: the memory below is measured once it is gone.
measured = undefined;
const held = provider.snapshot(zone).length;
// The floors, in this process: what any controller must compute, and nothing else.
const placeFloor = median(3, placementFloor);
const convergeFloor = median(3, () => replanFloor(new Set(), []));

// A healthy shard loses its endpoints (its zone's A set becomes a CNAME), or gets them back.
// Measured: from the event to the change set handed to the provider, and (the controller's
// own figure) to the zone holding it.
async function events(count: number, spacingMs: number, from: number): Promise<{ handed: number[]; applied: number[] }> {
  const out = { handed: [] as number[], applied: [] as number[] };
  const listener = (event: { latencyMs: number }) => out.applied.push(event.latencyMs);
  controller!.on('records-applied', listener);
  for (let i = from; i < from + count; i++) {
    const s = (i * 7919) % SERVICES;
    const cluster = topology[(i * 31) % CLUSTERS]!;
    const shard = clusters.shard(cluster.name, ref(s).namespace, ref(s).name)!;
    handed.length = 0;
    const at = performance.now();
    clusters.setReadyEndpoints(cluster.name, ref(s).namespace, ref(s).name, shard.readyEndpoints > 0 ? 0 : 1);
    await controller!.idle();
    if (handed[0] !== undefined) out.handed.push(handed[0] - at);
    const rest = spacingMs - (performance.now() - at);
    if (rest > 0) await sleep(rest);
  }
  controller!.off('records-applied', listener);
  return out;
}
// Events one at a time, 120 ms apart: within the zone's default rate limit (10 passes a second),
// which p-queue counts in fixed one-second windows.
const lone = await events(EVENTS, 120, 0);
// Back to back: each event as soon as the previous one reached the zone; the coalescing window
// and the rate limit hold the later ones back.
const backToBack = await events(200, 0, EVENTS);

// A burst: one cluster goes NotReady, every service re-planned at once; measured until the last
// change set is handed to the provider, and until idle. Against the floor, measured between runs:
// re-planning every service with that cluster out, and one diff of their record sets.
const bursts: { handed: number; own: number; idle: number; floor: number }[] = [];
for (let i = 0; i < 5; i++) {
  const cluster = topology[i * 17]!.name;
  const floor = replanFloor(new Set([cluster]), provider.snapshot(zone));
  handed.length = 0;
  const start = performance.now();
  clusters.setHealth(cluster, 'NotReady');
  await controller.idle();
  bursts.push({ handed: (handed.at(-1) ?? NaN) - start, own: ownUntilHanded(start), idle: performance.now() - start, floor });
  clusters.setHealth(cluster, 'Ready');
  await controller.idle();
}
const burst = percentile(
  bursts.map((b) => b.idle),
  50,
);

// Steady state: full resyncs with nothing changed.
const writesBefore = provider.requests().writes;
const readsBefore = provider.requests().reads;
const resyncs: { wall: number; cpu: number }[] = [];
for (let i = 0; i < 5; i++) {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  controller.resync();
  await controller.idle();
  const used = process.cpuUsage(cpu);
  resyncs.push({ wall: performance.now() - wall, cpu: (used.user + used.system) / 1000 });
}
const steadyWrites = provider.requests().writes - writesBefore;
const steadyReads = (provider.requests().reads - readsBefore) / resyncs.length;

await controller.stop();
controller = undefined;
// Memory: a second controller over the same converged world, measured once it is idle (it has
// read the zone, heard every shard and planned every service, writing nothing).
// The controller's queues hold timers for up to a second after it stops.
await sleep(1_500);
const withoutController = heap();
const second = createController({
  federation: { name: 'fed', domain: 'example.com' },
  ownerId: 'bench',
  clusters,
  dns: { provider, zone },
  services: Array.from({ length: SERVICES }, (_, s) => service(s)),
});
second.start();
await second.idle();
const controllerHeap = heap() - withoutController;
const secondWrites = provider.requests().writes - writesBefore - steadyWrites;
await second.stop();
// In memory the controller's zone cache shares its record sets with the provider; talking to a
// remote provider, it holds its own copies, this big.
const zoneCopy = retainedHeap(() => structuredClone(provider.snapshot(zone))).mib;

console.log(`\n### Controller, ${SERVICES.toLocaleString('en')} services × ${CLUSTERS} clusters, in memory (${machine})\n`);
console.log(
  table(
    ['measure', 'figure'],
    [
      [`placing ${(SERVICES * CLUSTERS).toLocaleString('en')} shards (controller start → idle)`, ms(placing.idle)],
      [
        `first convergence after ${(SERVICES * CLUSTERS).toLocaleString('en')} endpoint events`,
        `${ms(convergence.idle)}, ${held.toLocaleString('en')} record sets in the zone`,
      ],
      [`event → change set handed to the provider, ${lone.handed.length} events 120 ms apart: p50 / p99 / max`, spread(lone.handed)],
      ["… event → zone holds it (the controller's latencyMs): p50 / p99 / max", spread(lone.applied)],
      [
        `event → change set handed to the provider, ${backToBack.handed.length} events back to back: p50 / p99 / max`,
        spread(backToBack.handed),
      ],
      [
        `a cluster goes NotReady: all ${SERVICES.toLocaleString('en')} services re-planned and written (median of 5, until idle)`,
        ms(burst),
      ],
      [
        'resync with nothing changed: wall (median of 5)',
        ms(
          percentile(
            resyncs.map((r) => r.wall),
            50,
          ),
        ),
      ],
      [
        '… CPU per resync (median of 5)',
        ms(
          percentile(
            resyncs.map((r) => r.cpu),
            50,
          ),
        ),
      ],
      ['… provider writes over 5 resyncs', String(steadyWrites)],
      ['… listing pages read per resync', String(steadyReads)],
      [
        'heap held by a controller, idle (shards, last good sets, zone index by service)',
        `${controllerHeap.toFixed(0)} MiB (a second controller over the same world; it wrote ${secondWrites} times)`,
      ],
      ["… plus its copy of the zone's record sets, with a remote provider", `${zoneCopy.toFixed(0)} MiB`],
    ],
  ),
);

// One pass over every service: each figure against its floor, measured in this process.
const ratio = (figure: number, floor: number): string => `${ms(figure)} / ${ms(floor)} = ×${(figure / floor).toFixed(2)}`;
const burstRatios = bursts.map((b) => b.own / b.floor);
console.log(`\n#### Every service at once, against its floor (target: under ×2)\n`);
console.log(
  table(
    ['measure', 'figure / floor = ratio', 'as handed: provider and event making in', 'until idle'],
    [
      [
        `placing ${(SERVICES * CLUSTERS).toLocaleString('en')} shards, from start until the last shard action is carried out; floor: placeShards for every service and each action carried out`,
        ratio(placing.shards, placeFloor),
        '—',
        ms(placing.idle),
      ],
      [
        `… in CPU of the whole process (garbage collection included); floor: the same, its CPU`,
        ratio(placing.cpu, percentile(placeFloorCpu, 50)),
        '—',
        '—',
      ],
      [
        "first convergence, from the last endpoint event sent until the last change set is handed to the provider, less the provider's answers before it; floor: planning every service and one diff against the zone",
        ratio(convergence.own, convergeFloor),
        ratio(convergence.handed, convergeFloor),
        ms(convergence.idle),
      ],
      [
        "the process's first start-up (compiling included), against the same floors: placing",
        ratio(coldPlacing.shards, placeFloor),
        '—',
        ms(coldPlacing.idle),
      ],
      ['… placing in CPU', ratio(coldPlacing.cpu, percentile(placeFloorCpu, 50)), '—', '—'],
      [
        '… the first convergence',
        ratio(coldConvergence.own, convergeFloor),
        ratio(coldConvergence.handed, convergeFloor),
        ms(coldConvergence.idle),
      ],
      ...bursts.map((b, i) => [
        `a cluster goes NotReady (run ${i + 1}), until the last change set is handed to the provider, less the provider's answers before it; floor: re-planning every service and one diff of their record sets`,
        ratio(b.own, b.floor),
        ratio(b.handed, b.floor),
        ms(b.idle),
      ]),
    ],
  ),
);
const burstRatio = percentile(burstRatios, 50);
console.log(
  `\n- a cluster event, median ratio to the floor ×${burstRatio.toFixed(2)} (target: under ×2): ${burstRatio < 2 ? 'met' : 'NOT met'}`,
);
const p99 = percentile(lone.handed, 99);
console.log(
  `\n- p99 event → provider ${ms(p99)} (target: under 50 ms with the default 50 ms coalescing window): ${p99 < 50 ? 'met' : 'NOT met'}`,
);
console.log(`- steady state: ${steadyWrites} writes (target: 0): ${steadyWrites === 0 ? 'met' : 'NOT met'}`);

/** The median of `runs` timings of `measure`, which returns milliseconds. */
function median(runs: number, measure: () => number): number {
  return percentile(
    Array.from({ length: runs }, () => {
      gc();
      return measure();
    }),
    50,
  );
}

/**
 * Re-planning every service from the shards the clusters hold now (`notReady` clusters out),
 * then one diff of their record sets against `current`: the work a cluster event needs at least.
 */
function replanFloor(notReady: ReadonlySet<string>, current: readonly RecordSet<string>[]): number {
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
  const desired: RecordSet[] = [];
  for (let s = 0; s < SERVICES; s++)
    desired.push(
      ...planServiceRecords({ federation: { name: 'fed', domain: 'example.com' }, service: ref(s), clusters: planned, shards: shards[s]! }),
    );
  diffRecords(current, desired, { ownerId: 'bench' });
  return performance.now() - at;
}

/**
 * Placing every service in every cluster of a fresh world like the one the controller placed, the
 * actions decided and carried out: what start-up needs at least.
 */
function placementFloor(): number {
  const fresh = world();
  const statuses = fresh.clusters();
  const cpu = cpuMs();
  const at = performance.now();
  for (let s = 0; s < SERVICES; s++) {
    const actions = placeShards({ service: service(s), clusters: statuses, existing: [], created: new Set(), ownerId: 'bench' });
    for (const action of actions) void fresh.applyShard(action);
  }
  const wall = performance.now() - at;
  placeFloorCpu.push(cpuMs() - cpu);
  return wall;
}

/** The process's CPU so far, user and system, in milliseconds. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function spread(samples: readonly number[]): string {
  return `${ms(percentile(samples, 50))} / ${ms(percentile(samples, 99))} / ${ms(Math.max(...samples))}`;
}

function heap(): number {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}
