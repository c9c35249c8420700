// Requests per adapter: converging an empty zone to 1,000 services × the guide's 13
// clusters, re-converging after 1% of shards changed, and re-converging with nothing changed,
// all through reconcileZone. Requests are counted by the backend (the in-memory provider's
// counters, the wire fixtures' request logs), not by the caller; Route 53 and Cloud DNS run the
// real SDK over HTTP against their local wire servers.
import { batchChanges } from '@fedsvc/core/provider';
import {
  diffRecords,
  findZone,
  ownershipSubject,
  planFederation,
  reconcileZone,
  type Change,
  type DnsProvider,
  type DnsZone,
  type RecordSet,
} from '@fedsvc/core';
import { createMemoryProvider } from '@fedsvc/dns-memory';
import { createGoogleProvider } from '@fedsvc/dns-google';
import { createRoute53Provider } from '@fedsvc/dns-route53';
import { startCloudDnsServer } from '@fedsvc/dns-google/testing';
import { FIXTURE_CREDENTIALS, startRoute53Fixture } from '@fedsvc/dns-route53/testing';
import { federation, guideClusters, onePercent } from './federation.js';
import { machine, ms, table } from './measure.js';
import { load, target } from './requests.js';

const SERVICES = 1_000;
const OWNER = 'bench';
const DOMAIN = 'example.com';

/** A provider with its zone, and the requests its backend has answered so far. */
interface Backend {
  readonly provider: DnsProvider;
  readonly zone: DnsZone;
  /** Listing pages and change requests the backend answered since the last reset. */
  requests(): { pages: number; writes: number };
  resetRequests(): void;
  /** The zone's record sets as the backend holds them (not a request through the port). */
  state(): Promise<readonly RecordSet<string>[]>;
  close(): Promise<void>;
}

async function memoryBackend(): Promise<Backend> {
  const provider = createMemoryProvider({ zones: [{ dnsName: DOMAIN, id: 'bench' }] });
  const zone = await findZone(provider, { dnsName: DOMAIN });
  let base = provider.requests();
  return {
    provider,
    zone,
    requests() {
      const now = provider.requests();
      return { pages: now.reads - base.reads, writes: now.writes - base.writes };
    },
    resetRequests() {
      base = provider.requests();
    },
    async state() {
      return provider.snapshot(zone);
    },
    async close() {},
  };
}

async function route53Backend(): Promise<Backend> {
  const fixture = await startRoute53Fixture();
  fixture.createZone(DOMAIN);
  const provider = createRoute53Provider({
    clientConfig: { endpoint: fixture.url, region: 'us-east-1', credentials: FIXTURE_CREDENTIALS },
  });
  const zone = await findZone(provider, { dnsName: DOMAIN });
  return {
    provider,
    zone,
    requests() {
      return {
        pages: fixture.count((r) => r.operation === 'ListResourceRecordSets'),
        writes: fixture.count((r) => r.operation === 'ChangeResourceRecordSets'),
      };
    },
    resetRequests() {
      fixture.resetRequests();
    },
    async state() {
      return fixture.recordSets(zone.id).map((r) => ({ name: r.name, type: r.type, ttl: r.ttl ?? 0, rrdatas: r.values }));
    },
    async close() {
      provider.close();
      await fixture.close();
    },
  };
}

/**
 * Cloud DNS's documented per-change limits as they are; the zone's record-set quota (10,000 by
 * default, raised on request) is raised to hold 1,000 services' 36,000 record sets, as such a
 * project would have to.
 */
const CLOUD_DNS_ZONE_QUOTA = 40_000;

async function googleBackend(): Promise<Backend> {
  const server = await startCloudDnsServer({ limits: { rrsetsPerZone: CLOUD_DNS_ZONE_QUOTA } });
  server.createZone('example-dot-com', DOMAIN);
  const provider = createGoogleProvider({ projectId: server.projectId, credentials: server.credentials, apiEndpoint: server.url });
  const zone = await findZone(provider, { dnsName: DOMAIN });
  return {
    provider,
    zone,
    requests() {
      return {
        pages: server.count((r) => r.operation === 'rrsets.list'),
        writes: server.count((r) => r.operation === 'changes.create'),
      };
    },
    resetRequests() {
      server.resetRequests();
    },
    async state() {
      return server.recordSets(zone.id);
    },
    async close() {
      await server.close();
    },
  };
}

interface Measured {
  readonly adapter: string;
  readonly scenario: string;
  readonly changes: readonly Change[];
  readonly batches: number;
  readonly writes: number;
  readonly pages: number;
  readonly fullReads: number;
  readonly target: { requests: number; binding: string };
  readonly baseline: number;
  readonly ms: number;
  readonly converged: boolean;
}

async function scenario(adapter: string, backend: Backend, name: string, desired: readonly RecordSet[]): Promise<Measured> {
  backend.resetRequests();
  const start = performance.now();
  const report = await reconcileZone({ provider: backend.provider, zone: backend.zone, desired, ownerId: OWNER });
  const elapsed = performance.now() - start;
  const { pages, writes } = backend.requests();
  const left = diffRecords(await backend.state(), desired, { ownerId: OWNER });
  return {
    adapter,
    scenario: name,
    changes: report.changes,
    batches: batchChanges(report.changes, backend.provider.limits).length,
    writes,
    pages,
    fullReads: report.reads,
    target: target(report.changes, backend.provider.limits),
    // The original controller sent one request per record set it changed (it kept no ownership records).
    baseline: report.changes.filter((change) => ownershipSubject(change.record.name) === change.record.name).length,
    ms: elapsed,
    converged: left.changes.length === 0 && left.conflicts.length === 0,
  };
}

const before = planFederation(federation(SERVICES, guideClusters));
const after = planFederation(federation(SERVICES, guideClusters, onePercent(SERVICES, guideClusters.length)));

const adapters: readonly { name: string; start: () => Promise<Backend> }[] = [
  { name: 'memory', start: memoryBackend },
  { name: 'route53 (SDK → wire fixture)', start: route53Backend },
  { name: 'google (SDK → wire fixture)', start: googleBackend },
];

const results: Measured[] = [];
for (const { name, start } of adapters) {
  const backend = await start();
  try {
    results.push(await scenario(name, backend, 'empty zone → 1,000 × 13', before));
    results.push(await scenario(name, backend, '1% of shards changed', after));
    results.push(await scenario(name, backend, 'nothing changed', after));
  } finally {
    await backend.close();
  }
}

const n = (x: number) => x.toLocaleString('en');
console.log(`\n### DNS providers: requests to converge one zone (${machine})\n`);
console.log(
  `${n(SERVICES)} services × ${guideClusters.length} clusters (the guide's 13 zones in 4 regions): ${n(before.length)} record sets planned, plus one ownership record each.\n`,
);
console.log(
  table(
    [
      'adapter',
      'scenario',
      'changes',
      'load (rrdatas)',
      'batches',
      'write requests',
      'target ⌈load/limit⌉+1',
      'zone reads (pages)',
      'one request per record set',
      'ratio',
      'time',
    ],
    results.map((r) => {
      const l = load(r.changes);
      return [
        r.adapter,
        r.scenario,
        n(r.changes.length),
        n(l.rrdatas),
        n(r.batches),
        n(r.writes),
        r.target.requests === 0 ? '0' : `${n(r.target.requests)} (${r.target.binding})`,
        `${r.fullReads} (${n(r.pages)})`,
        n(r.baseline),
        r.writes === 0 ? '–' : `×${(r.baseline / r.writes).toFixed(0)} fewer`,
        ms(r.ms),
      ];
    }),
  ),
);

console.log('');
for (const r of results.filter((x) => x.adapter.startsWith('route53') && x.writes > 0)) {
  // Route 53 answers at most 5 requests per second per account: a floor on the time any pass takes.
  console.log(
    `- route53, ${r.scenario}: at 5 requests/second, at least ${((r.pages + r.writes) / 5).toFixed(1)} s ` +
      `(${n(r.pages)} page + ${n(r.writes)} write requests); one request per record set: at least ${n(r.baseline / 5)} s`,
  );
}
for (const r of results) {
  const checks =
    r.scenario === 'nothing changed'
      ? [
          `zero writes (${r.writes})`,
          r.writes === 0,
          `one paged read of the zone (${r.fullReads} read, ${r.pages} pages)`,
          r.fullReads <= 1,
        ]
      : [
          `write requests ${r.writes} ≤ ${r.target.requests}`,
          r.writes <= r.target.requests,
          `one paged read of the zone (${r.fullReads})`,
          r.fullReads <= 1,
        ];
  const [c1, ok1, c2, ok2] = checks as [string, boolean, string, boolean];
  const pass = ok1 && ok2 && r.converged;
  console.log(
    `- ${r.adapter}, ${r.scenario}: ${c1}; ${c2}; zone holds the plan afterwards: ${r.converged ? 'yes' : 'NO'} → ${pass ? 'pass' : 'FAIL'}`,
  );
}
console.log(
  '\n"changes": entries of the change set (an update is one entry; an ownership record is one). Load counts an update twice (deletion + addition), as Route 53 and Cloud DNS do; ' +
    'the target takes the limit that binds (Route 53: 1,000 ResourceRecord elements and 32,000 value characters per ChangeResourceRecordSets; ' +
    `Cloud DNS: 1,000 additions and 1,000 deletions, counted together, and 100,000 bytes of rrdata per change; its zone quota raised to ${n(CLOUD_DNS_ZONE_QUOTA)} record sets). ` +
    '"one request per record set" counts the A/AAAA/CNAME record sets changed, one request each, as the original controller sent them. ' +
    '"time": wall clock on this machine, the local wire servers running in the same process, so it measures the SDKs and fixtures here, not the services\' latency.',
);
