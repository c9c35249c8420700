// planFederation at scale, and re-planning one service after one shard changed (issue 2).
import { planFederation, planServiceRecords } from '@fedsvc/core';
import { federation, hundredClusters } from './federation.js';
import { gc, machine, ms, retainedHeap, table, time } from './measure.js';


const clusters = hundredClusters;
const input = (services: number) => federation(services);

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
