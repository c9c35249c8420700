// Cloud DNS write requests for routed global names: 1,000 services × 100 clusters converged from
// an empty zone, then again after one region's clusters fail, with the global name answering
// `all` (a plain set), `nearest` (a geo policy) or `weighted` (a wrr policy), through
// reconcileZone and the real Google SDK against the local wire server; requests are counted by
// the wire server. The routed global sets are built here from the shards as core's planner is to
// plan them (nearest: one member per region with healthy shards, at the location the policy's
// `locations` give it; weighted: one member per healthy shard, weighted by its ready endpoints);
// the zone and region names are planFederation's. It runs in a worker thread with a 64 MiB stack:
// at 242,000 changes reconcileZone's report (`written.push(...writer.written)`) overflows Node's
// default stack.
import { loadavg } from 'node:os';
import { isMainThread, Worker } from 'node:worker_threads';
import {
  diffRecords,
  findZone,
  isShardHealthy,
  planFederation,
  reconcileZone,
  recordNames,
  type Change,
  type Cluster,
  type FederationPlanInput,
  type RecordSet,
  type ProviderLimits,
  type RequestCost,
  type RoutedMember,
} from '@fedsvc/core';
import { CLOUD_DNS_GEO_LOCATIONS, createGoogleProvider, type GoogleProvider } from '@fedsvc/dns-google';
import { startCloudDnsServer } from '@fedsvc/dns-google/testing';
import { federation, hundredClusters } from './federation.js';
import { machine, ms, table } from './measure.js';
import { load } from './requests.js';

const SERVICES = 1_000;
const OWNER = 'bench';
const DOMAIN = 'example.com';
/** The zone's record-set quota (10,000 by default, raised on request), raised to hold 121,000 record sets and their markers. */
const ZONE_QUOTA = 250_000;

type Policy = 'all' | 'nearest' | 'weighted';

/** The bench's regions (`region0` … `region19`) at Google Cloud regions, as a `nearest` policy's `locations` would put them. */
const regions = [...new Set(hundredClusters.map((cluster) => cluster.region))];
const gcpRegions = [...CLOUD_DNS_GEO_LOCATIONS];
const locations = new Map(regions.map((region, i) => [region, gcpRegions[i]!]));

const compareIds = (a: RoutedMember, b: RoutedMember) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The routed global set of one service, its union the `all` set planned for it. */
function routedGlobal(
  all: RecordSet,
  policy: 'nearest' | 'weighted',
  clusters: readonly Cluster[],
  shards: FederationPlanInput['services'][number]['shards'],
): RecordSet {
  const byName = new Map(clusters.map((cluster) => [cluster.name, cluster]));
  const healthy = shards.filter((shard) => isShardHealthy(byName.get(shard.cluster), shard));
  let members: RoutedMember[];
  if (policy === 'weighted') {
    members = healthy.map((shard) => ({ id: shard.cluster, weight: shard.readyEndpoints, rrdatas: [...shard.addresses] }));
  } else {
    const byRegion = new Map<string, string[]>();
    for (const shard of healthy) {
      const region = byName.get(shard.cluster)!.region;
      byRegion.set(region, [...(byRegion.get(region) ?? []), ...shard.addresses]);
    }
    const inOrder = (rrdatas: string[]) => all.rrdatas.filter((rrdata) => rrdatas.includes(rrdata));
    members = [...byRegion].map(([region, rrdatas]) => ({ id: region, location: locations.get(region)!, rrdatas: inOrder(rrdatas) }));
  }
  return { ...all, routing: policy, members: members.sort(compareIds) };
}

/** planFederation's record sets, the global A sets routed by `policy`. */
function desired(input: FederationPlanInput, policy: Policy): RecordSet[] {
  const plan = planFederation(input);
  if (policy === 'all') return plan;
  const services = new Map(input.services.map((entry) => [recordNames(input.federation, entry.service).global, entry.shards]));
  return plan.map((record) => {
    const shards = record.type === 'A' ? services.get(record.name) : undefined;
    return shards ? routedGlobal(record, policy, input.clusters, shards) : record;
  });
}

/** The input with every cluster of `region` not ready: its shards unhealthy. */
function regionDown(input: FederationPlanInput, region: string): FederationPlanInput {
  return { ...input, clusters: input.clusters.map((cluster) => (cluster.region === region ? { ...cluster, ready: false } : cluster)) };
}

/** A record set as core is to compare it: members by location or by weight, with their data. */
const compared = (record: RecordSet<string>) =>
  JSON.stringify([
    record.ttl,
    [...record.rrdatas].sort(),
    record.routing,
    record.members?.map((m) => [m.location ?? m.weight, [...m.rrdatas].sort()]).sort((x, y) => (String(x[0]) < String(y[0]) ? -1 : 1)),
  ]);

interface Measured {
  readonly policy: Policy;
  readonly scenario: string;
  readonly changes: readonly Change[];
  /** What the changes weigh, as the adapter counts them (every member's rrdatas). */
  readonly load: RequestCost;
  /** Additions and deletions the wire server received: the changes, and any guards (markers rewritten as they stand) sent with them. */
  readonly sent: number;
  readonly writes: number;
  readonly refused: number;
  readonly target: { requests: number; binding: string };
  readonly ms: number;
  readonly converged: boolean;
}

/**
 * ⌈load / limit⌉ + 1 for the limit that binds: additions and deletions as sent (the report leaves
 * out the guards, which change nothing but are sent), rrdata bytes as the adapter counts them.
 */
function sentTarget(sent: number, weight: RequestCost, limits: ProviderLimits): { requests: number; binding: string } {
  const byChanges = Math.ceil(sent / limits.maxChangesPerRequest);
  const byBytes = Math.ceil(weight.chars / limits.maxRrdataCharsPerRequest);
  if (sent === 0) return { requests: 0, binding: '' };
  return byChanges >= byBytes ? { requests: byChanges + 1, binding: 'changes' } : { requests: byBytes + 1, binding: 'bytes' };
}

async function scenario(
  provider: GoogleProvider,
  server: Awaited<ReturnType<typeof startCloudDnsServer>>,
  policy: Policy,
  name: string,
  want: RecordSet[],
): Promise<Measured> {
  const zone = await findZone(provider, { dnsName: DOMAIN });
  server.resetRequests();
  const start = performance.now();
  const { changes } = await reconcileZone({ provider, zone, desired: want, ownerId: OWNER });
  const elapsed = performance.now() - start;
  const writes = server.count((r) => r.operation === 'changes.create');
  const sent = server.requests.reduce((sum, r) => sum + (r.operation === 'changes.create' ? (r.changes ?? 0) : 0), 0);
  const refused = server.count((r) => r.operation === 'changes.create' && r.status !== 200);
  const held = await provider.records(zone);
  const byKey = new Map(held.map((r) => [`${r.name} ${r.type}`, r]));
  const exact = want.every((r) => {
    const got = byKey.get(`${r.name} ${r.type}`);
    return got !== undefined && compared(got) === compared(r);
  });
  const left = diffRecords(held, want, { ownerId: OWNER });
  return {
    policy,
    scenario: name,
    changes,
    load: load(changes, provider.requestCost),
    sent,
    writes,
    refused,
    target: sentTarget(sent, load(changes, provider.requestCost), provider.limits),
    ms: elapsed,
    converged: exact && left.changes.length === 0 && left.conflicts.length === 0,
  };
}

if (isMainThread) {
  // A worker thread registers tsx's hooks itself (it does not inherit the main thread's), then runs this file.
  const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
    .then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(bootstrap, { eval: true, resourceLimits: { stackSizeMb: 64, maxOldGenerationSizeMb: 8_192 } });
  const code = await new Promise<number>((resolve) => worker.on('exit', resolve));
  process.exitCode = code;
} else {
  await run();
}

async function run(): Promise<void> {
  const before = federation(SERVICES, hundredClusters);
  const after = regionDown(before, regions[0]!);
  const loadBefore = loadavg();
  const results: Measured[] = [];
  for (const policy of ['all', 'nearest', 'weighted'] as const) {
    const server = await startCloudDnsServer({ limits: { rrsetsPerZone: ZONE_QUOTA } });
    try {
      server.createZone('example-dot-com', DOMAIN);
      const provider = createGoogleProvider({ projectId: server.projectId, credentials: server.credentials, apiEndpoint: server.url });
      results.push(
        await scenario(provider, server, policy, `empty zone → ${SERVICES.toLocaleString('en')} × 100`, desired(before, policy)),
      );
      results.push(await scenario(provider, server, policy, `${regions[0]} fails (its 5 clusters)`, desired(after, policy)));
    } finally {
      await server.close();
    }
  }
  const loadAfter = loadavg();

  const n = (x: number) => x.toLocaleString('en');
  const load1 = (l: number[]) => l.map((x) => x.toFixed(2)).join(', ');
  console.log(`\n### Cloud DNS: write requests for routed global names (${machine})\n`);
  console.log(`load average (1, 5, 15 min) before: ${load1(loadBefore)}; after: ${load1(loadAfter)}\n`);
  console.log(
    table(
      [
        'global name',
        'scenario',
        'changes',
        'additions + deletions: changes',
        'received by the server',
        'rrdata bytes',
        'write requests',
        'refused',
        'target ⌈load/limit⌉+1',
        'zone as planned',
        'time',
      ],
      results.map((r) => {
        const l = r.load;
        return [
          r.policy,
          r.scenario,
          n(r.changes.length),
          n(l.changes),
          n(r.sent),
          n(l.chars),
          n(r.writes),
          n(r.refused),
          r.target.requests === 0 ? '0' : `${n(r.target.requests)} (${r.target.binding})`,
          r.converged ? 'yes' : 'NO',
          ms(r.ms),
        ];
      }),
    ),
  );
  console.log('');
  for (const r of results) {
    const pass = r.writes <= r.target.requests && r.refused === 0 && r.converged;
    console.log(
      `- ${r.policy}, ${r.scenario}: write requests ${r.writes} ≤ ${r.target.requests}, none refused, zone as planned → ${pass ? 'pass' : 'FAIL'}`,
    );
  }
  console.log(
    '\n"changes": entries of the change set reconcileZone reports (an update is one; guards, which change nothing, are not listed). ' +
      'Additions + deletions count an update twice, as Cloud DNS does; "received" counts them as the server did, with any guards the requests carried (a marker rewritten ' +
      "as it stands, so that a CNAME lands only while its target is still this owner's). rrdata bytes count every routed member's rrdatas. " +
      'Target: ⌈sent / 1,000⌉ + 1, or ⌈bytes / 100,000⌉ + 1 when that binds. "time": wall clock, SDK and wire server in one process.',
  );
}
