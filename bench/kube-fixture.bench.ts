// What one Kubernetes API wire fixture (`FakeKubeApi`) costs per shard placed in it, as the big
// benches place them: the kubernetes adapter's own client carries out each create (a GET for the
// created-by mark, then a server-side apply of a LoadBalancer Service), its Service and
// EndpointSlice watches report the shard, and the member's cloud controller and kubelets (played
// in the fixture's worker thread, as in `members-worker.ts`) write the Service's status and an
// EndpointSlice. The fixture runs alone in a worker thread, so its thread's CPU time is the
// fixture's: HTTP parsing, the store, admission, field ownership and watch events.
// `SHARDS` (environment) sets how many shards one fixture gets (default 5,000), placed in steps
// of `STEP` (default 1,000) with `IN_FLIGHT` (default 16, the controller's bound per member)
// writes in flight; the CPU per shard is printed per step, so growth with the store's size shows.
import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ClusterEvent, ServiceManifest } from '@fedsvc/core/provider';
import { createKubernetesClusters } from '@fedsvc/kubernetes';
import { machine, table } from './measure.js';
import { type AnsweredShard, startMembers } from './members.js';

const SHARDS = Number(process.env.SHARDS ?? 5_000);
/** Shards placed against the floor: a bare HTTP server answering the same two requests. */
const FLOOR_SHARDS = 2_000;
const STEP = Number(process.env.STEP ?? 1_000);
const IN_FLIGHT = Number(process.env.IN_FLIGHT ?? 16);
/** How long one step may take before the bench gives up on it. */
const STEP_TIMEOUT_MS = 600_000;
const CLUSTER = 'member-0';
const OWNER = 'bench-federation';

const serviceOf = (s: number) => ({ namespace: `ns${s % 50}`, name: `svc${s}` });

/** The Service the controller applies for shard `s` (as `desiredManifest` makes it: the owner's marks, no cluster-owned fields). */
function manifestOf(s: number): ServiceManifest {
  const { namespace, name } = serviceOf(s);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace,
      labels: { app: name },
      annotations: { 'fedsvc.io/created-by': OWNER, 'fedsvc.io/applied': `sha256-${s.toString(16).padStart(16, '0')}` },
    },
    spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  };
}

const answered: AnsweredShard[] = Array.from({ length: SHARDS }, (_, s) => {
  const { namespace, name } = serviceOf(s);
  return { service: `${namespace}/${name}`, addresses: [`192.0.2.${s % 250}`], readyEndpoints: 2 };
});
const members = await startMembers([{ name: CLUSTER, token: 'token', zone: 'zone-a', region: 'region-a', shards: answered }], 1);
const clusters = createKubernetesClusters({ clusters: [{ name: CLUSTER, server: members.urls[0]!, token: 'token', skipTLSVerify: true }] });

// A shard counts as placed once its watches report it with its address and ready endpoints.
const placed = new Set<string>();
let wake: (() => void) | undefined;
const watch = clusters.watch((event: ClusterEvent) => {
  if (event.type !== 'shard') return;
  const { namespace, name, readyEndpoints, ingress } = event.shard;
  if (readyEndpoints > 0 && ingress.length > 0) placed.add(`${namespace}/${name}`);
  wake?.();
});

async function place(from: number, to: number): Promise<void> {
  let next = from;
  const worker = async () => {
    while (next < to) {
      const s = next++;
      await clusters.applyShard({ kind: 'create', cluster: CLUSTER, manifest: manifestOf(s) });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const deadline = performance.now() + STEP_TIMEOUT_MS;
  while (placed.size < to) {
    if (performance.now() > deadline) throw new Error(`${to - placed.size} shards not reported within ${STEP_TIMEOUT_MS} ms`);
    await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, 1_000);
    });
  }
}

console.log(`\n## The Kubernetes wire fixture's cost per shard — ${machine}`);
console.log(
  `${SHARDS} shards on one fixture, ${IN_FLIGHT} writes in flight; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
const rows: string[][] = [];
let cpuBefore = (await members.census()).cpuSeconds;
for (let from = 0; from < SHARDS; from += STEP) {
  const to = Math.min(SHARDS, from + STEP);
  const start = performance.now();
  await place(from, to);
  const wallMs = performance.now() - start;
  const cpu = (await members.census()).cpuSeconds;
  rows.push([`${from} → ${to}`, `${(((cpu - cpuBefore) * 1000) / (to - from)).toFixed(3)} ms`, `${(wallMs / 1000).toFixed(1)} s`]);
  cpuBefore = cpu;
}
const census = await members.census();
console.log(table(['shards held', 'fixture CPU per shard', 'wall clock'], rows));
console.log(
  `\nin all: ${((census.cpuSeconds * 1000) / SHARDS).toFixed(3)} ms of fixture CPU per shard (${census.cpuSeconds.toFixed(1)} s), ` +
    `${census.services} Services held, worst event-loop delay in the fixture ${census.eventLoopDelayMaxMs.toFixed(0)} ms; ` +
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
);
await watch.stop();
await members.stop();

/**
 * The floor: a bare `node:http` server in a worker thread answering each shard's two requests
 * as the fixture does (the GET 404 with a Status, the apply 201 echoing the Service), nothing
 * stored, no watches: what Node's HTTP server alone costs per shard with this client (which
 * opens a connection per request).
 */
const FLOOR_SERVER = `
const { parentPort } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const ticksPerSecond = Number(require('node:child_process').execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
const cpu = () => { const f = readFileSync('/proc/thread-self/stat', 'utf8'); const x = f.slice(f.lastIndexOf(')') + 2).split(' '); return (Number(x[11]) + Number(x[12])) / ticksPerSecond; };
const server = require('node:http').createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const get = req.method === 'GET';
    const body = get
      ? JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'services "x" not found', reason: 'NotFound', code: 404 })
      : Buffer.concat(chunks).toString('utf8');
    res.writeHead(get ? 404 : 201, { 'Content-Type': 'application/json' });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port, seconds: cpu() }));
parentPort.on('message', () => parentPort.postMessage({ seconds: cpu() }));
`;
const floorWorker = new Worker(FLOOR_SERVER, { eval: true });
const ask = () => new Promise<{ port?: number; seconds: number }>((resolve) => floorWorker.once('message', resolve));
const started = await ask();
const floor = createKubernetesClusters({ clusters: [{ name: CLUSTER, server: `http://127.0.0.1:${started.port}`, skipTLSVerify: true }] });
for (let s = 0; s < FLOOR_SHARDS; s += IN_FLIGHT)
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, (_, i) => floor.applyShard({ kind: 'create', cluster: CLUSTER, manifest: manifestOf(s + i) })),
  );
floorWorker.postMessage('cpu');
const ended = await ask();
const floorMs = ((ended.seconds - started.seconds) * 1000) / FLOOR_SHARDS;
console.log(
  `floor: ${floorMs.toFixed(3)} ms of CPU per shard for a bare HTTP server answering the same two requests (${FLOOR_SHARDS} shards); ` +
    `the fixture costs ${((census.cpuSeconds * 1000) / SHARDS / floorMs).toFixed(1)} × that`,
);
await floorWorker.terminate();
