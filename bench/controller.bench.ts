// The controller with 1,000 services × 100 clusters loaded: propagation latency from a
// shard health event to the zone, steady state with nothing changing, and memory held.
// The start-up (placing, the first convergence) against its floors, in this process, and again
// with each side cold in a fresh process (COLD_PAIRS alternated pairs, default 5; 0 skips them).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createController, type FederationController } from '@fedsvc/core';
import { sleep } from '@fedsvc/core/provider';
import {
  CLUSTERS,
  cpuMs,
  handed,
  ownUntilHanded,
  placementFloor,
  ref,
  replanFloor,
  SERVICES,
  service,
  startUp,
  topology,
  zone,
} from './controller-world.js';
import { gc, machine, ms, percentile, retainedHeap, table } from './measure.js';

const EVENTS = Number(process.env.EVENTS ?? 1_000);
// Start-ups measured cold, each side in a fresh process, alternated: figure, floor, figure, floor …
const COLD_PAIRS = Number(process.env.COLD_PAIRS ?? 5);
/** The CPU of each run of placing's floor. */
const placeFloorCpu: number[] = [];

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
const placeFloor = median(3, () => {
  const { wall, cpu } = placementFloor();
  placeFloorCpu.push(cpu);
  return wall;
});
const convergeFloor = median(3, () => replanFloor(clusters, new Set(), []).wall);

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
    if (handed[0] !== undefined) out.handed.push(handed[0].at - at);
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
  const floor = replanFloor(clusters, new Set([cluster]), provider.snapshot(zone)).wall;
  handed.length = 0;
  const start = { at: performance.now(), cpu: cpuMs() };
  clusters.setHealth(cluster, 'NotReady');
  await controller.idle();
  bursts.push({
    handed: (handed.at(-1)?.at ?? NaN) - start.at,
    own: ownUntilHanded(start).wall,
    idle: performance.now() - start.at,
    floor,
  });
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
console.log(`\n#### Every service at once, against its floor, both in this process (target: under ×2)\n`);
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
        ratio(convergence.own.wall, convergeFloor),
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
        ratio(coldConvergence.own.wall, convergeFloor),
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

if (COLD_PAIRS > 0) printCold(coldPairs(COLD_PAIRS));

/** Wall time and CPU (the process's, all threads) of one measure, ms. */
type Spent = { wall: number; cpu: number };
/** What one side of the start-up spent, in a fresh process. */
type ColdSide = { placing: Spent; convergence: Spent };

/**
 * `pairs` start-ups, each side in a fresh process of its own (the same Node flags and loader as
 * this one), alternated so that the machine's load falls on both alike: figure, floor, figure …
 */
function coldPairs(pairs: number): { figure: ColdSide; floor: ColdSide }[] {
  const script = fileURLToPath(new URL('./controller-cold.ts', import.meta.url));
  const run = (side: 'figure' | 'floor'): ColdSide => {
    const child = spawnSync(process.execPath, [...process.execArgv, script, side], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (child.status !== 0) throw new Error(`controller-cold.ts ${side} exited with ${child.status ?? child.signal}`);
    return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as ColdSide;
  };
  return Array.from({ length: pairs }, () => {
    const figure = run('figure');
    return { figure, floor: run('floor') };
  });
}

/** Each cold pair's ratios, their medians, and this process's figures beside them. */
function printCold(pairs: readonly { figure: ColdSide; floor: ColdSide }[]): void {
  const ratios = (measure: keyof ColdSide, clock: keyof Spent) => pairs.map((p) => p.figure[measure][clock] / p.floor[measure][clock]);
  const times = (measure: keyof ColdSide, clock: keyof Spent) => pairs.map((p) => ratio(p.figure[measure][clock], p.floor[measure][clock]));
  const medianOf = (measure: keyof ColdSide, clock: keyof Spent) => percentile(ratios(measure, clock), 50);
  console.log(
    `\n#### The start-up cold against its floor cold, each in a fresh process, ${pairs.length} alternated pairs (target: under ×2)\n`,
  );
  console.log(
    table(
      ['measure', ...pairs.map((_, i) => `pair ${i + 1}: figure / floor = ratio`), 'median of the ratios', 'in this process (above)'],
      [
        [
          'placing, wall: from start to the last shard action; floor: placeShards for every service and each action carried out',
          ...times('placing', 'wall'),
          `×${medianOf('placing', 'wall').toFixed(2)}`,
          `×${(placing.shards / placeFloor).toFixed(2)}`,
        ],
        [
          '… placing, CPU of the whole process',
          ...times('placing', 'cpu'),
          `×${medianOf('placing', 'cpu').toFixed(2)}`,
          `×${(placing.cpu / percentile(placeFloorCpu, 50)).toFixed(2)}`,
        ],
        [
          "first convergence, wall: from the last endpoint event sent to the last change set handed, less the provider's answers; floor: planning every service and one diff, after placing's floor",
          ...times('convergence', 'wall'),
          `×${medianOf('convergence', 'wall').toFixed(2)}`,
          `×${(convergence.own.wall / convergeFloor).toFixed(2)}`,
        ],
        [
          '… first convergence, CPU of the whole process',
          ...times('convergence', 'cpu'),
          `×${medianOf('convergence', 'cpu').toFixed(2)}`,
          '—',
        ],
      ],
    ),
  );
  console.log('');
  for (const [measure, clock] of [
    ['placing', 'wall'],
    ['placing', 'cpu'],
    ['convergence', 'wall'],
    ['convergence', 'cpu'],
  ] as const) {
    const figure = pairs.map((p) => p.figure[measure][clock]);
    const floor = pairs.map((p) => p.floor[measure][clock]);
    const r = medianOf(measure, clock);
    console.log(
      `- cold, ${measure} (${clock}): figure median ${ms(percentile(figure, 50))}, floor median ${ms(percentile(floor, 50))}; median ratio ×${r.toFixed(2)} (target: under ×2): ${r < 2 ? 'met' : 'NOT met'}`,
    );
  }
}

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

function spread(samples: readonly number[]): string {
  return `${ms(percentile(samples, 50))} / ${ms(percentile(samples, 99))} / ${ms(Math.max(...samples))}`;
}

function heap(): number {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}
