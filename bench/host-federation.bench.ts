// The host source at scale, on the wire fixtures: FederatedServices × member clusters
// registered as FederatedClusters (each a FakeKubeApi, served by worker threads so that this
// thread holds only the client under test and the host fixture), the real client over HTTP to
// all of them, DNS in memory. Measures the time from start to every status written, host API writes
// per resync in steady state, and, after one member goes NotReady, status writes per affected
// service and the latency from the cluster event to each status written.
// `SERVICES` and `CLUSTERS` (environment) scale it down; defaults 1,000 × 100. `MEMBER_WORKERS`
// sets how many worker threads serve the members (default 2).
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createController } from '@fedsvc/core';
import type { ClusterEvent, MemberClusters } from '@fedsvc/core/provider';
import { sleep } from '@fedsvc/core/provider';
import { createMemoryProvider } from '@fedsvc/dns-memory';
import { createHostFederation, crdManifests } from '@fedsvc/kubernetes';
import { FakeKubeApi, federatedCluster, federatedService, writeKubeconfig } from '@fedsvc/kubernetes/testing';
import { clustersOf } from './federation.js';
import { machine, percentile, table } from './measure.js';
import { startMembers } from './members.js';
import { threadCpuSeconds } from './proc.js';

const SERVICES = Number(process.env.SERVICES ?? 1_000);
const CLUSTERS = Number(process.env.CLUSTERS ?? 100);
const NAMESPACE = 'fedsvc-system';
const WRITES_PER_SECOND = 20;
const WRITE_BURST = 30;
const COALESCE_MS = 1_000;
const FSVC = 'federatedservices.fedsvc.io';

const host = await FakeKubeApi.start();
for (const crd of crdManifests()) host.installCrd(crd);
const topology = clustersOf(CLUSTERS);
const members = await startMembers(
  topology.map((cluster) => ({ name: cluster.name, token: `token-${cluster.name}`, zone: cluster.zones[0]!, region: cluster.region })),
);
topology.forEach((cluster, c) => {
  host.putSecret(NAMESPACE, cluster.name, { token: `token-${cluster.name}` });
  host.putObject('federatedclusters.fedsvc.io', federatedCluster(cluster.name, members.urls[c]!));
});
const template = { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] };
for (let s = 0; s < SERVICES; s++)
  host.putObject(FSVC, federatedService(`ns${s % 50}`, `svc${s}`, { ...template, selector: { app: `svc${s}` } }));

// When each FederatedService's status was written, from the host's own store.
const statusWrites = new Map<string, number[]>();
host.store.subscribe((event) => {
  if (event.resource !== FSVC || event.type !== 'MODIFIED') return;
  const meta = event.object['metadata'] as { namespace: string; name: string };
  const status = event.object['status'] as { clusters?: unknown[] } | undefined;
  if (status?.clusters === undefined) return;
  const times = statusWrites.get(`${meta.namespace}/${meta.name}`) ?? [];
  times.push(performance.now());
  statusWrites.set(`${meta.namespace}/${meta.name}`, times);
});
/** The service's status shows a shard created in every cluster: what the first sync ends with. */
const statusComplete = (s: number) => {
  const o = host.getObject(FSVC, `ns${s % 50}`, `svc${s}`);
  const clusters = (o?.['status'] as { clusters?: { shard?: string }[] } | undefined)?.clusters ?? [];
  return clusters.length === CLUSTERS && clusters.every((cluster) => cluster.shard === 'Created');
};

const kubeconfig = await writeKubeconfig([{ context: 'host', server: host.url }]);
const source = createHostFederation({
  context: 'host',
  kubeconfig: kubeconfig.path,
  namespace: NAMESPACE,
  members: { syncTimeoutMs: 600_000, requestTimeoutMs: 60_000 },
  statusCoalesceMs: COALESCE_MS,
  writesPerSecond: WRITES_PER_SECOND,
  writeBurst: WRITE_BURST,
});
// When the NotReady cluster's status reached the controller.
let notReadyAt: number | undefined;
/** Each member's health as the controller last heard it. */
const health = new Map<string, string>();
const notReady = topology[0]!.name;
const clusters: MemberClusters = {
  watch: (onEvent: (event: ClusterEvent) => void) =>
    source.clusters.watch((event) => {
      if (event.type === 'cluster') health.set(event.cluster.name, event.cluster.health);
      if (event.type === 'cluster' && event.cluster.name === notReady && event.cluster.health === 'NotReady')
        notReadyAt ??= performance.now();
      onEvent(event);
    }),
  applyShard: (action) => source.clusters.applyShard(action),
};
const provider = createMemoryProvider({ zones: [{ dnsName: 'example.com', id: 'bench' }], pageSize: 300 });
const controller = createController({
  federation: { name: 'fed', domain: 'example.com' },
  ownerId: 'bench',
  clusters,
  dns: { provider, zone: { id: 'bench', dnsName: 'example.com.' } },
  resyncMs: false,
  callTimeoutMs: 120_000,
});

/** Whether `check` held within `timeoutMs`; a phase that runs out is reported, not thrown. */
async function until(what: string, check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) {
      console.error(`${what}: not within ${(timeoutMs / 1000).toFixed(0)} s`);
      return false;
    }
    await sleep(100);
  }
  return true;
}

const writesOf = (kind: 'status' | 'events' | 'other') =>
  host.requests.filter(
    (r) =>
      r.method !== 'GET' &&
      (kind === 'status'
        ? r.path.endsWith('/status')
        : kind === 'events'
          ? r.path.includes('/events')
          : !r.path.endsWith('/status') && !r.path.includes('/events')),
  ).length;
// The bench thread's own event-loop delay: what the client under test and the host fixture suffer.
const delay = monitorEventLoopDelay({ resolution: 20 });
delay.enable();
// A line every 30 s on stderr: where a long run's time goes.
const progress = setInterval(() => {
  const complete = Array.from({ length: SERVICES }, (_, s) => s).filter(statusComplete).length;
  void members.census().then(
    (census) =>
      console.error(
        `${((performance.now() - started) / 1000).toFixed(0)} s: shards ${census.services}/${SERVICES * CLUSTERS}, statuses complete ${complete}/${SERVICES}, clusters Ready ${[...health.values()].filter((h) => h === 'Ready').length}/${CLUSTERS}, host writes: status ${writesOf('status')}, events ${writesOf('events')}, other ${writesOf('other')}; worst event-loop delay: bench ${(delay.max / 1e6).toFixed(0)} ms, member workers ${census.eventLoopDelayMaxMs.toFixed(0)} ms; CPU time: bench thread ${(threadCpuSeconds() - cpuAtStart).toFixed(0)} s, member workers ${census.cpuSeconds.toFixed(0)} s; load average ${loadavg()[0]!.toFixed(1)}`,
      ),
    (error: unknown) => console.error(`member census failed: ${String(error)}`),
  );
}, 30_000);

const started = performance.now();
const cpuAtStart = threadCpuSeconds();
const running = source.run(controller);
controller.start();
const floorMs = (Math.max(0, SERVICES - WRITE_BURST) / WRITES_PER_SECOND) * 1000;
const allWritten = await until(
  'every status written',
  () => Array.from({ length: SERVICES }, (_, s) => s).every(statusComplete),
  600_000 + floorMs * 2,
);
const allWrittenMs = performance.now() - started;
console.error(`${allWritten ? 'every status written' : 'statuses still incomplete'} after ${(allWrittenMs / 1000).toFixed(1)} s`);

const hostWrites = () => host.requests.filter((r) => r.method !== 'GET').length;
/** Until the host has received no write for three coalescing windows (statuses still converging, Events). */
async function quiet(timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  let seen = -1;
  while (seen !== hostWrites()) {
    if (performance.now() > deadline) return false;
    seen = hostWrites();
    await controller.idle();
    await sleep(COALESCE_MS * 3);
  }
  return true;
}
const wentQuiet = await quiet(900_000);
const quietMs = performance.now() - started;
console.error(`${wentQuiet ? 'quiet' : 'still writing'} after ${(quietMs / 1000).toFixed(1)} s`);
const RESYNCS = 3;
const beforeResyncs = hostWrites();
for (let i = 0; i < RESYNCS; i++) {
  controller.resync();
  await controller.idle();
  await sleep(COALESCE_MS * 2);
}
const steadyWrites = (hostWrites() - beforeResyncs) / RESYNCS;

statusWrites.clear();
await members.setReady(notReady, 'etcd');
await until('NotReady seen', () => notReadyAt !== undefined, 60_000);
await until('every affected status written', () => statusWrites.size === SERVICES, 300_000 + floorMs * 2);
await sleep(COALESCE_MS * 3);
const perService = [...statusWrites.values()].map((times) => times.length);
const latencies = [...statusWrites.values()].map((times) => times[0]! - notReadyAt!);

clearInterval(progress);
const census = await members.census();
const benchCpuSeconds = threadCpuSeconds() - cpuAtStart;
await controller.stop();
await running.stop();
await Promise.all([host.stop(), members.stop(), kubeconfig.remove()]);

const s = (msValue: number) => `${(msValue / 1000).toFixed(1)} s`;
console.log(
  `\n### Host source, ${SERVICES.toLocaleString('en')} FederatedServices × ${CLUSTERS} member clusters on the wire fixtures (${machine})\n`,
);
console.log(
  `Status and finalizer writes ${WRITES_PER_SECOND}/s (burst ${WRITE_BURST}), Events 10/s (burst 25) apart, coalescing window ${COALESCE_MS} ms: the defaults. The member API servers run in ${members.workers} worker threads; worst event-loop delay of the bench's thread (the client and the host fixture) ${(delay.max / 1e6).toFixed(0)} ms, of a member worker ${census.eventLoopDelayMaxMs.toFixed(0)} ms; CPU time from start to the end, the bench's thread ${benchCpuSeconds.toFixed(1)} s, the member workers ${census.cpuSeconds.toFixed(1)} s (load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(', ')} at the end).\n`,
);
console.log(
  table(
    ['measure', 'value', 'floor / target'],
    [
      [
        'start to every status written',
        allWritten ? s(allWrittenMs) : `not within ${s(allWrittenMs)}`,
        `${s(floorMs)} (rate limit), ×${(allWrittenMs / Math.max(floorMs, 1)).toFixed(2)}`,
      ],
      ['start to the host quiet (no write for three windows)', wentQuiet ? s(quietMs) : `not within ${s(quietMs)}`, ''],
      ['host API writes per resync, steady state', String(steadyWrites), '0'],
      ['after one cluster NotReady: status writes per service (max)', String(Math.max(...perService)), '≤ 1'],
      ['after one cluster NotReady: services written', String(perService.length), String(SERVICES)],
      ['event to status written, p50', s(percentile(latencies, 50)), ''],
      ['event to status written, p99', s(percentile(latencies, 99)), `${s(COALESCE_MS + floorMs)} (window + rate limit)`],
    ],
  ),
);
