// planFederation at scale, and re-planning one service after one shard changed (issue 2).
import { planFederation, planServiceRecords, type Cluster, type FederationPlanInput, type Shard } from '@fedsvc/core';
import { gc, machine, ms, retainedHeap, table, time } from './measure.js';

const regions = Array.from({ length: 20 }, (_, r) => `region${r}`);
const clusters: Cluster[] = regions.flatMap((region) =>
  ['a', 'b', 'c', 'd', 'e'].map((z) => ({ name: `${region}-${z}-cluster`, zones: [`${region}-${z}`], region, ready: true })));

/** Deterministic pseudo-random health and addresses, so every run plans the same federation. */
function shardsOf(service: number): Shard[] {
  return clusters.map((cluster, c) => {
    const n = (service * 100 + c) * 2654435761 % 2 ** 32;
    return {
      cluster: cluster.name,
      addresses: [`10.${(service >> 8) & 255}.${service & 255}.${c + 1}`],
      readyEndpoints: n % 10 === 0 ? 0 : 1 + (n % 3),
    };
  });
}

function input(services: number): FederationPlanInput {
  return {
    federation: { name: 'fed', domain: 'example.com' },
    clusters,
    services: Array.from({ length: services }, (_, s) => ({ service: { namespace: `ns${s % 50}`, name: `svc${s}` }, shards: shardsOf(s) })),
  };
}

const rows: string[][] = [];
const figures: Record<number, { time: number; heap: number; records: number }> = {};
for (const services of [1_000, 10_000]) {
  const plan = input(services);
  const timing = time(() => planFederation(plan), { runs: services > 1_000 ? 3 : 9, warmup: 2 });
  const heap = retainedHeap(() => planFederation(plan));
  figures[services] = { time: timing.median, heap: heap.mib, records: heap.value.length };
  rows.push([`${services.toLocaleString('en')} × 100`, heap.value.length.toLocaleString('en'), ms(timing.median),
    `${ms(timing.min)} – ${ms(timing.max)}`, `${heap.mib.toFixed(0)} MiB`]);
  gc();
}

const one = input(1).services[0]!;
const flipped = { ...one, shards: one.shards.map((s, i) => (i === 42 ? { ...s, readyEndpoints: s.readyEndpoints === 0 ? 1 : 0 } : s)) };
const replan = time(() => planServiceRecords({ federation: { name: 'fed', domain: 'example.com' }, clusters, ...flipped }), { runs: 2001, warmup: 200 });

const small = figures[1_000]!;
const large = figures[10_000]!;
console.log(`\n### planFederation (${machine})\n`);
console.log(table(['services × clusters', 'record sets', 'median', 'range', 'heap held by the plan'], rows));
console.log(`\n- 10,000 vs 1,000 services: time ×${(large.time / small.time).toFixed(1)}, heap ×${(large.heap / small.heap).toFixed(1)} (target: at most ×12)`);
console.log(`- 1,000 × 100 in ${ms(small.time)} (target: under 250 ms)`);
console.log(`- re-planning one service (100 clusters) after one shard changed: median ${ms(replan.median)} (target: under 1 ms)`);
