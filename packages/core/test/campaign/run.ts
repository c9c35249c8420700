// Carries out one campaign run on fake time: a controller, in-memory member clusters and
// dns-memory, the schedule's events and other writers, then faults stop and the zone is held
// to the plan. Only the public API: @fedsvc/core, @fedsvc/core/testing, @fedsvc/dns-memory.
import { createController, normalizeName, planFederation, recordNames, ValidationError } from '@fedsvc/core';
import type { Change, DnsZone, FederatedService, FederationController, RecordSet } from '@fedsvc/core';
import { MemoryClusters } from '@fedsvc/core/testing';
import { createMemoryProvider, type MemoryDnsProvider } from '@fedsvc/dns-memory';
import { vi } from 'vitest';
import { type ForeignChange, Ledger, type Violation } from './ledger.js';
import { seeded } from './random.js';
import { type ClusterSpec, type Edit, REGIONS, type Setup, type Step, ZONE_LETTERS } from './schedule.js';

export const OWNER = 'campaign';
const OTHER_MARKER = '"heritage=fedsvc,owner=someone-else"';
const NAMESPACE = 'shop';
const ZONE: DnsZone = { id: 'zone', dnsName: 'example.com.' };
/** Fake time the controller gets to settle once faults stop. */
const SETTLE_MS = 15 * 60_000;
const aliased = (hostname: string): boolean => hostname.endsWith('.lb.example.net.');

export interface Outcome {
  readonly violations: readonly Violation[];
  readonly writes: number;
  /** The zone at the end, one record set a line. */
  readonly zone: readonly string[];
}

interface World {
  readonly setup: Setup;
  readonly federation: { name: string; domain: string; ttl: number };
  readonly clusters: MemoryClusters;
  readonly provider: MemoryDnsProvider;
  readonly ledger: Ledger;
  readonly applied: Set<number>;
  readonly deleted: Set<number>;
  /** Edits waiting for the next paged read. */
  readonly duringRead: { edit: Edit; page: number }[];
  controller: FederationController;
}

/** Runs the setup's schedule, then checks convergence; resolves with every violation seen. */
export async function runCampaign(setup: Setup): Promise<Outcome> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
  try {
    if (!setup.atomic) return refusedOutright(setup);
    const world = makeWorld(setup);
    world.controller.start();
    await vi.advanceTimersByTimeAsync(100);
    for (const [s, service] of setup.services.entries()) {
      for (const [c, cluster] of setup.clusters.entries()) {
        if (world.clusters.shard(cluster.name, NAMESPACE, service))
          world.clusters.setReadyEndpoints(cluster.name, NAMESPACE, service, setup.endpoints[s]![c]!);
      }
    }
    for (const [i, step] of setup.steps.entries()) {
      world.ledger.at = `step ${i} ${JSON.stringify(step)}`;
      await carryOut(world, step);
      await vi.advanceTimersByTimeAsync(seeded(setup.seed + i).int(30));
    }
    world.ledger.at = 'after faults stopped';
    await settle(world);
    await settled(world.controller.stop(), 'stop');
    return { violations: world.ledger.violations, writes: world.ledger.writes, zone: world.ledger.describe() };
  } finally {
    vi.useRealTimers();
  }
}

/**
 * A provider that applies part of a request is refused when the controller is created, before
 * any request: no order of changes is safe on it.
 */
function refusedOutright(setup: Setup): Outcome {
  const provider = createMemoryProvider({
    zones: [{ dnsName: ZONE.dnsName, id: ZONE.id }],
    limits: { atomic: false, maxChangesPerRequest: setup.maxChangesPerRequest },
  });
  let error: unknown;
  try {
    createController({
      federation: { name: 'fed', domain: 'example.com', ttl: setup.ttl },
      ownerId: OWNER,
      clusters: new MemoryClusters(setup.clusters.map((spec, i) => clusterInit(spec, i, 0))),
      dns: { provider, zone: ZONE },
      services: setup.initial.map((i) => manifest(setup.services[i]!)),
    }).start();
  } catch (thrown) {
    error = thrown;
  }
  const refused = error instanceof ValidationError && error.field === 'dns.provider.limits.atomic';
  const untouched = Object.values(provider.requests()).every((count) => count === 0);
  const violations: Violation[] =
    refused && untouched
      ? []
      : [{ invariant: 'atomic-only', at: 'creation', detail: `a non-atomic provider was not refused at creation (${String(error)})` }];
  return { violations, writes: 0, zone: provider.snapshot(ZONE).map((record) => `${record.name} ${record.type}`) };
}

function makeWorld(setup: Setup): World {
  const federation = { name: 'fed', domain: 'example.com', ttl: setup.ttl };
  const clusters = new MemoryClusters(setup.clusters.map((spec, i) => clusterInit(spec, i, 0)));
  const duringRead: World['duringRead'] = [];
  let ledger: Ledger | undefined;
  let world: World | undefined;
  const provider = createMemoryProvider({
    zones: [{ dnsName: ZONE.dnsName, id: ZONE.id, records: [{ name: 'www.example.com.', type: 'A', ttl: 300, rrdatas: ['192.0.2.80'] }] }],
    limits: { atomic: setup.atomic, maxChangesPerRequest: setup.maxChangesPerRequest },
    pageSize: setup.pageSize,
    latencyMs: setup.latencyMs,
    ...(setup.aliases ? { canAlias: aliased } : {}),
    onWrite: (write) => ledger?.observe(write),
    betweenPages: (_, page) => {
      const due = duringRead.findIndex((pending) => pending.page <= page);
      if (due >= 0 && world) foreignEdit(world, duringRead.splice(due, 1)[0]!.edit);
    },
  });
  ledger = new Ledger(federation, OWNER, provider, ZONE);
  const partial: Omit<World, 'controller'> = {
    setup,
    federation,
    clusters,
    provider,
    ledger,
    applied: new Set(setup.initial),
    deleted: new Set(),
    duringRead,
  };
  world = Object.assign(partial, { controller: undefined as unknown as FederationController });
  world.controller = makeController(world);
  return world;
}

function clusterInit(spec: ClusterSpec, index: number, generation: number) {
  return {
    name: spec.name,
    region: spec.region,
    zones: spec.zones.map((letter) => `${spec.region}-${letter}`),
    labels: { 'topology.kubernetes.io/region': spec.region },
    loadBalancerAddresses: Array.from({ length: 40 }, (_, k) => `198.51.${100 + index}.${generation * 40 + k + 1}`),
  };
}

const manifest = (name: string): FederatedService => ({
  manifest: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NAMESPACE },
    spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 80, protocol: 'TCP' }] },
  },
});

function makeController(world: World): FederationController {
  const { setup } = world;
  const random = seeded(setup.seed ^ 0x5eed);
  const controller = createController({
    federation: world.federation,
    ownerId: OWNER,
    clusters: world.clusters,
    dns: { provider: world.provider, zone: ZONE },
    services: [...world.applied].map((i) => manifest(setup.services[i]!)),
    coalesceMs: setup.coalesceMs,
    resyncMs: setup.resyncMs,
    backoff: { baseMs: 100, maxMs: 5_000 },
    random: () => random.next(),
  });
  return controller;
}

async function carryOut(world: World, step: Step): Promise<void> {
  const { clusters, setup } = world;
  const clusterName = 'cluster' in step ? setup.clusters[step.cluster]!.name : '';
  const member = clusters.clusters().some((cluster) => cluster.name === clusterName);
  const serviceName = 'service' in step ? setup.services[step.service]! : '';
  switch (step.kind) {
    case 'health':
      if (member) clusters.setHealth(clusterName, step.health);
      return;
    case 'topology': {
      const spec = setup.clusters[step.cluster]!;
      if (member)
        clusters.setTopology(
          clusterName,
          step.zones.map((letter) => `${spec.region}-${letter}`),
          spec.region,
        );
      return;
    }
    case 'membership':
      if (member) clusters.removeCluster(clusterName);
      else clusters.addCluster(clusterInit(setup.clusters[step.cluster]!, step.cluster, 1));
      return;
    case 'endpoints':
      for (const cluster of step.everywhere ? clusters.clusters().map((c) => c.name) : [clusterName]) {
        if (clusters.shard(cluster, NAMESPACE, serviceName)) clusters.setReadyEndpoints(cluster, NAMESPACE, serviceName, step.ready);
      }
      return;
    case 'ingress':
      if (clusters.shard(clusterName, NAMESPACE, serviceName)) clusters.setIngress(clusterName, NAMESPACE, serviceName, ingress(step));
      return;
    case 'apply':
      world.applied.add(step.service);
      world.deleted.delete(step.service);
      world.controller.applyService(manifest(serviceName));
      return;
    case 'delete':
      world.applied.delete(step.service);
      world.deleted.add(step.service);
      world.controller.deleteService(NAMESPACE, serviceName);
      return;
    case 'foreign':
      foreignEdit(world, step.edit);
      return;
    case 'foreign-during-read':
      world.duringRead.push({ edit: step.edit, page: step.page });
      return;
    case 'dns-fault':
      dnsFault(world.provider, step);
      return;
    case 'cluster-fault':
      clusters.failNextApplies(step.n);
      return;
    case 'restart':
      await settled(world.controller.stop(), 'stop');
      world.controller = makeController(world);
      world.controller.start();
      for (const i of world.deleted) world.controller.deleteService(NAMESPACE, setup.services[i]!);
      return;
    case 'resync':
      world.controller.resync();
      return;
    case 'wait':
      await vi.advanceTimersByTimeAsync(step.ms);
      return;
  }
}

function ingress(step: Extract<Step, { kind: 'ingress' }>): { ip?: string; hostname?: string }[] {
  const v4 = `203.0.113.${10 * step.cluster + step.n + 1}`;
  const v6 = `2001:db8::${step.cluster}:${step.n + 1}`;
  switch (step.lb) {
    case 'none':
      return [];
    case 'v4':
      return [{ ip: v4 }];
    case 'v6':
      return [{ ip: v6 }];
    case 'dual':
      return [{ ip: v4 }, { ip: v6 }];
    case 'hostname':
      return [{ hostname: `lb-${step.cluster}-${step.n}.lb.example.net` }];
  }
}

function dnsFault(provider: MemoryDnsProvider, step: Extract<Step, { kind: 'dns-fault' }>): void {
  switch (step.fault) {
    case 'transient':
      provider.failNext(step.n, { on: step.on });
      return;
    case 'transient-nth':
      provider.failCall(step.n, { on: step.on });
      return;
    case 'throttled':
      provider.throttleNext(step.n, { on: step.on, retryAfterMs: step.ms });
      return;
    case 'timeout':
      provider.timeoutNext(step.n, { on: step.on, afterMs: step.ms });
      return;
    case 'conflict':
      provider.conflictNext(step.n);
      return;
    case 'answer-lost':
      provider.loseAnswerNext(step.n, { afterMs: step.ms });
      return;
    case 'partial':
      provider.partialFailureNext(step.n - 1);
      return;
  }
}

// ---- other writers ---------------------------------------------------------------------------

/** Every name the federation could write for its services, anywhere in the campaign's topology. */
function federationNames(world: World): string[] {
  return world.setup.services.flatMap((name) => {
    const names = recordNames(world.federation, { namespace: NAMESPACE, name });
    return [
      names.global,
      ...REGIONS.flatMap((region) => [names.region(region), ...ZONE_LETTERS.map((letter) => names.zone(`${region}-${letter}`, region))]),
    ];
  });
}

/** Another writer's edit, if the zone offers a name it fits; legal DNS always (no CNAME beside other data). */
function foreignEdit(world: World, edit: Edit): void {
  const { ledger } = world;
  const zone = ledger.records;
  const at = (name: string) => zone.filter((record) => record.name === name);
  const choose = <T>(items: readonly T[]): T | undefined => items[Math.floor(edit.pick * items.length)];
  const names = federationNames(world);
  const owned = names.filter((name) => ledger.markedOurs(name));
  const free = names.filter((name) => at(name).length === 0 && at(`_fedsvc.${name}`).length === 0);
  const changes: ForeignChange[] = [];
  const make = (name: string, type: Edit['type']): RecordSet<string> => ({ name, type, ttl: 120, rrdatas: [rdata(type)] });
  switch (edit.what) {
    case 'free': {
      const name = choose(free);
      if (name) changes.push({ kind: 'create', record: make(name, edit.type) });
      break;
    }
    case 'owned-extra': {
      const type = edit.type === 'MX' ? 'MX' : 'TXT';
      const name = choose(owned.filter((name) => at(name).every((record) => record.type !== 'CNAME' && record.type !== type)));
      if (name) changes.push({ kind: 'create', record: make(name, type) });
      break;
    }
    case 'drift': {
      const record = choose(owned.flatMap((name) => at(name).filter((record) => !ledger.foreign.has(`${record.name} ${record.type}`))));
      if (!record) break;
      if (record.type === 'A' && edit.type !== 'CNAME')
        changes.push({ kind: 'update', before: record, record: { ...record, rrdatas: ['192.0.2.250'] } });
      else changes.push({ kind: 'delete', record });
      break;
    }
    case 'other-marker': {
      const name = choose(names.filter((name) => at(`_fedsvc.${name}`).length === 0 && !ledger.markedOurs(name)));
      if (name) changes.push({ kind: 'create', record: { name: `_fedsvc.${name}`, type: 'TXT', ttl: 120, rrdatas: [OTHER_MARKER] } });
      break;
    }
    case 'hijack':
    case 'unmark': {
      const name = choose(owned);
      const marker = name === undefined ? undefined : at(`_fedsvc.${name}`).find((record) => record.type === 'TXT');
      if (!marker) break;
      if (edit.what === 'unmark') changes.push({ kind: 'delete', record: marker });
      else changes.push({ kind: 'update', before: marker, record: { ...marker, rrdatas: [OTHER_MARKER] } });
      break;
    }
    case 'cleanup': {
      const record = choose([...ledger.foreign.values()].filter((record) => record.name !== 'example.com.'));
      if (record) changes.push({ kind: 'delete', record });
      break;
    }
    case 'outside': {
      let host = zone.length;
      while (at(`host${host}.example.com.`).length > 0) host++;
      changes.push({ kind: 'create', record: make(`host${host}.example.com.`, edit.type) });
      break;
    }
  }
  if (changes.length > 0) ledger.foreignWrite(changes);
}

function rdata(type: Edit['type']): string {
  switch (type) {
    case 'A':
      return '192.0.2.200';
    case 'TXT':
      return '"v=spf1 -all"';
    case 'MX':
      return '10 mail.example.net.';
    case 'CNAME':
      return 'elsewhere.example.net.';
  }
}

// ---- after the faults ------------------------------------------------------------------------

/** Faults stop and clusters come back; a resync, then the zone against the plan, then a resync that writes nothing. */
async function settle(world: World): Promise<void> {
  const { clusters, provider, ledger } = world;
  provider.clearFaults();
  clusters.failNextApplies(0);
  world.duringRead.length = 0;
  for (const cluster of clusters.clusters()) if (cluster.health === 'Offline') clusters.setHealth(cluster.name, 'Ready');
  world.controller.resync();
  if (!(await idle(world.controller))) {
    ledger.violations.push({ invariant: 'converges', at: 'end', detail: `not idle after ${SETTLE_MS} ms of fake time` });
    return;
  }
  ledger.checkPlan(expectedPlan(world));
  const writes = ledger.writes;
  const log = ledger.log.length;
  world.controller.resync();
  if (!(await idle(world.controller))) {
    ledger.violations.push({ invariant: 'converges', at: 'end', detail: 'the last resync did not end' });
    return;
  }
  if (ledger.writes !== writes) {
    const changes = ledger.log.slice(log).flat().map(describeChange);
    ledger.violations.push({ invariant: 'resync-idle', at: 'end', detail: `${ledger.writes - writes} writes: ${changes.join('; ')}` });
  }
}

function expectedPlan(world: World): RecordSet[] {
  const { clusters, setup } = world;
  return planFederation({
    federation: world.federation,
    clusters: clusters.clusters().map((c) => ({ name: c.name, zones: c.zones, region: c.region, ready: c.health === 'Ready' })),
    services: [...world.applied].sort().map((i) => ({
      service: { namespace: NAMESPACE, name: setup.services[i]! },
      shards: clusters.shards(NAMESPACE, setup.services[i]!).map((shard) => ({
        cluster: shard.cluster,
        readyEndpoints: shard.readyEndpoints,
        addresses: shard.ingress.flatMap((entry) => (entry.ip ? [entry.ip] : [])),
        hostnames: shard.ingress.flatMap((entry) =>
          entry.hostname && setup.aliases && aliased(normalizeName(entry.hostname)) ? [entry.hostname] : [],
        ),
      })),
    })),
  });
}

const describeChange = (change: Change): string =>
  `${change.kind} ${change.record.name} ${change.record.type} ${change.record.rrdatas.join(',')}`;

/** Advances fake time until the controller is idle; false when it is not within SETTLE_MS. */
async function idle(controller: FederationController): Promise<boolean> {
  let done = false;
  void controller.idle().then(() => {
    done = true;
  });
  for (let waited = 0; !done && waited < SETTLE_MS; waited += 100) await vi.advanceTimersByTimeAsync(100);
  return done;
}

/** Advances fake time until `promise` settles (bounded). */
async function settled(promise: Promise<void>, what: string): Promise<void> {
  let done = false;
  const result = promise.finally(() => {
    done = true;
  });
  for (let waited = 0; !done && waited < SETTLE_MS; waited += 100) await vi.advanceTimersByTimeAsync(100);
  if (!done) throw new Error(`${what} did not end within ${SETTLE_MS} ms of fake time`);
  await result;
}
