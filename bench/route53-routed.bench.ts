// Route 53 write requests for routed global names: converging an empty zone to N services × 100
// clusters whose global names are `nearest` (latency records, a member per region) or `weighted`
// (weighted records, a member per healthy cluster), then one region failing, through
// reconcileZone and the real SDK against the wire fixture. The routed sets are built here from
// the planner's plain plan (its global A set replaced), so the bench measures the adapter and
// core's batching by the adapter's requestCost, whatever planner builds them. Each is compared
// with ⌈load / limit⌉ + 1, the load counted by requestCost, and with `all` on the same topology.
import {
  diffRecords,
  findZone,
  planFederation,
  reconcileZone,
  recordNames,
  type Change,
  type FederationPlanInput,
  type RecordSet,
  type RoutedMember,
} from '@fedsvc/core';
import { createRoute53Provider, LATENCY_REGIONS, type Route53Provider } from '@fedsvc/dns-route53';
import { FIXTURE_CREDENTIALS, startRoute53Fixture } from '@fedsvc/dns-route53/testing';
import { federation, hundredClusters } from './federation.js';
import { machine, ms, table } from './measure.js';
import { load, target } from './requests.js';

const SERVICES = 50;
const OWNER = 'bench';
const DOMAIN = 'example.com';
type Policy = 'all' | 'nearest' | 'weighted';

/** The bench's 20 regions, each given a latency region of Route 53 (as the `nearest` policy's `locations` would). */
const LOCATIONS = new Map(
  [...new Set(hundredClusters.map((c) => c.region))].map((region, i) => [region, [...LATENCY_REGIONS].sort()[i] ?? '']),
);
const regionOf = new Map(hundredClusters.map((c) => [c.name, c.region]));

const byId = (x: RoutedMember, y: RoutedMember) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);

/** The routed set the global name gets under `policy`, from the service's healthy shards (rrdatas: the `all` set's). */
function routedGlobal(global: RecordSet, input: FederationPlanInput['services'][number], policy: 'nearest' | 'weighted'): RecordSet {
  const healthy = input.shards.filter((s) => s.readyEndpoints > 0);
  let members: RoutedMember[];
  if (policy === 'weighted') {
    members = healthy.map((s) => ({ id: s.cluster, weight: s.readyEndpoints, rrdatas: [...s.addresses] }));
  } else {
    const byRegion = new Map<string, string[]>();
    for (const s of healthy) {
      const region = regionOf.get(s.cluster) ?? '';
      byRegion.set(region, [...(byRegion.get(region) ?? []), ...s.addresses]);
    }
    members = [...byRegion].map(([region, rrdatas]) => ({ id: region, location: LOCATIONS.get(region), rrdatas }));
  }
  return { ...global, routing: policy, members: members.sort(byId) };
}

/** The plan, with each service's global A set routed under `policy`. */
function desiredOf(input: FederationPlanInput, policy: Policy): RecordSet[] {
  const planned = planFederation(input);
  if (policy === 'all') return planned;
  const services = new Map(input.services.map((s) => [recordNames(input.federation, s.service).global, s]));
  return planned.map((record) => {
    const service = record.type === 'A' ? services.get(record.name) : undefined;
    return service ? routedGlobal(record, service, policy) : record;
  });
}

/** Every shard of the first region unhealthy. */
function regionFails(input: FederationPlanInput): FederationPlanInput {
  const region = hundredClusters[0]?.region;
  return {
    ...input,
    services: input.services.map((s) => ({
      ...s,
      shards: s.shards.map((shard) => (regionOf.get(shard.cluster) === region ? { ...shard, readyEndpoints: 0 } : shard)),
    })),
  };
}

interface Measured {
  readonly policy: Policy;
  readonly scenario: string;
  readonly changes: readonly Change[];
  readonly cost: ReturnType<typeof load>;
  readonly target: { requests: number; binding: string };
  readonly writes: number;
  readonly refused: number;
  readonly ms: number;
  readonly converged: boolean;
}

const memberKey = (r: RecordSet<string>) => JSON.stringify([r.name, r.type, r.ttl, r.routing ?? null, r.members ?? null]);

async function converge(
  provider: Route53Provider,
  fixture: Awaited<ReturnType<typeof startRoute53Fixture>>,
  policy: Policy,
  scenario: string,
  desired: RecordSet[],
) {
  const zone = await findZone(provider, { dnsName: DOMAIN });
  fixture.resetRequests();
  const start = performance.now();
  const report = await reconcileZone({ provider, zone, desired, ownerId: OWNER });
  const elapsed = performance.now() - start;
  const cost = provider.requestCost;
  const read = await provider.records(zone);
  const held = new Set(read.map(memberKey));
  const left = diffRecords(read, desired, { ownerId: OWNER });
  return {
    policy,
    scenario,
    changes: report.changes,
    // The load as the adapter counts it, over the changes as they were planned from the read.
    cost: load(report.changes, cost),
    target: target(report.changes, provider.limits, cost),
    writes: fixture.count((r) => r.operation === 'ChangeResourceRecordSets' && r.status === 200),
    refused: fixture.count((r) => r.operation === 'ChangeResourceRecordSets' && r.status !== 200),
    ms: elapsed,
    converged: left.changes.length === 0 && left.conflicts.length === 0 && desired.every((r) => held.has(memberKey(r))),
  } satisfies Measured;
}

const results: Measured[] = [];
const healthy = federation(SERVICES, hundredClusters);
for (const policy of ['all', 'nearest', 'weighted'] as const) {
  const fixture = await startRoute53Fixture({ recordsPerZone: 100_000 });
  fixture.createZone(DOMAIN);
  const provider = createRoute53Provider({
    clientConfig: { endpoint: fixture.url, region: 'us-east-1', credentials: FIXTURE_CREDENTIALS },
  });
  try {
    results.push(await converge(provider, fixture, policy, `empty zone → ${SERVICES} × 100`, desiredOf(healthy, policy)));
    results.push(await converge(provider, fixture, policy, 'one region fails', desiredOf(regionFails(healthy), policy)));
  } finally {
    provider.close();
    await fixture.close();
  }
}

const n = (x: number) => x.toLocaleString('en');
console.log(`\n### Route 53: write requests for routed global names (${machine})\n`);
console.log(
  `${SERVICES} services × 100 clusters in 20 regions; the global name \`all\` (one A set), \`nearest\` (a latency record per region with healthy shards) or \`weighted\` (a weighted record per healthy cluster, weight its ready endpoints). Load counted by the adapter's requestCost.\n`,
);
console.log(
  table(
    [
      'policy',
      'scenario',
      'change-set entries',
      'load: changes / records / chars',
      'write requests',
      'target ⌈load/limit⌉+1',
      'refused',
      'time',
    ],
    results.map((r) => [
      r.policy,
      r.scenario,
      n(r.changes.length),
      `${n(r.cost.changes)} / ${n(r.cost.rrdatas)} / ${n(r.cost.chars)}`,
      n(r.writes),
      `${n(r.target.requests)} (${r.target.binding})`,
      n(r.refused),
      ms(r.ms),
    ]),
  ),
);
console.log('');
for (const r of results) {
  const pass = r.writes <= r.target.requests && r.refused === 0 && r.converged;
  // `all` writes plain sets only, packed as before routed sets existed: a reference, not a check of them.
  const verdict = r.policy === 'all' ? `reference (${pass ? 'within' : 'over'} the target)` : pass ? 'pass' : 'FAIL';
  console.log(
    `- ${r.policy}, ${r.scenario}: write requests ${r.writes} ≤ ${r.target.requests}; none refused (${r.refused}); zone reads back the plan, members included: ${r.converged ? 'yes' : 'NO'} → ${verdict}`,
  );
}
