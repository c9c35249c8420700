// The controller's periodic resync with nothing changed, 1,000 services × 100 clusters and × the
// guide's 13: requests per resync and CPU per resync, when the read is skipped (the zone's version
// has not moved) and when the zone is read and every service planned again. Any DNS provider can
// be measured: add a factory to BACKENDS. RESYNC_BACKENDS (names, comma-separated) picks some.
import { createController, findZone, type Cluster, type DnsProvider, type DnsZone, type FederatedService } from '@fedsvc/core';
import { MemoryClusters } from '@fedsvc/core/testing';
import { createMemoryProvider } from '@fedsvc/dns-memory';
import { createGoogleProvider } from '@fedsvc/dns-google';
import { startCloudDnsServer } from '@fedsvc/dns-google/testing';
import { createRfc2136Provider } from '@fedsvc/dns-rfc2136';
import { startBind, startDnsProxy } from '@fedsvc/dns-rfc2136/testing';
import { createRoute53Provider } from '@fedsvc/dns-route53';
import { FIXTURE_CREDENTIALS, startRoute53Fixture } from '@fedsvc/dns-route53/testing';
import { address, clustersOf, guideClusters } from './federation.js';
import { machine, ms, percentile, table } from './measure.js';

const SERVICES = Number(process.env.SERVICES ?? 1_000);
/** Periodic resyncs measured when skipped, and full resyncs when read. */
const SKIPPED = 20;
const FULL = 3;
/** The resync period while measuring skipped resyncs: short, so that they come quickly. */
const RESYNC_MS = 100;
/** How long to wait for the skipped resyncs before giving up on them (bounded: a provider may never skip). */
const SKIP_DEADLINE_MS = 60_000;
const DOMAIN = 'example.com';

/** A provider under measurement, with its zone and the requests its backend answered. */
export interface ResyncBackend {
  readonly provider: DnsProvider;
  readonly zone: DnsZone;
  /** Requests the backend answered so far, by kind: listing pages, change requests, version requests. */
  requests(): { readonly pages: number; readonly writes: number; readonly versions: number };
  close(): Promise<void>;
}

const ALL_CLUSTERS = '100 clusters';
const GUIDE = "the guide's 13 clusters";
const TOPOLOGIES: Readonly<Record<string, readonly Cluster[]>> = { [ALL_CLUSTERS]: clustersOf(100), [GUIDE]: guideClusters };

/** A named way to make a backend, and the topologies (keys of TOPOLOGIES) it is measured on. */
export interface ResyncBackendFactory {
  readonly name: string;
  readonly topologies: readonly string[];
  make(): Promise<ResyncBackend>;
}

const memory: ResyncBackendFactory = {
  name: 'memory',
  topologies: [ALL_CLUSTERS, GUIDE],
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

/** BIND 9 behind a proxy that counts, on the wire, zone transfers, UPDATEs and SOA queries. */
const rfc2136: ResyncBackendFactory = {
  name: 'rfc2136 (BIND 9)',
  // Real servers are too slow here for 1,000 × 100 (242,000 record sets): the guide's 13 only.
  topologies: [GUIDE],
  async make() {
    const bind = await startBind({ zones: [`${DOMAIN}.`] });
    const proxy = await startDnsProxy({ host: bind.host, port: bind.port });
    // A whole transfer of the zone is one exchange: give it time.
    const provider = createRfc2136Provider({
      server: { host: proxy.host, port: proxy.port },
      zones: [DOMAIN],
      tsig: bind.key,
      timeoutMs: 120_000,
    });
    return {
      provider,
      zone: { id: `${DOMAIN}.`, dnsName: `${DOMAIN}.` },
      requests: () => {
        const { reads, writes, versions } = proxy.counts();
        return { pages: reads, writes, versions };
      },
      async close() {
        await proxy.close();
        await bind.stop();
      },
    };
  },
};

/** The zone's record-set quota raised (10,000 by default) to hold 1,000 services × 13 clusters, as such a project would have to. */
const CLOUD_DNS_ZONE_QUOTA = 40_000;

/** The local Cloud DNS server behind Google's client library; requests counted from its log. */
const cloudDns: ResyncBackendFactory = {
  name: 'Cloud DNS (local server)',
  topologies: [GUIDE],
  async make() {
    const server = await startCloudDnsServer({ limits: { rrsetsPerZone: CLOUD_DNS_ZONE_QUOTA } });
    server.createZone('example-dot-com', DOMAIN);
    const provider = createGoogleProvider({ projectId: server.projectId, credentials: server.credentials, apiEndpoint: server.url });
    return {
      provider,
      zone: await findZone(provider, { dnsName: DOMAIN }),
      requests: () => ({
        pages: server.count((r) => r.operation === 'rrsets.list'),
        writes: server.count((r) => r.operation === 'changes.create'),
        versions: server.count((r) => r.operation === 'changes.list'),
      }),
      async close() {
        await server.close();
      },
    };
  },
};

/** The Route 53 fixture behind the AWS SDK, the adapter's defaults (5 requests/s, a fifth for full reads); no zoneVersion. */
const route53: ResyncBackendFactory = {
  name: 'Route 53 (fixture)',
  topologies: [GUIDE],
  async make() {
    const fixture = await startRoute53Fixture();
    fixture.createZone(DOMAIN);
    const provider = createRoute53Provider({
      clientConfig: { endpoint: fixture.url, region: 'us-east-1', credentials: FIXTURE_CREDENTIALS },
    });
    return {
      provider,
      zone: await findZone(provider, { dnsName: DOMAIN }),
      requests: () => ({
        pages: fixture.count((r) => r.operation === 'ListResourceRecordSets'),
        writes: fixture.count((r) => r.operation === 'ChangeResourceRecordSets'),
        versions: 0,
      }),
      async close() {
        provider.close();
        await fixture.close();
      },
    };
  },
};

const chosen = process.env.RESYNC_BACKENDS?.split(',').map((name) => name.trim());
export const BACKENDS: readonly ResyncBackendFactory[] = [memory, rfc2136, cloudDns, route53].filter(
  (factory) => chosen === undefined || chosen.some((name) => factory.name.startsWith(name)),
);

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
  /** What was seen instead, when the provider has a zoneVersion but no resync was skipped in time. */
  readonly unskipped?: string;
  /** Per full resync: pages, CPU and wall (medians). */
  readonly full: { readonly requests: string; readonly cpu: number; readonly wall: number };
  /** Whether the provider has readInterval (spreads its full reads to a share of its rate). */
  readonly shares: boolean;
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
  let unskipped: string | undefined;
  if (backend.provider.zoneVersion) {
    const marks: { cpu: NodeJS.CpuUsage; requests: ReturnType<ResyncBackend['requests']> }[] = [];
    const read = controller.resyncStatus().resyncs.read;
    // The controller's resync timer does not hold the process open.
    const open = setInterval(() => {}, 1_000);
    let listener = () => {};
    await new Promise<void>((resolve) => {
      const deadline = setTimeout(resolve, SKIP_DEADLINE_MS);
      listener = () => {
        marks.push({ cpu: process.cpuUsage(), requests: backend.requests() });
        if (marks.length > SKIPPED) {
          clearTimeout(deadline);
          resolve();
        }
      };
      controller.on('resync-skipped', listener);
    });
    controller.off('resync-skipped', listener);
    clearInterval(open);
    const reads = controller.resyncStatus().resyncs.read - read;
    if (marks.length < 2) {
      unskipped = `${marks.length} resync(s) skipped in ${SKIP_DEADLINE_MS / 1000} s, ${reads} periodic resync(s) read the zone`;
    } else {
      // Each interval holds one resync and the idle process around it; the CPU is an upper bound.
      const cpu = marks.slice(1).map((mark, i) => cpuMs(marks[i]!.cpu) - cpuMs(mark.cpu));
      skipped = {
        requests: kinds(marks[0]!.requests, marks[marks.length - 1]!.requests, marks.length - 1),
        cpu: percentile(cpu, 50),
        cpuMax: Math.max(...cpu),
        read: reads,
      };
    }
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
  const recordSets = (await backend.provider.records(backend.zone)).length;
  await backend.close();
  return {
    recordSets,
    skipped,
    unskipped,
    shares: backend.provider.readInterval !== undefined,
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

const rows: string[][] = [];
const verdicts: string[] = [];
for (const factory of BACKENDS) {
  for (const label of factory.topologies) {
    const figures = await measure(factory, TOPOLOGIES[label]!);
    const where = `${factory.name}, ${SERVICES.toLocaleString('en')} × ${label}`;
    const { skipped, full } = figures;
    rows.push([
      where,
      figures.recordSets.toLocaleString('en'),
      skipped ? skipped.requests : (figures.unskipped ?? 'no zoneVersion'),
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
    if (figures.unskipped) verdicts.push(`- ${where}: one request per skipped resync (target 1): NOT met: ${figures.unskipped}`);
    if (figures.shares) {
      // The adapter's defaults: 5 requests/s, a fifth of them for full reads.
      const within = figures.period.perSecond <= 1.0001;
      verdicts.push(
        `- ${where}: full reads at ${figures.period.perSecond.toFixed(2)} requests/s of the period in force (target: at most 1, a fifth of 5): ${within ? 'met' : 'NOT met'}`,
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
