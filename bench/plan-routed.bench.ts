// The routed traffic policies against `all`: planFederation for 1,000 services × 100 clusters,
// alternated in this process (its own, so no earlier section's heap is in the way), and a floor
// for `weighted`: the `all` plan plus the members a weighted plan must hold, made the cheapest way.
import { isDeepStrictEqual } from 'node:util';
import { planFederation, type RecordSet, type RoutedMember, type RoutingLimits, type TrafficPolicy } from '@fedsvc/core';
import { federation, hundredClusters } from './federation.js';
import { gc, machine, ms, retainedHeap, table } from './measure.js';

const ROUNDS = 21;
const routing: RoutingLimits = { locationOf: (region) => `loc-${region}`, isLocation: () => true, maxWeight: 255, maxMembers: 100 };
const base = federation(1_000, hundredClusters);
const withPolicy = (trafficPolicy: TrafficPolicy) => ({ ...base, federation: { ...base.federation, trafficPolicy }, routing });

// The plan lists each service's global name, then each region (in name order) followed by its
// zones; here every zone holds one cluster, named `<zone>-cluster`, so walking a service's sets
// meets the clusters in name order. Ids and weights are looked up before timing.
const regions = [...new Set(hundredClusters.map((c) => c.region))].sort();
const clustersInPlanOrder = regions.flatMap((region) =>
  hundredClusters
    .filter((c) => c.region === region)
    .map((c) => c.name)
    .sort(),
);
const readyEndpoints = base.services.map((service) => {
  const byCluster = new Map(service.shards.map((shard) => [shard.cluster, shard.readyEndpoints]));
  return clustersInPlanOrder.map((cluster) => byCluster.get(cluster)!);
});
const SETS_PER_SERVICE = 1 + regions.length + hundredClusters.length;

/** The `all` plan with each global set given one member per zone answering A, holding that zone set's own array. */
function allWithMembers(): RecordSet[] {
  const plan = planFederation(withPolicy({ type: 'all' }));
  for (let s = 0, service = 0; s < plan.length; s += SETS_PER_SERVICE, service++) {
    const members = new Array<RoutedMember>(hundredClusters.length);
    let count = 0;
    for (let i = 0, at = s + 1; i < hundredClusters.length; i++) {
      if (i % 5 === 0) at++; // the region's own set
      const zone = plan[at++]!;
      if (zone.type === 'A')
        members[count++] = { id: clustersInPlanOrder[i]!, weight: readyEndpoints[service]![i]!, rrdatas: zone.rrdatas };
    }
    members.length = count;
    const global = plan[s]!;
    plan[s] = { name: global.name, type: global.type, ttl: global.ttl, rrdatas: global.rrdatas, routing: 'weighted', members };
  }
  return plan;
}

const cases: { readonly label: string; readonly run: () => RecordSet[] }[] = [
  ...(['all', 'nearest', 'weighted'] as const).map((type) => {
    const input = withPolicy({ type });
    return { label: type, run: () => planFederation(input) };
  }),
  { label: 'floor: `all` + the weighted members', run: allWithMembers },
];
if (!isDeepStrictEqual(allWithMembers(), cases[2]!.run())) throw new Error('the floor is not the weighted plan');
for (const c of cases) for (let i = 0; i < 3; i++) c.run();
// Each round runs every case once, starting one further along each time, so no case always
// follows the same one; each round's time is also divided by `all`'s in the same round, so
// that load drifting between rounds on a shared machine moves both.
// Wall time, and the process's CPU time (all threads, the collector's helpers included), which
// waiting for a core on a shared machine does not inflate.
const samples = cases.map((): number[] => []);
const cpuSamples = cases.map((): number[] => []);
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < cases.length; k++) {
    const i = (k + round) % cases.length;
    gc();
    const cpu = process.cpuUsage();
    const start = performance.now();
    cases[i]!.run();
    samples[i]!.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    cpuSamples[i]!.push((used.user + used.system) / 1000);
  }
}
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const figures = cases.map((c, i) => {
  const held = retainedHeap(c.run);
  const paired = median(samples[i]!.map((t, round) => t / samples[0]![round]!));
  const cpuPaired = median(cpuSamples[i]!.map((t, round) => t / cpuSamples[0]![round]!));
  return {
    label: c.label,
    records: held.value.length,
    time: median(samples[i]!),
    paired,
    cpu: median(cpuSamples[i]!),
    cpuPaired,
    held: held.mib,
  };
});
const all = figures[0]!;
console.log(`\n### Traffic policies: 1,000 services × 100 clusters, ${ROUNDS} rounds (${machine})\n`);
console.log(
  table(
    ['plan', 'record sets', 'median', 'each round ÷ all', 'CPU time', 'each round ÷ all', 'heap held by the plan', 'heap ÷ all'],
    figures.map((f) => [
      f.label,
      f.records.toLocaleString('en'),
      ms(f.time),
      `×${f.paired.toFixed(2)}`,
      ms(f.cpu),
      `×${f.cpuPaired.toFixed(2)}`,
      `${f.held.toFixed(1)} MiB`,
      `×${(f.held / all.held).toFixed(2)}`,
    ]),
  ),
);
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
for (const f of figures.slice(1, 3))
  console.log(
    `- ${f.label} vs all (medians of each round's ratio): time ×${f.paired.toFixed(2)}, CPU time ×${f.cpuPaired.toFixed(2)}, heap ×${(f.held / all.held).toFixed(2)} (target: at most ×1.3): ${verdict(Math.max(f.paired, f.cpuPaired, f.held / all.held) <= 1.3)}`,
  );
const [weighted, floor] = [figures[2]!, figures[3]!];
console.log(
  `- weighted vs its floor: time ×${(weighted.time / floor.time).toFixed(2)}, CPU time ×${(weighted.cpu / floor.cpu).toFixed(2)}, heap ×${(weighted.held / floor.held).toFixed(2)}`,
);
