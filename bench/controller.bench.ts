// The controller with 1,000 services × 100 clusters loaded (issue 4): propagation latency from a
// shard health event to the zone, steady state with nothing changing, and memory held.
import { createController, MemoryClusters, type FederatedService, type FederationController } from '@fedsvc/core';
import { createMemoryProvider } from '@fedsvc/dns-memory';
import { address, clustersOf } from './federation.js';
import { gc, machine, ms, percentile, table } from './measure.js';

const SERVICES = Number(process.env.SERVICES ?? 1_000);
const CLUSTERS = 100;
const EVENTS = 1_000;

const service = (s: number): FederatedService => ({
  manifest: {
    apiVersion: 'v1', kind: 'Service',
    metadata: { namespace: `ns${s % 50}`, name: `svc${s}` },
    spec: { type: 'LoadBalancer', selector: { app: `svc${s}` }, ports: [{ port: 80, protocol: 'TCP' }] },
  },
});
const ref = (s: number) => ({ namespace: `ns${s % 50}`, name: `svc${s}` });

const heapBefore = heap();
const topology = clustersOf(CLUSTERS);
const clusters = new MemoryClusters(topology.map((cluster, c) => ({
  ...cluster,
  loadBalancerAddresses: Array.from({ length: SERVICES }, (_, s) => address(s * 512 + c)),
})));
const provider = createMemoryProvider({ zones: [{ dnsName: 'example.com', id: 'bench' }], pageSize: 300 });
const zone = { id: 'bench', dnsName: 'example.com.' };
let controller: FederationController | undefined = createController({
  federation: { name: 'fed', domain: 'example.com' }, ownerId: 'bench', clusters, dns: { provider, zone },
  services: Array.from({ length: SERVICES }, (_, s) => service(s)),
});

let start = performance.now();
controller.start();
await controller.idle();
const placed = performance.now() - start;
start = performance.now();
for (let s = 0; s < SERVICES; s++) for (const cluster of topology) clusters.setReadyEndpoints(cluster.name, ref(s).namespace, ref(s).name, 1);
await controller.idle();
const converged = performance.now() - start;
const held = provider.snapshot(zone).length;

// One event at a time: a healthy shard loses its endpoints (its zone's A set becomes a CNAME),
// or gets them back. Latency is the controller's own: from the event to the zone holding it.
const latencies: number[] = [];
controller.on('records-applied', (event) => latencies.push(event.latencyMs));
for (let i = 0; i < EVENTS; i++) {
  const s = (i * 7919) % SERVICES;
  const cluster = topology[(i * 31) % CLUSTERS]!;
  const shard = clusters.shard(cluster.name, ref(s).namespace, ref(s).name)!;
  clusters.setReadyEndpoints(cluster.name, ref(s).namespace, ref(s).name, shard.readyEndpoints > 0 ? 0 : 1);
  await controller.idle();
}

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

const worldHeap = heap() - heapBefore;
await controller.stop();
controller = undefined;
const withoutController = heap() - heapBefore;

console.log(`\n### Controller, ${SERVICES.toLocaleString('en')} services × ${CLUSTERS} clusters, in memory (${machine})\n`);
console.log(table(['measure', 'figure'], [
  ['placing 100,000 shards (controller start → idle)', ms(placed)],
  ['first convergence after 100,000 endpoint events', `${ms(converged)}, ${held.toLocaleString('en')} record sets in the zone`],
  [`propagation latency over ${latencies.length} events, p50`, ms(percentile(latencies, 50))],
  ['… p99', ms(percentile(latencies, 99))],
  ['… max', ms(Math.max(...latencies))],
  ['resync with nothing changed: wall (median of 5)', ms(percentile(resyncs.map((r) => r.wall), 50))],
  ['… CPU per resync (median of 5)', ms(percentile(resyncs.map((r) => r.cpu), 50))],
  ['… provider writes over 5 resyncs', String(steadyWrites)],
  ['… listing pages read per resync', String(steadyReads)],
  ['heap held by the controller', `${(worldHeap - withoutController).toFixed(0)} MiB`],
]));
console.log(`\n- p99 ${ms(percentile(latencies, 99))} (target: under 50 ms with the default 50 ms coalescing window): ${percentile(latencies, 99) < 50 ? 'met' : 'NOT met'}`);
console.log(`- steady state: ${steadyWrites} writes (target: 0): ${steadyWrites === 0 ? 'met' : 'NOT met'}`);

function heap(): number {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}
