// planFederation at scale, how it grows with services and with clusters, re-planning one
// service after one shard changed (the routed traffic policies: plan-routed.bench.ts).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { planFederation, planServiceRecords } from '@fedsvc/core';
import { clustersOf, federation, hundredClusters } from './federation.js';
import { gc, machine, ms, retainedHeap, table, time } from './measure.js';

interface Figure {
  records: number;
  time: number;
  held: number;
  peak: number;
}

// Peak memory is read in a process of its own: the growth of the resident set's high-water mark
// while one planFederation runs, after the input is built and collected.
if (process.argv[2] === '--peak') {
  const input = federation(Number(process.argv[3]), clustersOf(Number(process.argv[4])));
  gc();
  const before = process.resourceUsage().maxRSS;
  const plan = planFederation(input);
  const after = process.resourceUsage().maxRSS;
  console.log(JSON.stringify({ peakMiB: (after - before) / 1024, records: plan.length }));
  process.exit(0);
}

function peak(services: number, clusters: number): number {
  const run = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--peak', String(services), String(clusters)],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`peak measurement failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { peakMiB: number }).peakMiB;
}

function measure(services: number, clusters: number): Figure {
  const input = federation(services, clustersOf(clusters));
  const timing = time(() => planFederation(input), { runs: services * clusters > 200_000 ? 5 : 15, warmup: 2 });
  const held = retainedHeap(() => planFederation(input));
  const figure = { records: held.value.length, time: timing.median, held: held.mib, peak: peak(services, clusters) };
  gc();
  return figure;
}

const row = (label: string, f: Figure, base?: Figure): string[] => [
  label,
  f.records.toLocaleString('en'),
  ms(f.time),
  `${f.held.toFixed(1)} MiB`,
  `${f.peak.toFixed(0)} MiB`,
  base ? `×${(f.time / base.time).toFixed(1)} time, ×${(f.held / base.held).toFixed(1)} heap` : '',
];

console.log(`\n### planFederation (${machine})\n`);

const byServices = new Map([10, 100, 1_000, 10_000].map((n) => [n, measure(n, 100)] as const));
console.log(
  table(
    ['services × 100 clusters', 'record sets', 'median', 'heap held by the plan', 'peak RSS growth', 'vs 1,000'],
    [...byServices].map(([n, f]) => row(n.toLocaleString('en'), f, byServices.get(1_000))),
  ),
);

const byClusters = new Map([10, 50, 100, 500].map((n) => [n, measure(1_000, n)] as const));
console.log('');
console.log(
  table(
    ['1,000 services × clusters', 'record sets', 'median', 'heap held by the plan', 'peak RSS growth', 'vs 100'],
    [...byClusters].map(([n, f]) => row(String(n), f, byClusters.get(100))),
  ),
);

const one = federation(1, hundredClusters).services[0]!;
const flipped = { ...one, shards: one.shards.map((s, i) => (i === 42 ? { ...s, readyEndpoints: s.readyEndpoints === 0 ? 1 : 0 } : s)) };
const replan = time(
  () => planServiceRecords({ federation: { name: 'fed', domain: 'example.com' }, clusters: hundredClusters, ...flipped }),
  { runs: 2001, warmup: 200 },
);

const small = byServices.get(1_000)!;
const large = byServices.get(10_000)!;
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
console.log(`\n- 1,000 × 100 in ${ms(small.time)} (target: under 250 ms): ${verdict(small.time < 250)}`);
console.log(
  `- 10,000 vs 1,000 services: time ×${(large.time / small.time).toFixed(1)}, heap ×${(large.held / small.held).toFixed(1)} (target: at most ×12): ${verdict(large.time / small.time <= 12 && large.held / small.held <= 12)}`,
);
console.log(
  `- re-planning one service (100 clusters) after one shard changed: median ${ms(replan.median)} (target: under 1 ms): ${verdict(replan.median < 1)}`,
);
