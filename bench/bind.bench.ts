// A real BIND 9 behind the RFC 2136 adapter:
// (a) failover: from a zone's last pod going unready to `named` answering the zone's name with
//     the CNAME to its region (and back: from the pods' return to the A record), the whole
//     controller with its default coalescing window, measured by a client polling the server;
// (b) converging BIND, Knot and PowerDNS from an empty zone to 1,000 services × the guide's 13
//     clusters through reconcileZone, then 1 % of shards changed: time and UPDATE messages,
//     counted by a proxy in front of the server, against ⌈load / limit⌉ + 1 in the adapter's bytes;
// (c) a whole member cluster lost: the guide's 13 clusters as Kubernetes API wire fixtures
//     behind @fedsvc/kubernetes with its defaults, one API server stops answering (packets
//     dropped) or refuses connections, until `named` answers the lost zone's name with the CNAME
//     to its region; and the state changes over a run with 1 % of probes lost at random.
import { execFileSync, spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { batchChanges, sleep } from '@fedsvc/core/provider';
import { createController, diffRecords, planFederation, reconcileZone, type DnsZone, type FederatedService } from '@fedsvc/core';
import { MemoryClusters } from '@fedsvc/core/testing';
import { guideZones, guideHealthyAddresses } from '@fedsvc/core/testing';
import { RFC2136_LIMITS, createRfc2136Provider } from '@fedsvc/dns-rfc2136';
import {
  SERVER_KINDS,
  findKnotd,
  findNamed,
  findPdnsServer,
  startBind,
  startDnsProxy,
  startDnsServer,
  type BindServer,
  type ServerKindName,
} from '@fedsvc/dns-rfc2136/testing';
import { createKubernetesClusters } from '@fedsvc/kubernetes';
import { endpointSlice, FakeKubeApi, type Reachability } from '@fedsvc/kubernetes/testing';
import { Opcode, RRClass, RRType, decodeMessage, emptyMessage, encodeMessage } from '@fedsvc/dns-rfc2136/wire';
import { federation, guideClusters, onePercent } from './federation.js';
import { machine, ms, percentile, table } from './measure.js';
import { load, target } from './requests.js';

const RUNS = 100;
const COALESCE_MS = 50; // the controller's default, stated here for the target
/** Quiet time before each event, so that each is a lone event (no pass still within its window). */
const QUIET_MS = 120;
const POLL_DEADLINE_MS = 5_000;
const POLL_GAP_MS = 1;
const SERVICES = 1_000;
const zone: DnsZone = { id: 'example.com.', dnsName: 'example.com.' };
const n = (x: number) => x.toLocaleString('en');

// ---- a client polling the server ------------------------------------------------------------

/** One UDP socket asking `named` the same question again and again, each answer awaited (bounded). */
function poller(bind: BindServer, qname: string): { answer(): Promise<{ cname?: string; a: string[] }>; close(): void } {
  const socket: Socket = createSocket('udp4');
  let id = 0;
  let waiting: ((wire: Buffer) => void) | undefined;
  socket.on('message', (wire) => waiting?.(wire));
  const ask = (): Promise<Buffer | undefined> =>
    new Promise((resolve) => {
      id = (id + 1) & 0xffff;
      const query = encodeMessage({ ...emptyMessage(id, Opcode.QUERY), questions: [{ name: qname, type: RRType.A, class: RRClass.IN }] });
      const timer = setTimeout(() => {
        waiting = undefined;
        resolve(undefined);
      }, 250);
      waiting = (wire) => {
        if (wire.readUInt16BE(0) !== id) return;
        clearTimeout(timer);
        waiting = undefined;
        resolve(wire);
      };
      socket.send(query, bind.port, bind.host);
    });
  return {
    async answer() {
      for (let attempt = 0; attempt < 20; attempt++) {
        const wire = await ask();
        if (!wire) continue;
        const message = decodeMessage(wire);
        const at = (type: number) => message.answers.filter((r) => r.name === qname && r.type === type);
        const cname = at(RRType.CNAME)[0];
        return {
          cname: cname ? decodeName(cname.rdata) : undefined,
          a: at(RRType.A).map((r) => Array.from(r.rdata).join('.')),
        };
      }
      throw new Error(`${qname}: no answer from named in 20 tries`);
    },
    close: () => socket.close(),
  };
}

/** An uncompressed wire name (the decoder hands rdata uncompressed) in presentation form. */
function decodeName(rdata: Uint8Array): string {
  const labels: string[] = [];
  for (let i = 0; rdata[i]! > 0; i += rdata[i]! + 1) labels.push(Buffer.from(rdata.subarray(i + 1, i + 1 + rdata[i]!)).toString('ascii'));
  return `${labels.join('.')}.`;
}

// ---- (a) failover ---------------------------------------------------------------------------

interface Failover {
  down: number[];
  up: number[];
  /** The controller's own measure: from the event to the server accepting the UPDATE. */
  appliedDown: number[];
  appliedUp: number[];
  timeouts: number;
}

async function failover(): Promise<Failover> {
  const bind = await startBind({ zones: [zone.dnsName] });
  const regionOf = (z: string) => z.slice(0, z.lastIndexOf('-'));
  const clusters = new MemoryClusters(
    guideZones.map((z, i) => ({
      name: `gce-${z}`,
      zones: [z],
      region: regionOf(z),
      loadBalancerAddresses: [guideHealthyAddresses[z] ?? `203.0.113.${i + 1}`],
    })),
  );
  const provider = createRfc2136Provider({ server: { host: bind.host, port: bind.port }, zones: [zone.dnsName], tsig: bind.key });
  // Every default (coalescing window, zone rate limit, retries) as a host gets them.
  const controller = createController({
    federation: { name: 'myfederation', domain: 'example.com', ttl: 5 },
    ownerId: 'bench',
    clusters,
    dns: { provider, zone },
  });
  const failures: string[] = [];
  controller.on('apply-failed', (event) => failures.push(event.error.message));
  const nginx: FederatedService = {
    manifest: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'nginx', namespace: 'mynamespace' },
      spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
    },
  };
  const zoneName = 'nginx.mynamespace.myfederation.svc.us-central1-a.example.com.';
  const regionName = 'nginx.mynamespace.myfederation.svc.us-central1.example.com.';
  const address = guideHealthyAddresses['us-central1-a']!;
  const client = poller(bind, zoneName);
  const result: Failover = { down: [], up: [], appliedDown: [], appliedUp: [], timeouts: 0 };
  try {
    controller.start();
    controller.applyService(nginx);
    await controller.idle();
    for (const z of Object.keys(guideHealthyAddresses)) clusters.setReadyEndpoints(`gce-${z}`, 'mynamespace', 'nginx', 1);
    await controller.idle();
    const initial = await client.answer();
    if (initial.a.join() !== address) throw new Error(`before the runs ${zoneName} answers ${JSON.stringify(initial)}, not ${address}`);

    let applied: number[] = [];
    controller.on('records-applied', (event) => applied.push(event.latencyMs));
    for (let run = 0; run < 2 * RUNS; run++) {
      const down = run % 2 === 0;
      await sleep(QUIET_MS);
      applied = [];
      const reached = down
        ? (answer: { cname?: string }) => answer.cname === regionName
        : (answer: { cname?: string; a: string[] }) => answer.cname === undefined && answer.a.join() === address;
      const start = performance.now();
      clusters.setReadyEndpoints('gce-us-central1-a', 'mynamespace', 'nginx', down ? 0 : 1);
      let elapsed: number | undefined;
      while (performance.now() - start < POLL_DEADLINE_MS) {
        // A pause between queries: back to back, the poller would starve named's one worker and this process.
        await sleep(POLL_GAP_MS);
        if (reached(await client.answer())) {
          elapsed = performance.now() - start;
          break;
        }
      }
      await controller.idle();
      if (elapsed === undefined) {
        result.timeouts++;
        continue;
      }
      (down ? result.down : result.up).push(elapsed);
      (down ? result.appliedDown : result.appliedUp).push(...applied);
    }
    if (failures.length > 0) throw new Error(`the controller failed to apply: ${failures.join('; ')}`);
    return result;
  } finally {
    client.close();
    await controller.stop();
    await bind.stop();
  }
}

// ---- (b) converging 1,000 services × 13 clusters ------------------------------------------

interface Converged {
  scenario: string;
  changes: number;
  rrdatas: number;
  /** Bytes of the UPDATEs' records, as the adapter counts them (requestCost). */
  bytes: number;
  writes: number;
  batches: number;
  reads: number;
  target: { requests: number; binding: string };
  ms: number;
  converged: boolean;
}

async function convergence(kind: ServerKindName): Promise<{ rows: Converged[]; recordSets: number }> {
  const server = await startDnsServer(kind, { zones: [zone.dnsName] });
  const proxy = await startDnsProxy({ host: server.host, port: server.port });
  // A whole transfer of ~72,000 record sets is one exchange: give it time.
  const provider = createRfc2136Provider({
    server: { host: proxy.host, port: proxy.port },
    zones: [zone.dnsName],
    tsig: server.key,
    timeoutMs: 120_000,
  });
  const cost = provider.requestCost!;
  const rows: Converged[] = [];
  const before = planFederation(federation(SERVICES, guideClusters));
  const after = planFederation(federation(SERVICES, guideClusters, onePercent(SERVICES, guideClusters.length)));
  try {
    for (const [scenario, desired] of [
      ['empty zone → 1,000 × 13', before],
      ['1% of shards changed', after],
      ['nothing changed', after],
    ] as const) {
      const base = proxy.counts();
      const start = performance.now();
      const report = await reconcileZone({ provider, zone, desired, ownerId: 'bench' });
      const elapsed = performance.now() - start;
      const counts = proxy.counts();
      const left = diffRecords(await provider.records(zone), desired, { ownerId: 'bench' });
      rows.push({
        scenario,
        changes: report.changes.length,
        rrdatas: load(report.changes).rrdatas,
        bytes: load(report.changes, cost).chars,
        writes: counts.writes - base.writes,
        batches: batchChanges(report.changes, provider.limits, cost).length,
        reads: counts.reads - base.reads,
        target: target(report.changes, provider.limits, cost),
        ms: elapsed,
        converged: left.changes.length === 0 && left.conflicts.length === 0,
      });
    }
    return { rows, recordSets: before.length };
  } finally {
    await proxy.close();
    await server.stop();
  }
}

// ---- (c) a lost member cluster ---------------------------------------------------------------

const DETECTION_RUNS = Number(process.env.DETECTION_RUNS ?? 3);
const DETECTION_DEADLINE_MS = 90_000;
/** The probe period of the kubernetes adapter's defaults: each loss starts at a random moment within it. */
const HEALTH_PERIOD_MS = 5_000;

/** How a loss meets the probes: at a random moment of the probe period, or just before a probe (the yardstick of "up to 35 s" before). */
type Phase = 'random' | 'before a probe';
type Loss = `${Exclude<Reachability, 'answer'>}, ${Phase}`;
const LOSSES: readonly { readonly mode: Exclude<Reachability, 'answer'>; readonly phase: Phase }[] = [
  { mode: 'drop', phase: 'random' },
  { mode: 'drop', phase: 'before a probe' },
  { mode: 'refuse', phase: 'random' },
];

interface Detection {
  readonly lost: Partial<Record<Loss, number[]>>;
  readonly back: number[];
}

const regionOfZone = (z: string) => z.slice(0, z.lastIndexOf('-'));

/** The guide's 13 clusters as wire fixtures, nginx ready in 8 of them once the controller placed it. */
async function guideApis(): Promise<FakeKubeApi[]> {
  return Promise.all(guideZones.map(() => FakeKubeApi.start()));
}

/** The guide's clusters as member clusters of `@fedsvc/kubernetes`, one API fixture each. */
const members = (apis: readonly FakeKubeApi[]) =>
  guideZones.map((z, i) => ({
    name: `gce-${z}`,
    server: apis[i]!.url,
    skipTLSVerify: true,
    topology: { zones: [z], region: regionOfZone(z) },
  }));

async function waitUntil(check: () => boolean | Promise<boolean>, deadlineMs: number): Promise<boolean> {
  const deadline = performance.now() + deadlineMs;
  while (performance.now() < deadline) {
    if (await check()) return true;
    await sleep(POLL_GAP_MS);
  }
  return false;
}

async function detection(): Promise<Detection> {
  const bind = await startBind({ zones: [zone.dnsName] });
  const apis = await guideApis();
  // The adapter's defaults throughout: probes every 5 s (2 s timeout), suspect probes every 1 s (1 s timeout), thresholds 3 and 2.
  const clusters = createKubernetesClusters({
    clusters: members(apis),
  });
  const provider = createRfc2136Provider({ server: { host: bind.host, port: bind.port }, zones: [zone.dnsName], tsig: bind.key });
  const controller = createController({
    federation: { name: 'myfederation', domain: 'example.com', ttl: 5 },
    ownerId: 'bench',
    clusters,
    dns: { provider, zone },
    services: [
      {
        manifest: {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'nginx', namespace: 'mynamespace' },
          spec: { type: 'LoadBalancer', selector: { app: 'nginx' }, ports: [{ port: 80, protocol: 'TCP' }] },
        },
      },
    ],
  });
  const lostZone = 'us-central1-a';
  const lost = apis[guideZones.indexOf(lostZone)]!;
  const zoneName = `nginx.mynamespace.myfederation.svc.${lostZone}.example.com.`;
  const regionName = `nginx.mynamespace.myfederation.svc.${regionOfZone(lostZone)}.example.com.`;
  const client = poller(bind, zoneName);
  const result: Detection = { lost: {}, back: [] };
  const probes = () => lost.requests.filter((request) => request.path === '/readyz').length;
  try {
    controller.start();
    const placed = await waitUntil(() => apis.every((api) => api.store.get('services', 'mynamespace', 'nginx') !== undefined), 30_000);
    if (!placed) throw new Error('the controller did not place nginx in every cluster within 30 s');
    guideZones.forEach((z, i) => {
      const address = guideHealthyAddresses[z];
      if (!address) return;
      apis[i]!.setIngress('mynamespace', 'nginx', [{ ip: address }]);
      apis[i]!.putEndpointSlice(endpointSlice('mynamespace', 'nginx', 'nginx-1', 1));
    });
    const answersA = async () => (await client.answer()).a.join() === guideHealthyAddresses[lostZone];
    if (!(await waitUntil(answersA, 30_000))) throw new Error(`${zoneName} never answered its A record`);
    for (let run = 0; run < DETECTION_RUNS; run++) {
      for (const { mode, phase } of LOSSES) {
        if (phase === 'random') await sleep(Math.random() * HEALTH_PERIOD_MS);
        else {
          // Just before the next probe: 300 ms short of a period after the last one.
          const seen = probes();
          await waitUntil(() => probes() > seen, 2 * HEALTH_PERIOD_MS);
          await sleep(HEALTH_PERIOD_MS - 300);
        }
        const at = performance.now();
        await lost.setReachability(mode);
        const failedOver = await waitUntil(async () => (await client.answer()).cname === regionName, DETECTION_DEADLINE_MS);
        (result.lost[`${mode}, ${phase}`] ??= []).push(failedOver ? performance.now() - at : Number.POSITIVE_INFINITY);
        const since = performance.now();
        await lost.setReachability('answer');
        if (await waitUntil(answersA, DETECTION_DEADLINE_MS)) result.back.push(performance.now() - since);
      }
    }
  } finally {
    client.close();
    await controller.stop();
    await Promise.all(apis.map((api) => api.stop()));
    await bind.stop();
  }
  return result;
}

/**
 * The guide's 13 clusters probed with 1 % of probes lost at random (never answered, so each
 * times out), for `durationMs`: state changes counted. A short health period gives many probes;
 * the thresholds, the suspect period and the timeouts are the defaults.
 */
async function falsePositives(durationMs: number): Promise<{ probes: number; lostProbes: number; changes: number }> {
  const apis = await guideApis();
  let lostProbes = 0;
  for (const api of apis)
    api.hangNext((request) => {
      if (request.path !== '/readyz' || Math.random() >= 0.01) return false;
      lostProbes++;
      return true;
    }, Number.POSITIVE_INFINITY);
  const clusters = createKubernetesClusters({
    clusters: members(apis),
    healthPeriodMs: 100,
  });
  const health = new Map<string, string>();
  let changes = 0;
  const watch = clusters.watch((event) => {
    if (event.type !== 'cluster') return;
    const before = health.get(event.cluster.name);
    if (before !== undefined && before !== event.cluster.health) changes++;
    health.set(event.cluster.name, event.cluster.health);
  });
  await sleep(durationMs);
  await watch.stop();
  const probes = apis.reduce((sum, api) => sum + api.requests.filter((r) => r.path === '/readyz').length, 0);
  await Promise.all(apis.map((api) => api.stop()));
  return { probes, lostProbes, changes };
}

// ---- report ---------------------------------------------------------------------------------

const f = await failover();
const converged = [];
for (const kind of SERVER_KINDS) converged.push({ kind, ...(await convergence(kind)) });
const d = await detection();
const fp = await falsePositives(Number(process.env.FALSE_POSITIVE_MS ?? 60_000));

const stats = (samples: readonly number[]) => [
  ms(percentile(samples, 50)),
  ms(percentile(samples, 90)),
  ms(percentile(samples, 99)),
  ms(Math.max(...samples)),
];
const limit = 100 + COALESCE_MS;
console.log(`\n### BIND 9: failover and convergence (${machine}, ${execFileSync(findNamed(), ['-v']).toString().trim().split(' (')[0]})\n`);
console.log(
  `Failover of one zone of the guide's nginx (13 clusters, ready in 8), the whole controller with its defaults (coalescing window ${COALESCE_MS} ms, ` +
    `10 passes/s per zone), writing to a real \`named\` on loopback through the RFC 2136 adapter; a client polls \`named\` over UDP, one query every ~${POLL_GAP_MS} ms (plus its round trip). ` +
    `${RUNS} runs each way, ${QUIET_MS} ms of quiet before each event.\n`,
);
console.log(
  table(
    ['transition', 'measured until', 'runs', 'p50', 'p90', 'p99', 'max'],
    [
      ['last pod unready', 'named answers the zone name with the CNAME to the region', String(f.down.length), ...stats(f.down)],
      ['pods back', 'named answers the zone name with its A record', String(f.up.length), ...stats(f.up)],
      [
        'last pod unready',
        "the controller's UPDATE accepted (records-applied latencyMs)",
        String(f.appliedDown.length),
        ...stats(f.appliedDown),
      ],
      ['pods back', "the controller's UPDATE accepted (records-applied latencyMs)", String(f.appliedUp.length), ...stats(f.appliedUp)],
    ],
  ),
);
const p99 = percentile(f.down, 99);
console.log(
  `\n- target: p99 under 100 ms + the coalescing window (${limit} ms): p99 ${ms(p99)}, ${f.timeouts} run(s) without the answer within ${POLL_DEADLINE_MS} ms → ${p99 < limit && f.timeouts === 0 ? 'pass' : 'FAIL'}`,
);
console.log('\n| controller | how a lost zone reaches DNS | time to the new answer, at worst |');
console.log('| --- | --- | --- |');
console.log(
  `| fedsvc (this) | event-driven: the endpoint change plans one pass (a lone event at once, a burst within ${COALESCE_MS} ms), one signed UPDATE | p99 ${ms(p99)} measured above |`,
);
console.log(
  '| original federation controller (kubernetes/kubernetes federation/pkg/federation-controller/service, 2016–2017) | endpoint watches in each cluster, then one DNS provider call per record set; every service resynced each `serviceSyncPeriod` = 10 min; failed DNS updates retried after 5 s, doubling to 300 s. Its later separate service-dns controller (…/service/dns): informer resync `serviceSyncPeriod` = 30 s | no figure published; one provider request per record set at best, up to 10 min (later 30 s) when an event is missed |',
);
console.log(
  '| k8gb | periodic reconcile of each Gslb, `reconcileRequeueSeconds` default 30 s | up to 30 s + external-dns / CoreDNS propagation |',
);
console.log(
  '\nThe DNS TTL (5 s here, 180 s by default) then bounds how long resolvers keep the old answer, whichever controller wrote it.',
);

const versions: Record<ServerKindName, string> = {
  bind: execFileSync(findNamed(), ['-v']).toString().trim().split(' (')[0]!,
  knot: execFileSync(findKnotd(), ['--version']).toString().trim().split('\n')[0]!,
  powerdns: `PowerDNS Authoritative ${/Server ([\d.]+)/.exec(spawnSync(findPdnsServer(), ['--version']).stderr.toString())?.[1] ?? '?'} (gsqlite3)`,
};
console.log(
  `\nConverging one zone through reconcileZone: ${n(SERVICES)} services × ${guideClusters.length} clusters (the guide's 13 zones in 4 regions), ` +
    `${n(converged[0]!.recordSets)} record sets planned, plus one ownership TXT each, on each server the harness starts (${SERVER_KINDS.map((k) => versions[k]).join(', ')}). ` +
    'UPDATEs and zone transfers counted by a proxy in front of the server. ' +
    `RFC2136_LIMITS count bytes: ${n(RFC2136_LIMITS.maxRrdataCharsPerRequest)} bytes of records per UPDATE, names compressed, each change's bytes given to core by requestCost.\n`,
);
console.log(
  table(
    [
      'server',
      'scenario',
      'changes',
      'rrdatas',
      'load (bytes)',
      'batches (core)',
      'UPDATE messages',
      'target ⌈load/limit⌉+1',
      'AXFRs',
      'time',
      'zone holds the plan',
    ],
    converged.flatMap(({ kind, rows }) =>
      rows.map((r) => [
        kind,
        r.scenario,
        n(r.changes),
        n(r.rrdatas),
        n(r.bytes),
        n(r.batches),
        n(r.writes),
        r.target.requests === 0 ? '0' : n(r.target.requests),
        n(r.reads),
        ms(r.ms),
        r.converged ? 'yes' : 'NO',
      ]),
    ),
  ),
);
console.log('');
for (const { kind, rows } of converged) {
  for (const r of rows) {
    const within = r.target.requests === 0 ? r.writes === 0 : r.writes <= r.target.requests;
    const fill =
      r.writes === 0
        ? ''
        : ` (${n(Math.round(r.bytes / r.writes))} bytes and ${(r.rrdatas / r.writes).toFixed(0)} rrdatas per UPDATE on average)`;
    const verdict = !r.converged || r.reads > 1 ? 'FAIL' : within ? 'pass' : `over the target by ${r.writes - r.target.requests}`;
    console.log(
      `- ${kind}, ${r.scenario}: ${n(r.writes)} UPDATEs, target ≤ ${n(r.target.requests)}${fill}; ${r.reads} AXFR; zone holds the plan: ${r.converged ? 'yes' : 'NO'} → ${verdict}`,
    );
  }
}
console.log(
  '\n"changes": entries of the change set (an update is one entry; an ownership record is one); "rrdatas" counts both sides of an update. ' +
    '"load": the bytes of the UPDATEs\' records as requestCost counts them (an upper bound, exact for a change alone); the limit is the bytes an UPDATE may hold. ' +
    "Batches keep each name's changes together and keep their order (no CNAME ever points at a missing name between two UPDATEs), " +
    'so they cannot always be packed to the limit; the target is a lower bound plus one. ' +
    '"time": wall clock on this machine, the server (one worker thread where it has the setting, as the harness starts it) on loopback.',
);

const seconds = (samples: readonly number[]) =>
  samples.length === 0 ? '–' : `${(percentile(samples, 50) / 1000).toFixed(1)} s (${samples.map((x) => (x / 1000).toFixed(1)).join(', ')})`;
console.log(
  `\nA whole member cluster lost: the guide's 13 clusters as Kubernetes API wire fixtures (\`FakeKubeApi\`) behind \`createKubernetesClusters\` ` +
    'with its defaults (probes every 5 s with a 2 s timeout; after a failed probe every 1 s with a 1 s timeout; out after 3, back after 2), ' +
    `the controller with its defaults writing to \`named\`. The API server of us-central1-a stops answering (packets dropped) or refuses connections, at a random moment of the probe period or 300 ms before a probe; ` +
    `measured until \`named\` answers the zone's name with the CNAME to its region. ${DETECTION_RUNS} runs each.\n`,
);
console.log(
  table(
    ['the lost API server', 'until the CNAME to the region: median (runs)', 'target', 'before (10 s probes, 5 s timeout, out after 3)'],
    [
      ['stops answering (packets dropped), at a random moment', seconds(d.lost['drop, random'] ?? []), 'under 10 s', '35–45 s'],
      ['stops answering (packets dropped), just before a probe', seconds(d.lost['drop, before a probe'] ?? []), 'under 10 s', 'about 35 s'],
      ['refuses connections, at a random moment', seconds(d.lost['refuse, random'] ?? []), 'under 3 s', 'about 20–30 s'],
      ['answers again', seconds(d.back), '–', '–'],
    ],
  ),
);
console.log(
  `\n- 1 % of probes lost at random, 13 clusters probed every 100 ms for ${(Number(process.env.FALSE_POSITIVE_MS ?? 60_000) / 1000).toFixed(0)} s (other settings the defaults): ` +
    `${n(fp.probes)} probes, ${n(fp.lostProbes)} lost, ${fp.changes} state change(s) (target: 0) → ${fp.changes === 0 ? 'pass' : 'FAIL'}`,
);
