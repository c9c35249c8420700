// The controller's periodic resync with nothing changed, 1,000 services × 100 clusters and × the
// guide's 13: requests per resync and CPU per resync, when the read is skipped (the zone's version
// has not moved) and when the zone is read and every service planned again. Any DNS provider can
// be measured: add a factory to BACKENDS.
import { createController, type Cluster, type DnsProvider, type DnsZone, type FederatedService } from '@fedsvc/core';
import { MemoryClusters } from '@fedsvc/core/testing';
import { createMemoryProvider } from '@fedsvc/dns-memory';
import { address, clustersOf, guideClusters } from './federation.js';
import { machine, ms, percentile, table } from './measure.js';

const SERVICES = Number(process.env.SERVICES ?? 1_000);
/** Periodic resyncs measured when skipped, and full resyncs when read. */
const SKIPPED = 20;
const FULL = 3;
/** The resync period while measuring skipped resyncs: short, so that they come quickly. */
const RESYNC_MS = 100;
const DOMAIN = 'example.com';

/** A provider under measurement, with its zone and the requests its backend answered. */
export interface ResyncBackend {
  readonly provider: DnsProvider;
  readonly zone: DnsZone;
  /** Requests the backend answered so far, by kind: listing pages, change requests, version requests. */
  requests(): { readonly pages: number; readonly writes: number; readonly versions: number };
  close(): Promise<void>;
}

/** A named way to make a backend; each is measured on each topology. */
export interface ResyncBackendFactory {
  readonly name: string;
  make(): Promise<ResyncBackend>;
}

const memory: ResyncBackendFactory = {
  name: 'memory',
  async make() {
    const provider = createMemoryProvider({ zones: [{ dnsName: DOMAIN, id: 'bench' }], pageSize: 300 });
    return {
      provider,
      zone: { id: 'bench', dnsName: `${DOMAIN}.` },
      requests: () => {
        const { reads, writes, versions } = provider.requests();
        return { pages: reads, writes, versions };
      },
      async close() {},
    };
  },
};

export const BACKENDS: readonly ResyncBackendFactory[] = [memory];

const service = (s: number): FederatedService => ({
  manifest: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: `ns${s % 50}`, name: `svc${s}` },
    spec: { type: 'LoadBalancer', selector: { app: `svc${s}` }, ports: [{ port: 80, protocol: 'TCP' }] },
  },
});

interface Figures {
  readonly recordSets: number;
  /** Per skipped resync: requests of each kind, CPU (median, max); undefined when the provider has no zoneVersion. */
  readonly skipped?: { readonly requests: string; readonly cpu: number; readonly cpuMax: number; readonly read: number };
  /** Per full resync: pages, CPU and wall (medians). */
  readonly full: { readonly requests: string; readonly cpu: number; readonly wall: number };
  /** The resync period in force after the full reads, its reason, and the full read's requests per second of it. */
  readonly period: { readonly ms: number; readonly reason: string; readonly perSecond: number };
}

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
const per = (n: number, runs: number): string => String(Math.round((n / runs) * 10) / 10);
const kinds = (a: ReturnType<ResyncBackend['requests']>, b: ReturnType<ResyncBackend['requests']>, runs: number): string =>
  `${per(b.pages - a.pages, runs)} pages, ${per(b.writes - a.writes, runs)} writes, ${per(b.versions - a.versions, runs)} versions`;

async function measure(factory: ResyncBackendFactory, topology: readonly Cluster[]): Promise<Figures> {
  const backend = await factory.make();
  const clusters = new MemoryClusters(
    topology.map((cluster, c) => ({
      name: cluster.name,
      zones: cluster.zones,
      region: cluster.region,
      loadBalancerAddresses: Array.from({ length: SERVICES }, (_, s) => address(s * 512 + c)),
    })),
  );
  const controller = createController({
    federation: { name: 'fed', domain: DOMAIN },
    ownerId: 'bench',
    clusters,
    dns: { provider: backend.provider, zone: backend.zone },
    services: Array.from({ length: SERVICES }, (_, s) => service(s)),
    resyncMs: RESYNC_MS,
  });
  controller.start();
  await controller.idle();
  for (let s = 0; s < SERVICES; s++) for (const cluster of topology) clusters.setReadyEndpoints(cluster.name, `ns${s % 50}`, `svc${s}`, 1);
  await controller.idle();

  // Skipped: the periodic resyncs of an idle controller, from one to the next.
  let skipped: Figures['skipped'];
  if (backend.provider.zoneVersion) {
    const marks: { cpu: NodeJS.CpuUsage; requests: ReturnType<ResyncBackend['requests']> }[] = [];
    const read = controller.resyncStatus().resyncs.read;
    // The controller's resync timer does not hold the process open.
    const open = setInterval(() => {}, 1_000);
    await new Promise<void>((resolve) => {
      const listener = () => {
        marks.push({ cpu: process.cpuUsage(), requests: backend.requests() });
        if (marks.length > SKIPPED) {
          controller.off('resync-skipped', listener);
          resolve();
        }
      };
      controller.on('resync-skipped', listener);
    });
    clearInterval(open);
    // Each interval holds one resync and the idle process around it; the CPU is an upper bound.
    const cpu = marks.slice(1).map((mark, i) => cpuMs(marks[i]!.cpu) - cpuMs(mark.cpu));
    skipped = {
      requests: kinds(marks[0]!.requests, marks[marks.length - 1]!.requests, SKIPPED),
      cpu: percentile(cpu, 50),
      cpuMax: Math.max(...cpu),
      read: controller.resyncStatus().resyncs.read - read,
    };
  }

  // Full: the zone read and every service planned again (what every resync cost before).
  const before = backend.requests();
  const runs: { cpu: number; wall: number }[] = [];
  for (let i = 0; i < FULL; i++) {
    const cpu = process.cpuUsage();
    const wall = performance.now();
    controller.resync();
    await controller.idle();
    runs.push({ cpu: cpuMs(cpu), wall: performance.now() - wall });
  }
  const after = backend.requests();
  const { periodMs, reason } = controller.resyncStatus();
  await controller.stop();
  await backend.close();
  return {
    recordSets: (await backend.provider.records(backend.zone)).length,
    skipped,
    full: {
      requests: kinds(before, after, FULL),
      cpu: percentile(
        runs.map((r) => r.cpu),
        50,
      ),
      wall: percentile(
        runs.map((r) => r.wall),
        50,
      ),
    },
    period: { ms: periodMs, reason, perSecond: (after.pages - before.pages + after.versions - before.versions) / FULL / (periodMs / 1000) },
  };
}

const topologies: [string, readonly Cluster[]][] = [
  ['100 clusters', clustersOf(100)],
  ["the guide's 13 clusters", guideClusters],
];
const rows: string[][] = [];
const verdicts: string[] = [];
for (const factory of BACKENDS) {
  for (const [label, topology] of topologies) {
    const figures = await measure(factory, topology);
    const where = `${factory.name}, ${SERVICES.toLocaleString('en')} × ${label}`;
    const { skipped, full } = figures;
    rows.push([
      where,
      figures.recordSets.toLocaleString('en'),
      skipped ? skipped.requests : 'no zoneVersion',
      skipped ? `${ms(skipped.cpu)} (max ${ms(skipped.cpuMax)})` : '–',
      full.requests,
      `${ms(full.cpu)} (wall ${ms(full.wall)})`,
      skipped ? `×${(full.cpu / skipped.cpu).toFixed(0)}` : '–',
      `${ms(figures.period.ms)} (${figures.period.reason}); ${figures.period.perSecond.toFixed(1)} requests/s if every resync read`,
    ]);
    if (skipped) {
      const one = skipped.requests === '0 pages, 0 writes, 1 versions' && skipped.read === 0;
      verdicts.push(
        `- ${where}: one request per skipped resync (target 1): ${one ? 'met' : 'NOT met'}; CPU ${ms(skipped.cpu)} (target: under 10 ms): ${skipped.cpu < 10 ? 'met' : 'NOT met'}`,
      );
    }
  }
}
console.log(`\n### Resync with nothing changed (${machine})\n`);
console.log(
  table(
    [
      'provider, services × clusters',
      'record sets in the zone',
      'requests per skipped resync',
      `CPU per skipped resync (median of ${SKIPPED})`,
      'requests per full resync',
      `CPU per full resync (median of ${FULL})`,
      'full / skipped CPU',
      `resync period (resyncMs ${RESYNC_MS} ms)`,
    ],
    rows,
  ),
);
console.log(`\n${verdicts.join('\n')}`);
