// The in-cluster discovery responder under dnsperf on loopback, side by side in the same run with
// BIND 9 answering the same names from a zone (the anchor for a fast DNS server on this
// machine): queries per second at saturation, and latency percentiles at a fixed rate. Then the
// heap the responder holds for 1,000 services in its cluster, once ready and once it has answered every name.
//
// The names: the guide's `<service>.mynamespace.myfederation.svc.cluster.local.`, A queries,
// half of the services with a healthy local shard (CNAME + A), half without (CNAME to the zone's
// federated name). BIND holds `cluster.local.` with the same CNAMEs and the local Services' A
// records, so both send the same answers. Both run one thread: BIND with `-n 1`, the responder
// in Node's one event loop (in this process, dnsperf a child process).
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '@fedsvc/core/provider';
import { recordNames } from '@fedsvc/core';
import { type Discovery, startDiscovery } from '@fedsvc/discovery';
import { type BindServer, startBind } from '@fedsvc/dns-rfc2136/testing';
import { FakeKubeApi, endpointSlice, service } from '@fedsvc/kubernetes/testing';
import { gc, machine, percentile, table } from './measure.js';

const SERVICES = 1_000;
const SECONDS = 10;
const RATE = 2_000;
const ROUNDS = 5;
const NAMESPACE = 'mynamespace';
const federation = { name: 'myfederation', domain: 'example.com' };
const ZONE = 'us-central1-f';
const REGION = 'us-central1';
const name = (i: number) => `svc-${i}`;
const healthy = (i: number) => i % 2 === 0;
const clusterIP = (i: number) => `10.96.${i >> 8}.${(i & 255) + 1}`;
const n = (x: number) => Math.round(x).toLocaleString('en');

/** The member cluster: one zone, 1,000 Services, every other one with a ready endpoint. */
async function memberCluster(services: number): Promise<FakeKubeApi> {
  const api = await FakeKubeApi.start();
  for (let node = 0; node < 3; node++) {
    api.setNode(
      `node-${node}`,
      { 'topology.kubernetes.io/zone': ZONE, 'topology.kubernetes.io/region': REGION },
      { podCIDRs: [`10.244.${node}.0/24`] },
    );
  }
  for (let i = 0; i < services; i++) {
    api.putService(service(NAMESPACE, name(i), { type: 'ClusterIP', clusterIP: clusterIP(i), clusterIPs: [clusterIP(i)] }));
    api.putEndpointSlice(endpointSlice(NAMESPACE, name(i), `${name(i)}-1`, healthy(i) ? 1 : 0, healthy(i) ? 0 : 1));
  }
  return api;
}

/** BIND's zone `cluster.local.`: the same answers as the responder's. */
function zoneLines(): string[] {
  return Array.from({ length: SERVICES }, (_, i) => {
    const fed = `${name(i)}.${NAMESPACE}.myfederation.svc.cluster.local.`;
    const local = `${name(i)}.${NAMESPACE}.svc.cluster.local.`;
    const target = healthy(i) ? local : recordNames(federation, { namespace: NAMESPACE, name: name(i) }).zone(ZONE, REGION);
    return [`${fed} 30 IN CNAME ${target}`, ...(healthy(i) ? [`${local} 30 IN A ${clusterIP(i)}`] : [])];
  }).flat();
}

interface Perf {
  readonly qps: number;
  readonly completed: number;
  readonly lost: number;
  readonly latencies: number[];
}

/**
 * Runs dnsperf against 127.0.0.1:`port`; `rate` limits it and collects each answer's latency
 * (`-v`, written to a file and read afterwards, so that reading it takes no time from the
 * responder, which shares this process's event loop).
 */
async function dnsperf(port: number, file: string, rate: number | undefined): Promise<Perf> {
  const args = ['-s', '127.0.0.1', '-p', String(port), '-d', file, '-l', String(SECONDS), '-c', '4', '-q', '200', '-t', '2'];
  if (rate !== undefined) args.push('-Q', String(rate), '-v');
  const output = join(dir, 'dnsperf.out');
  const out = await open(output, 'w');
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('dnsperf', args, { stdio: ['ignore', out.fd, 'ignore'] });
      child.on('error', reject);
      child.on('close', () => resolve());
    });
  } finally {
    await out.close();
  }
  const text = await readFile(output, 'utf8');
  const latencies: number[] = [];
  // -v: one line per answer, "> NOERROR <name> A 0.000123" (seconds).
  for (const match of text.matchAll(/^> \w+ .* ([0-9.]+)$/gm)) latencies.push(Number(match[1]) * 1000);
  const qps = Number(/Queries per second:\s+([0-9.]+)/.exec(text)?.[1]);
  const lost = Number(/Queries lost:\s+(\d+)/.exec(text)?.[1]);
  const completed = Number(/Queries completed:\s+(\d+)/.exec(text)?.[1]);
  if (!Number.isFinite(qps)) throw new Error(`dnsperf said:\n${text.slice(-2_000)}`);
  return { qps, completed, lost, latencies };
}

/** CPU seconds (user and system) `named` has used, from /proc (clock ticks of 1/100 s, Linux's). */
async function bindCpuSeconds(bind: BindServer): Promise<number> {
  const pid = (await readFile(join(bind.directory, 'named.pid'), 'utf8')).trim();
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds this process has used: the responder's, as it is the only work here while dnsperf runs. */
function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Heap and buffers in use (the bytes of kept replies live outside the heap). */
function held(): number {
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** Asks for every federated name once over UDP, one query at a time: the responder keeps each reply. */
async function askEach(port: number, federated: number): Promise<void> {
  const socket = createSocket('udp4');
  try {
    for (let i = 0; i < federated; i++) {
      const labels = [name(i), NAMESPACE, 'myfederation', 'svc', 'cluster', 'local'];
      const question = Buffer.concat([...labels.map((l) => Buffer.from([l.length, ...Buffer.from(l)])), Buffer.from([0, 0, 1, 0, 1])]);
      const replied = new Promise((resolve) => socket.once('message', resolve));
      socket.send(Buffer.concat([Buffer.from([i >> 8, i & 255, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), question]), port, '127.0.0.1');
      await replied;
    }
  } finally {
    socket.close();
  }
}

/** Heap and buffers held by the responder of `federated` services in a cluster of `SERVICES`, MiB: once ready, and once every name was asked. */
async function heapFor(api: FakeKubeApi, federated: number): Promise<{ ready: number; asked: number }> {
  const before = held();
  const discovery = await start(api, federated);
  const ready = held();
  await askEach(discovery.port, federated);
  const asked = held();
  await discovery.stop();
  return { ready: (ready - before) / 2 ** 20, asked: (asked - before) / 2 ** 20 };
}

async function start(api: FakeKubeApi, federated: number): Promise<Discovery> {
  const discovery = await startDiscovery({
    federation,
    services: Array.from({ length: federated }, (_, i) => ({ namespace: NAMESPACE, name: name(i) })),
    kubeConfig: api.kubeConfig(),
    host: '127.0.0.1',
    port: 0,
  });
  for (let i = 0; i < 600 && !discovery.ready(); i++) await sleep(100);
  if (!discovery.ready()) throw new Error('the responder did not list the cluster within 60 s');
  // The watches deliver the lists in pieces: wait for the last one to settle.
  await sleep(1_000);
  return discovery;
}

const dir = await mkdtemp(join(tmpdir(), 'fedsvc-discovery-bench-'));
const api = await memberCluster(SERVICES);
const bind = await startBind({ zones: ['cluster.local.'], records: zoneLines() });
const discovery = await start(api, SERVICES);
try {
  const file = join(dir, 'queries');
  await writeFile(file, Array.from({ length: SERVICES }, (_, i) => `${name(i)}.${NAMESPACE}.myfederation.svc.cluster.local A`).join('\n'));
  const servers = [
    { label: 'BIND 9 (zone)', port: bind.port, cpu: () => bindCpuSeconds(bind) },
    { label: 'responder', port: discovery.port, cpu: async () => ownCpuSeconds() },
  ];
  const rows: Record<string, { qps: number[]; cpu: number[]; p50: number[]; p99: number[]; lost: number }> = {};
  // Alternating rounds, so that the machine's other work weighs on both alike.
  for (let round = 0; round < ROUNDS; round++) {
    for (const { label, port, cpu } of servers) {
      const row = (rows[label] ??= { qps: [], cpu: [], p50: [], p99: [], lost: 0 });
      const cpuBefore = await cpu();
      const max = await dnsperf(port, file, undefined);
      // The server's CPU per answer at saturation: what the machine's load does not change much.
      row.cpu.push(((await cpu()) - cpuBefore) / max.completed);
      const paced = await dnsperf(port, file, RATE);
      row.qps.push(max.qps);
      row.p50.push(percentile(paced.latencies, 50));
      row.p99.push(percentile(paced.latencies, 99));
      row.lost += max.lost + paced.lost;
      console.error(
        `${label} round ${round + 1}: ${n(max.qps)} q/s, ${(row.cpu.at(-1)! * 1e6).toFixed(1)} µs CPU per answer; at ${n(RATE)} q/s p99 ${percentile(paced.latencies, 99).toFixed(3)} ms; load ${loadavg()[0]!.toFixed(1)}`,
      );
    }
  }
  const median = (values: number[]) => percentile(values, 50);
  const anchor = rows['BIND 9 (zone)']!;
  // Each round's ratio, BIND and the responder measured back to back: steadier than a ratio of medians on a shared machine.
  const ratios = rows['responder']!.qps.map((qps, i) => qps / anchor.qps[i]!);
  console.log(`\n### In-cluster discovery under dnsperf (${machine})\n`);
  console.log(
    table(
      [
        'server',
        `queries/s at saturation (median of ${ROUNDS})`,
        "vs BIND (median of the rounds' ratios)",
        'server CPU per answer (median)',
        `p50 at ${n(RATE)} q/s`,
        `p99 at ${n(RATE)} q/s`,
        'lost',
      ],
      servers.map(({ label }) => {
        const row = rows[label]!;
        return [
          label,
          n(median(row.qps)),
          label === 'responder' ? `${median(ratios).toFixed(2)} ×` : '1 ×',
          `${(median(row.cpu) * 1e6).toFixed(1)} µs`,
          `${median(row.p50).toFixed(3)} ms`,
          `${median(row.p99).toFixed(3)} ms`,
          String(row.lost),
        ];
      }),
    ),
  );
  const ours = rows['responder']!;
  console.log(`\n- rounds' ratios: ${ratios.map((r) => r.toFixed(2)).join(', ')}`);
  console.log(`- target ≥ 0.5 × BIND's rate: ${median(ratios) >= 0.5 ? 'met' : 'NOT met'}`);
  console.log(`- target p99 < 1 ms at ${n(RATE)} q/s: ${median(ours.p99) < 1 ? 'met' : 'NOT met'}`);
} finally {
  await discovery.stop();
  await bind.stop();
  await rm(dir, { recursive: true, force: true });
}

// A first start and stop, unmeasured, so that what the first one loads stays out of the figures.
await heapFor(api, 10);
const heap10 = await heapFor(api, 10);
const heap1000 = await heapFor(api, SERVICES);
await api.stop();
console.log(
  `- heap and buffers held once ready, ${n(SERVICES)} Services in the cluster: ${heap1000.ready.toFixed(1)} MiB with all federated, ${heap10.ready.toFixed(1)} MiB with 10 federated; once every name was asked (replies kept): ${heap1000.asked.toFixed(1)} and ${heap10.asked.toFixed(1)} MiB`,
);
