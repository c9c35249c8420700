// `fedsvc run` as a user runs it: the built CLI (packages/cli/dist/bin.js, built first) under
// plain node, a child process of this one, against the wire fixtures here and a real BIND 9
// (`cli-world.ts`). For the guide's federation (1 service × 13 clusters, RUNS times) and for
// SERVICES × CLUSTERS (default 1,000 × 100; 0 services skips it): the time from spawn to the
// endpoints listening, to /readyz 200 and to the zone converged (the last UPDATE before a whole
// transfer of the zone that holds the plan), and to every FederatedService's status written;
// the process's peak and current resident memory; then, the federation idle, its CPU share over
// windows without and with /metrics scraped every second, alternated, and the scrape's latency
// and size. Anchors: `node -e ''` and `fedsvc --version` (spawn to exit), and the same
// federation converged by the controller and host source in this process.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FederationPlanInput, createController } from '@fedsvc/core';
import { sleep } from '@fedsvc/core/provider';
import { guideClusters, guideFederation, guideNginx, guideService, guideShards } from '@fedsvc/core/testing';
import { createRfc2136Provider } from '@fedsvc/dns-rfc2136';
import { createHostFederation } from '@fedsvc/kubernetes';
import type { JsonObject } from '@fedsvc/kubernetes/testing';
import { type CliWorld, NAMESPACE, OWNER, benchZone, startCliWorld } from './cli-world.js';
import { clustersOf, federation } from './federation.js';
import { machine, percentile, table } from './measure.js';
import { cpuSeconds, residentMemory } from './proc.js';

const RUNS = Number(process.env.RUNS ?? 3);
const SERVICES = Number(process.env.SERVICES ?? 1_000);
const CLUSTERS = Number(process.env.CLUSTERS ?? 100);
/** Each CPU window; two without scraping and two with, alternated. */
const WINDOW_S = Number(process.env.WINDOW_S ?? 15);
const TTL = 30;
const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(root, 'packages/cli/dist/bin.js');

/** Builds every package, so that the process runs what a user installs. */
function build(): number {
  const start = performance.now();
  const built = spawnSync('pnpm', ['build'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (built.status !== 0) throw new Error('pnpm build failed');
  return performance.now() - start;
}

/** Spawn to exit of `node args`, `runs` times: median and minimum. */
async function spawnToExit(args: readonly string[], runs = 5): Promise<{ median: number; min: number }> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const child = spawn(process.execPath, args, { cwd: root, stdio: 'ignore' });
    await new Promise((resolve) => child.on('close', resolve));
    samples.push(performance.now() - start);
  }
  return { median: percentile(samples, 50), min: Math.min(...samples) };
}

interface Running {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly spawnedAt: number;
  /** When the endpoints' log line came, and their address. */
  readonly serving: Promise<{ url: string; at: number }>;
  /** When the process logged that its first sync was done. */
  firstSyncLoggedAt(): number | undefined;
  /** The last lines it wrote, for failure messages. */
  tail(): string;
  readonly exited: Promise<number | string>;
}

function startFedsvc(world: CliWorld): Running {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [BIN, 'run', '--config', world.configFile], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let firstSync: number | undefined;
  let onServing: (value: { url: string; at: number }) => void = () => {};
  const serving = new Promise<{ url: string; at: number }>((resolve) => {
    onServing = resolve;
  });
  let partial = '';
  const take = (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const complete = text.split('\n');
    partial = complete.pop() ?? '';
    for (const line of complete) {
      lines.push(line);
      if (lines.length > 40) lines.shift();
      if (line.includes('"msg":"serving /healthz, /readyz, /metrics"'))
        onServing({ url: (JSON.parse(line) as { url: string }).url, at: performance.now() });
      if (line.includes('"msg":"first sync done"')) firstSync ??= performance.now();
    }
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const exited = new Promise<number | string>((resolve) => child.on('close', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { child, pid: child.pid!, spawnedAt, serving, firstSyncLoggedAt: () => firstSync, tail: () => lines.join('\n'), exited };
}

async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, deadline: number, everyMs: number): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`${what}: not by the deadline`);
    await sleep(everyMs);
  }
}

async function readyAt(url: string, deadline: number): Promise<number> {
  return until(
    '/readyz 200',
    async () => {
      const answer = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
      await answer?.arrayBuffer();
      return answer?.status === 200 ? performance.now() : undefined;
    },
    deadline,
    25,
  );
}

/**
 * When the zone converged: the time of the last UPDATE the proxy passed before a whole transfer
 * that holds the plan. A transfer is tried once the UPDATEs have paused for `quietMs`; the
 * UPDATEs are sampled on a timer of their own, so a long transfer does not delay the clock.
 */
async function convergedAt(world: CliWorld, deadline: number, quietMs: number): Promise<number> {
  let writes = 0;
  let lastWriteAt = performance.now();
  const sampler = setInterval(() => {
    const now = world.proxy.counts().writes;
    if (now !== writes) [writes, lastWriteAt] = [now, performance.now()];
  }, 10);
  try {
    let tried = 0;
    return await until(
      'the zone holds the plan',
      async () => {
        if (writes === tried || performance.now() - lastWriteAt < quietMs) return undefined;
        const [seen, at] = [writes, lastWriteAt];
        tried = seen;
        return (await world.holdsPlan()) && world.proxy.counts().writes === seen ? at : undefined;
      },
      deadline,
      20,
    );
  } finally {
    clearInterval(sampler);
  }
}

/** Until the host cluster has had no write for `quietMs` (statuses, Events), or the deadline. */
async function hostQuiet(world: CliWorld, quietMs: number, deadline: number): Promise<boolean> {
  let seen = world.hostWrites();
  let since = performance.now();
  while (performance.now() < deadline) {
    await sleep(250);
    const now = world.hostWrites();
    if (now !== seen) [seen, since] = [now, performance.now()];
    else if (performance.now() - since >= quietMs) return true;
  }
  return false;
}

interface Scrapes {
  readonly latencies: number[];
  readonly bytes: number[];
}

/** The process's CPU share over `seconds`, while /metrics is scraped once a second when `scrapes` is given. */
async function cpuShare(pid: number, url: string, seconds: number, scrapes?: Scrapes): Promise<number> {
  const start = performance.now();
  const cpu = cpuSeconds(pid);
  for (let i = 1; i <= seconds; i++) {
    if (scrapes) {
      const sent = performance.now();
      const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
      scrapes.latencies.push(performance.now() - sent);
      scrapes.bytes.push(Buffer.byteLength(text));
    }
    await sleep(Math.max(0, start + i * 1000 - performance.now()));
  }
  return ((cpuSeconds(pid) - cpu) / ((performance.now() - start) / 1000)) * 100;
}

/** What the process's own /metrics says of its passes: failures by reason, record changes written, the worst event-loop stall. */
interface ProcessMetrics {
  readonly applyErrors: string;
  readonly recordsApplied: number;
  readonly eventLoopLagMaxS: number;
}

async function processMetrics(url: string): Promise<ProcessMetrics | undefined> {
  const text = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(60_000) })
    .then((answer) => answer.text())
    .catch(() => undefined);
  if (text === undefined) return undefined;
  const samples = (name: string) =>
    [...text.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, 'gm'))].map((m) => ({ labels: m[1] ?? '', value: Number(m[2]) }));
  return {
    applyErrors:
      samples('fedsvc_apply_errors_total')
        .map((e) => `${e.labels.replace(/^\{reason="(.*)"\}$/, '$1')} ${e.value}`)
        .join(', ') || 'none',
    recordsApplied: samples('fedsvc_records_applied_total').reduce((n, e) => n + e.value, 0),
    eventLoopLagMaxS: samples('nodejs_eventloop_lag_max_seconds')[0]?.value ?? NaN,
  };
}

interface ProcessFigures {
  servingMs: number;
  /** Undefined: not within the run's limit. */
  readyMs: number | undefined;
  convergedMs: number | undefined;
  /** Changes the zone still needed at the end of a run that did not converge, of those from an empty zone. */
  changesLeft?: { left: number; fromEmpty: number };
  firstSyncLoggedMs: number | undefined;
  statusesMs: number | undefined;
  atConvergence: { peakMib: number; nowMib: number };
  atEnd: { peakMib: number; nowMib: number };
  hostQuiet: boolean;
  idle: number[];
  scraped: number[];
  scrapes: Scrapes;
  metrics: ProcessMetrics | undefined;
  stopMs: number;
  exit: number | string;
}

const orUndefined = <T>(work: Promise<T>): Promise<T | undefined> => work.catch(() => undefined);

/** The federation idle: every status written (or `statusesBy`), the host quiet; then the CPU windows, alternated. */
async function idleFigures(world: CliWorld, pid: number, url: string, t0: number, statusesBy: number) {
  const statuses = await until(
    'every status written',
    () => world.statusesWrittenAt() ?? (performance.now() > statusesBy ? -1 : undefined),
    Infinity,
    250,
  );
  const hostQuietBefore = await hostQuiet(world, 3_000, performance.now() + 60_000);
  const idle: number[] = [];
  const scraped: number[] = [];
  const scrapes: Scrapes = { latencies: [], bytes: [] };
  for (let pair = 0; pair < 2; pair++) {
    idle.push(await cpuShare(pid, url, WINDOW_S));
    scraped.push(await cpuShare(pid, url, WINDOW_S, scrapes));
  }
  return { statusesMs: statuses < 0 ? undefined : statuses - t0, hostQuiet: hostQuietBefore, idle, scraped, scrapes };
}

/**
 * One `fedsvc run` on `world`: spawn to ready and converged (each within `convergeMs`), the idle
 * figures when it converged, its own metrics, then SIGTERM. A run that does not converge is
 * reported with how far the zone got.
 */
async function measureProcess(
  world: CliWorld,
  limits: { convergeMs: number; statusesMs: number; quietMs: number },
): Promise<ProcessFigures> {
  const fedsvc = startFedsvc(world);
  const { spawnedAt: t0, pid } = fedsvc;
  try {
    const converged = orUndefined(convergedAt(world, t0 + limits.convergeMs, limits.quietMs));
    const serving = await Promise.race([fedsvc.serving, fedsvc.exited.then((code) => Promise.reject(new Error(`exited ${code}`)))]);
    const ready = await orUndefined(readyAt(serving.url, t0 + limits.convergeMs));
    const convergedTime = await converged;
    const atConvergence = residentMemory(pid);
    const idle =
      convergedTime === undefined
        ? { statusesMs: undefined, hostQuiet: false, idle: [], scraped: [], scrapes: { latencies: [], bytes: [] } }
        : await idleFigures(world, pid, serving.url, t0, t0 + limits.statusesMs);
    const metrics = await processMetrics(serving.url);
    const atEnd = residentMemory(pid);
    const firstSync = fedsvc.firstSyncLoggedAt();
    const stopping = performance.now();
    fedsvc.child.kill('SIGTERM');
    const killer = setTimeout(() => fedsvc.child.kill('SIGKILL'), 60_000);
    const exit = await fedsvc.exited;
    clearTimeout(killer);
    return {
      servingMs: serving.at - t0,
      readyMs: ready === undefined ? undefined : ready - t0,
      convergedMs: convergedTime === undefined ? undefined : convergedTime - t0,
      ...(convergedTime === undefined ? { changesLeft: await world.changesLeft() } : {}),
      firstSyncLoggedMs: firstSync === undefined ? undefined : firstSync - t0,
      atConvergence,
      atEnd,
      ...idle,
      metrics,
      stopMs: performance.now() - stopping,
      exit,
    };
  } catch (error) {
    fedsvc.child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}; the process's last lines:\n${fedsvc.tail()}`);
  }
}

/** The same federation converged in this process: the host source and controller `fedsvc run` composes, no process, no Lease. */
async function measureInProcess(world: CliWorld, deadlineMs: number, quietMs: number): Promise<number> {
  const source = createHostFederation({ context: 'host', kubeconfig: world.kubeconfig, namespace: NAMESPACE });
  const provider = createRfc2136Provider({
    server: { host: world.proxy.host, port: world.proxy.port },
    zones: [benchZone.dnsName],
    tsig: world.bind.key,
  });
  const controller = createController({
    federation: world.input.federation,
    ownerId: OWNER,
    clusters: source.clusters,
    dns: { provider, zone: benchZone },
  });
  const start = performance.now();
  const converged = convergedAt(world, start + deadlineMs, quietMs);
  const running = source.run(controller);
  controller.start();
  try {
    return (await converged) - start;
  } finally {
    await controller.stop();
    await running.stop();
  }
}

const guideInput: FederationPlanInput = {
  federation: { ...guideFederation, ttl: TTL },
  clusters: guideClusters,
  services: [{ service: guideService, shards: guideShards }],
};
const guideTemplate = () => guideNginx.manifest.spec as JsonObject;
const largeInput = (): FederationPlanInput => {
  const input = federation(SERVICES, clustersOf(CLUSTERS));
  return { ...input, federation: { ...input.federation, ttl: TTL } };
};
const largeTemplate = ({ name }: { name: string }): JsonObject => ({
  type: 'LoadBalancer',
  selector: { app: name },
  ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
});

async function inWorld<T>(
  input: FederationPlanInput,
  template: (s: { namespace: string; name: string }) => JsonObject,
  fn: (w: CliWorld) => Promise<T>,
  memberSettings?: Readonly<Record<string, string>>,
): Promise<T> {
  const world = await startCliWorld(input, template, memberSettings);
  try {
    return await fn(world);
  } finally {
    await world.stop();
  }
}

const buildMs = build();
const nodeFloor = await spawnToExit(['-e', '']);
const versionFloor = await spawnToExit([BIN, '--version']);
const small: ProcessFigures[] = [];
const smallInProcess: number[] = [];
const smallLimits = { convergeMs: 120_000, statusesMs: 120_000, quietMs: 100 };
for (let run = 0; run < RUNS; run++) {
  small.push(await inWorld(guideInput, guideTemplate, (world) => measureProcess(world, smallLimits)));
  smallInProcess.push(
    await inWorld(guideInput, guideTemplate, (world) => measureInProcess(world, smallLimits.convergeMs, smallLimits.quietMs)),
  );
  console.error(`guide's federation, run ${run + 1} of ${RUNS}: converged after ${small.at(-1)!.convergedMs?.toFixed(0)} ms`);
}
/** The large run's limits: LARGE_CONVERGE_S (default 600) to converge, then eight minutes for the statuses. */
const LARGE_LIMITS = { convergeMs: Number(process.env.LARGE_CONVERGE_S ?? 600) * 1000, statusesMs: 480_000, quietMs: 1_000 };
/**
 * The member fixtures of 100 clusters share two cores with the bench and the process, and answer
 * a shard write in seconds, not the milliseconds of a real API server: the members' request
 * timeout is raised as an operator would for slow API servers, so that the figure is the
 * process's pace and not its retries of writes that timed out while queued in the fixtures.
 */
const LARGE_MEMBER_SETTINGS = { requestTimeout: '60s', syncTimeout: '600s' };
let large: ProcessFigures | undefined;
if (SERVICES > 0) {
  large = await inWorld(largeInput(), largeTemplate, (world) => measureProcess(world, LARGE_LIMITS), LARGE_MEMBER_SETTINGS);
}

report();

function report(): void {
  const med = (values: readonly number[]) => percentile(values, 50);
  const s = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
  const spread = (values: readonly number[], show: (n: number) => string = s) => `${show(med(values))} (min ${show(Math.min(...values))})`;
  const mib = (n: number) => `${n.toFixed(0)} MiB`;
  const pct = (n: number) => `${n.toFixed(2)} %`;
  const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  console.log(`\n### \`fedsvc run\`, the built CLI under plain node (${machine})\n`);
  console.log(
    `Build before measuring (not timed below): ${s(buildMs)}. Floors, spawn to exit, median (min) of 5: \`node -e ''\` ${s(nodeFloor.median)} (min ${s(nodeFloor.min)}); \`fedsvc --version\` ${s(versionFloor.median)} (min ${s(versionFloor.min)}).\n`,
  );
  const columns = [
    'measure',
    `guide's federation (1 × 13), median (min) of ${RUNS}`,
    large ? `${SERVICES.toLocaleString('en')} × ${CLUSTERS}, one run` : '',
  ];
  const row = (name: string, pick: (f: ProcessFigures) => number | undefined, show: (n: number) => string = s): string[] => {
    const values = small.map(pick).filter((v): v is number => v !== undefined);
    const big = large ? pick(large) : undefined;
    return [
      name,
      values.length === small.length ? spread(values, show) : `${values.length} of ${small.length} runs`,
      big === undefined ? (large ? 'not within the run' : '') : show(big),
    ];
  };
  console.log(
    table(columns, [
      row('spawn → endpoints listening (log line)', (f) => f.servingMs),
      row('spawn → /readyz 200', (f) => f.readyMs),
      row('spawn → zone converged (last UPDATE; the transfer holds the plan)', (f) => f.convergedMs),
      row('spawn → "first sync done" logged', (f) => f.firstSyncLoggedMs),
      ['in-process controller + host source: start → zone converged', spread(smallInProcess), 'not measured'],
      row('spawn → every FederatedService status written', (f) => f.statusesMs),
      row('peak RSS (VmHWM) at convergence', (f) => f.atConvergence.peakMib, mib),
      row('RSS (VmRSS) at convergence', (f) => f.atConvergence.nowMib, mib),
      row('peak RSS at the end', (f) => f.atEnd.peakMib, mib),
      row('RSS at the end', (f) => f.atEnd.nowMib, mib),
      row(`CPU share idle, no scrape (2 × ${WINDOW_S} s)`, (f) => mean(f.idle), pct),
      row(`CPU share idle, /metrics every second (2 × ${WINDOW_S} s)`, (f) => mean(f.scraped), pct),
      row('… difference (the scrape)', (f) => mean(f.scraped) - mean(f.idle), pct),
      row(
        '/metrics latency p50',
        (f) => percentile(f.scrapes.latencies, 50),
        (n) => `${n.toFixed(1)} ms`,
      ),
      row(
        '/metrics latency p99',
        (f) => percentile(f.scrapes.latencies, 99),
        (n) => `${n.toFixed(1)} ms`,
      ),
      row(
        '/metrics payload',
        (f) => med(f.scrapes.bytes),
        (n) => `${(n / 1024).toFixed(1)} KiB`,
      ),
      row('SIGTERM → exit', (f) => f.stopMs),
      row("worst event-loop stall (the process's nodejs_eventloop_lag_max_seconds)", (f) => f.metrics && f.metrics.eventLoopLagMaxS * 1000),
      row("record changes written (the process's fedsvc_records_applied_total)", (f) => f.metrics?.recordsApplied, String),
    ]),
  );
  const all = large ? [...small, large] : small;
  console.log(
    `\nExit codes after SIGTERM: ${all.map((f) => f.exit).join(', ')}; host quiet (3 s without a write) before the CPU windows: ${all.map((f) => (f.hostQuiet ? 'yes' : 'no')).join(', ')}.`,
  );
  const maybe = (ms: number | undefined) => (ms === undefined ? '—' : s(ms));
  console.log(`/readyz 200 / zone converged, each run: ${all.map((f) => `${maybe(f.readyMs)} / ${maybe(f.convergedMs)}`).join('; ')}.`);
  console.log(
    `Failed passes by reason (fedsvc_apply_errors_total), each run: ${all.map((f) => f.metrics?.applyErrors ?? '/metrics not answered within 60 s').join('; ')}.`,
  );
  if (large?.convergedMs === undefined && large?.changesLeft)
    console.log(
      `${SERVICES.toLocaleString('en')} × ${CLUSTERS}: not converged within ${s(LARGE_LIMITS.convergeMs)}; the zone still needed ${large.changesLeft.left.toLocaleString('en')} of the ${large.changesLeft.fromEmpty.toLocaleString('en')} changes an empty zone needs; /readyz ${large.readyMs === undefined ? 'never 200' : `200 after ${s(large.readyMs)}`}.`,
    );
  console.log(
    `CPU windows, no scrape / scraped, each run: ${all.map((f) => `${f.idle.map(pct).join(', ')} / ${f.scraped.map(pct).join(', ')}`).join('; ')}.`,
  );
}
