// The guide's scenarios, end to end in memory: controller + in-memory clusters + dns-memory.
import { describe, expect, test } from 'vitest';
import { formatChanges } from '../src/controller/format.js';
import type { LeaderElection } from '../src/controller/types.js';
import { ProviderError, ValidationError } from '../src/errors.js';
import { isGuard } from '../src/zone/batch.js';
import { UnwrittenRecordsError } from '../src/zone/report.js';
import { ADOPTED_BY_ANNOTATION, APPLIED_ANNOTATION, CREATED_BY_ANNOTATION } from '../src/placement/manifest.js';
import type { Change, ClusterEvent, MemberClusters, RecordSet } from '../src/types.js';
import {
  ADDRESSES,
  FOREIGN,
  OWNER,
  ZONES,
  canonical,
  clusterOf,
  expected,
  guideWorld,
  interceptWrites,
  nginx,
  podsDown,
  podsUp,
  published,
  regionOf,
  until,
  within,
  type World,
  collect,
  controllers,
  settle,
} from './controller.fixture.js';

const { start } = controllers();

const GUIDE_HEALTHY = Object.keys(ADDRESSES).filter((zone) => !ADDRESSES[zone]!.startsWith('203.'));

/** The guide's nginx served by a controller that then stops: what the zone holds for it. */
async function servedThenStopped(world: World): Promise<RecordSet<string>[]> {
  const first = start(world, { services: [nginx()] });
  await settle(first);
  podsUp(world, GUIDE_HEALTHY);
  await settle(first);
  await first.stop();
  const held = published(world);
  expect(held.length).toBeGreaterThan(0);
  return held;
}
const foreignIntact = (world: World) => {
  const held = world.provider.snapshot(world.zone);
  for (const record of FOREIGN) expect(held).toContainEqual(record);
};
const record = (world: World, name: string) =>
  published(world).filter((r) => r.name === `nginx.mynamespace.myfederation.svc.${name}example.com.`);

describe('the guide, end to end', () => {
  test('create; shards in 13 clusters; pods zone by zone; zone and region outages; cluster offline and back', async () => {
    const world = guideWorld();
    const controller = start(world);
    const applied = collect(controller, 'records-applied');
    controller.applyService(nginx());
    await settle(controller);

    // A shard in every cluster, created (and marked so) with a load-balancer address each.
    for (const zone of ZONES) {
      const shard = world.clusters.shard(clusterOf(zone), 'mynamespace', 'nginx');
      expect(shard?.manifest.metadata.annotations?.[CREATED_BY_ANNOTATION]).toBe(OWNER);
      expect(shard?.ingress).toEqual([{ ip: ADDRESSES[zone] }]);
    }
    // No pods yet: nothing healthy, so no records at all.
    expect(published(world)).toEqual([]);
    const status = controller.status('mynamespace', 'nginx');
    expect(status.loadBalancer.ingress).toHaveLength(13);
    expect(status.clusters.every((c) => c.shard && !c.healthy)).toBe(true);

    // Pods zone by zone: DNS follows each step.
    for (const zone of GUIDE_HEALTHY) {
      podsUp(world, [zone]);
      await settle(controller);
      expect(published(world)).toEqual(expected(world));
      expect(record(world, `${zone}.`)).toEqual([
        { name: `nginx.mynamespace.myfederation.svc.${zone}.example.com.`, type: 'A', ttl: 180, rrdatas: [ADDRESSES[zone]] },
      ]);
    }
    // The guide's table.
    expect(record(world, '')[0]?.rrdatas).toHaveLength(8);
    expect(record(world, 'us-central1-f.')[0]).toMatchObject({
      type: 'CNAME',
      rrdatas: ['nginx.mynamespace.myfederation.svc.us-central1.example.com.'],
    });
    expect(record(world, 'europe-west1.')[0]).toMatchObject({
      type: 'CNAME',
      rrdatas: ['nginx.mynamespace.myfederation.svc.example.com.'],
    });
    expect(record(world, 'europe-west1-d.')[0]).toMatchObject({
      type: 'CNAME',
      rrdatas: ['nginx.mynamespace.myfederation.svc.europe-west1.example.com.'],
    });
    expect(controller.status('mynamespace', 'nginx').clusters.filter((c) => c.healthy)).toHaveLength(8);
    expect(applied.length).toBeGreaterThanOrEqual(GUIDE_HEALTHY.length);

    // A zone loses its pods: CNAME to its region.
    podsDown(world, ['us-central1-a']);
    await settle(controller);
    expect(published(world)).toEqual(expected(world));
    expect(record(world, 'us-central1-a.')[0]).toMatchObject({
      type: 'CNAME',
      rrdatas: ['nginx.mynamespace.myfederation.svc.us-central1.example.com.'],
    });

    // The region loses all: its zones and the region go to the global name.
    podsDown(world, ['us-central1-b', 'us-central1-c']);
    await settle(controller);
    expect(published(world)).toEqual(expected(world));
    expect(record(world, 'us-central1.')[0]).toMatchObject({ type: 'CNAME', rrdatas: ['nginx.mynamespace.myfederation.svc.example.com.'] });

    // A whole cluster goes offline: its address leaves every level, within the threshold.
    const offline = collect(controller, 'cluster-offline');
    world.clusters.setHealth(clusterOf('us-east1-b'), 'Offline', 'API server unreachable');
    await settle(controller);
    expect(offline).toEqual([{ cluster: clusterOf('us-east1-b'), reason: 'API server unreachable' }]);
    expect(published(world)).toEqual(expected(world));
    expect(published(world).flatMap((r) => r.rrdatas)).not.toContain(ADDRESSES['us-east1-b']);

    // It comes back.
    world.clusters.setHealth(clusterOf('us-east1-b'), 'Ready');
    await settle(controller);
    expect(published(world)).toEqual(expected(world));
    expect(record(world, 'us-east1-b.')[0]?.rrdatas).toEqual([ADDRESSES['us-east1-b']]);
    foreignIntact(world);
  });

  test('deleting the service deletes the shards it created and leaves no record behind', async () => {
    const world = guideWorld();
    const controller = start(world);
    controller.applyService(nginx());
    await settle(controller);
    podsUp(world, GUIDE_HEALTHY);
    await settle(controller);
    expect(published(world).length).toBeGreaterThan(0);

    controller.deleteService('mynamespace', 'nginx');
    await settle(controller);
    expect(world.clusters.shards('mynamespace', 'nginx')).toEqual([]);
    expect(world.provider.snapshot(world.zone).filter((r) => r.name.includes('nginx.mynamespace.myfederation.svc.'))).toEqual([]);
    foreignIntact(world);
  });

  test('an adopted shard is conformed, and released (kept, its marks removed) when the service is deleted, unless asked to delete it', async () => {
    const world = guideWorld();
    const cluster = clusterOf('us-east1-c');
    world.clusters.putService(cluster, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'nginx', namespace: 'mynamespace', labels: { team: 'web' } },
      spec: { type: 'ClusterIP', selector: { run: 'nginx' }, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
    });
    const controller = start(world);
    controller.applyService(nginx());
    await settle(controller);
    const conform = world.clusters.actions.find((a) => a.kind === 'conform');
    expect(conform).toMatchObject({
      cluster,
      fields: [
        'metadata.labels.run',
        `metadata.annotations.${ADOPTED_BY_ANNOTATION}`,
        `metadata.annotations.${APPLIED_ANNOTATION}`,
        'spec.ports[0]',
        'spec.type',
      ],
    });
    const adopted = world.clusters.shard(cluster, 'mynamespace', 'nginx')!;
    expect(adopted.manifest.metadata.labels).toEqual({ team: 'web', run: 'nginx' });
    expect(adopted.manifest.metadata.annotations?.[CREATED_BY_ANNOTATION]).toBeUndefined();

    controller.deleteService('mynamespace', 'nginx');
    await settle(controller);
    expect(world.clusters.shards('mynamespace', 'nginx').map((s) => s.cluster)).toEqual([cluster]);
    const released = world.clusters.shard(cluster, 'mynamespace', 'nginx')!.manifest;
    expect(released.metadata.annotations?.[ADOPTED_BY_ANNOTATION]).toBeUndefined();
    expect(released.metadata.annotations?.[APPLIED_ANNOTATION]).toBeUndefined();
    expect(released.spec).toEqual(adopted.manifest.spec);
    expect(released.metadata.labels).toEqual(adopted.manifest.metadata.labels);
    // Released, it is no longer this federation's: a deletion asking to delete adopted shards deletes it anyway, as before.
    controller.deleteService('mynamespace', 'nginx', { deleteAdopted: true });
    await settle(controller);
    expect(world.clusters.shards('mynamespace', 'nginx')).toEqual([]);
  });

  test('removing a cluster removes its records; zones and regions without clusters go too', async () => {
    const world = guideWorld();
    const controller = start(world);
    controller.applyService(nginx());
    await settle(controller);
    podsUp(world, GUIDE_HEALTHY);
    await settle(controller);
    expect(record(world, 'asia-east1-a.')).toHaveLength(1);

    for (const zone of ['asia-east1-a', 'asia-east1-b', 'asia-east1-c']) world.clusters.removeCluster(clusterOf(zone));
    await settle(controller);
    expect(published(world)).toEqual(expected(world));
    for (const name of ['asia-east1-a.', 'asia-east1-b.', 'asia-east1-c.', 'asia-east1.']) expect(record(world, name)).toEqual([]);
    expect(record(world, '')[0]?.rrdatas).not.toContain(ADDRESSES['asia-east1-a']);
  });

  test('a field dropped from the federated spec is removed from every shard', async () => {
    const world = guideWorld();
    const controller = start(world);
    const base = nginx();
    const guarded = { manifest: { ...base.manifest, spec: { ...base.manifest.spec, loadBalancerSourceRanges: ['192.0.2.0/24'] } } };
    controller.applyService(guarded);
    await settle(controller);
    const ranges = () => world.clusters.shards('mynamespace', 'nginx').map((shard) => shard.manifest.spec['loadBalancerSourceRanges']);
    expect(ranges()).toEqual(Array(13).fill(['192.0.2.0/24']));
    controller.applyService(base);
    await settle(controller);
    expect(ranges()).toEqual(Array(13).fill(undefined));
  });

  test('a cluster selector places the service in matching clusters only, and deselecting deletes the created shard', async () => {
    const world = guideWorld();
    const controller = start(world);
    const service = { ...nginx(), clusterSelector: { matchLabels: { 'topology.kubernetes.io/region': 'us-east1' } } };
    controller.applyService(service);
    await settle(controller);
    expect(
      world.clusters
        .shards('mynamespace', 'nginx')
        .map((s) => s.cluster)
        .sort(),
    ).toEqual(['gce-us-east1-b', 'gce-us-east1-c', 'gce-us-east1-d']);
    // Someone's own nginx in an unselected cluster, serving: not a shard of the federated service, so not in its records.
    world.clusters.putService(clusterOf('us-central1-a'), nginx().manifest);
    podsUp(world, ['us-east1-b', 'us-central1-a']);
    await settle(controller);
    expect(record(world, '')[0]?.rrdatas).toEqual([ADDRESSES['us-east1-b']]);
    expect(record(world, 'us-central1.')[0]?.type).toBe('CNAME');
    controller.applyService({
      ...service,
      clusterSelector: {
        matchExpressions: [
          { key: 'topology.kubernetes.io/region', operator: 'In', values: ['us-east1'] },
          { key: 'x', operator: 'Exists' },
        ],
      },
    });
    await settle(controller);
    expect(world.clusters.shards('mynamespace', 'nginx').map((s) => s.cluster)).toEqual([clusterOf('us-central1-a')]);
    expect(published(world)).toEqual([]);
  });
});

describe('fail static', () => {
  test('losing sight of most clusters keeps their last good addresses; sight returning releases it', async () => {
    const world = guideWorld();
    const controller = start(world, { failStatic: { maxWithdrawFraction: 0.5 } });
    const engaged = collect(controller, 'fail-static-engaged');
    const released = collect(controller, 'fail-static-released');
    controller.applyService(nginx());
    await settle(controller);
    podsUp(world, GUIDE_HEALTHY);
    await settle(controller);
    const before = published(world);

    // The controller's own network fails: every cluster goes Offline at once.
    for (const zone of ZONES) world.clusters.setHealth(clusterOf(zone), 'Offline', 'connection refused');
    await settle(controller);
    expect(published(world)).toEqual(before);
    expect(engaged.at(-1)?.clusters).toHaveLength(8);
    expect(controller.status('mynamespace', 'nginx').failStatic).toHaveLength(8);

    // Sight returns; meanwhile one zone really lost its pods: the truth is published.
    world.clusters.setReadyEndpoints(clusterOf('us-east1-d'), 'mynamespace', 'nginx', 0);
    for (const zone of ZONES) world.clusters.setHealth(clusterOf(zone), 'Ready');
    await settle(controller);
    expect(released).toHaveLength(1);
    expect(published(world)).toEqual(expected(world));
    expect(record(world, 'us-east1-d.')[0]?.type).toBe('CNAME');
  });

  test('a controller started (or newly leading) without sight of the clusters keeps what the zone holds, until it sees them', async () => {
    const world = guideWorld();
    const first = start(world, { services: [nginx()] });
    await settle(first);
    podsUp(world, GUIDE_HEALTHY);
    await settle(first);
    await first.stop();
    const before = published(world);
    expect(before.length).toBeGreaterThan(0);

    for (const zone of ZONES) world.clusters.setHealth(clusterOf(zone), 'Offline', 'connection refused');
    const second = start(world, { services: [nginx()] });
    const engaged = collect(second, 'fail-static-engaged');
    await settle(second);
    expect(published(world)).toEqual(before);
    expect(engaged.at(-1)?.clusters).toHaveLength(ZONES.length);

    // Seen again, with one zone down meanwhile: the truth is published.
    world.clusters.setReadyEndpoints(clusterOf('us-east1-d'), 'mynamespace', 'nginx', 0);
    for (const zone of ZONES) world.clusters.setHealth(clusterOf(zone), 'Ready');
    await settle(second);
    expect(published(world)).toEqual(expected(world));
    expect(record(world, 'us-east1-d.')[0]?.type).toBe('CNAME');
  });
});

describe('DNS faults, foreign records, hostnames, dry run, leader election', () => {
  test('a failing provider is retried with backoff until DNS matches the plan; other services are not blocked', async () => {
    const world = guideWorld();
    const controller = start(world);
    const failures = collect(controller, 'apply-failed');
    controller.applyService(nginx());
    controller.applyService(nginx('mynamespace', 'web'));
    await settle(controller);
    // Enough transient failures to exhaust a pass's request retries.
    world.provider.failNext(12, { on: 'write' });
    podsUp(world, GUIDE_HEALTHY);
    podsUp(world, ['us-east1-b'], 'mynamespace', 'web');
    await settle(controller);
    expect(failures.some((f) => f.reason === 'transient')).toBe(true);
    expect(published(world)).toEqual(expected(world));
    expect(published(world, 'mynamespace', 'web')).toEqual(expected(world, 'mynamespace', 'web'));
    foreignIntact(world);
  });

  test('after the first read, events cost no zone read; drift by others is repaired by the resync, which reads', async () => {
    const world = guideWorld();
    const controller = start(world);
    controller.applyService(nginx());
    await settle(controller);
    podsUp(world, GUIDE_HEALTHY);
    await settle(controller);
    const reads = world.provider.requests().reads;
    podsDown(world, ['us-central1-a']);
    await settle(controller);
    podsDown(world, ['asia-east1-a']);
    await settle(controller);
    expect(published(world)).toEqual(expected(world));
    expect(world.provider.requests().reads).toBe(reads);

    // Someone deletes one of our records; no event asks for that name, so only a resync sees it.
    const [gone] = world.provider
      .snapshot(world.zone)
      .filter((r) => r.name.startsWith('nginx.') && r.name.includes('.us-east1-b.') && r.type === 'A');
    world.provider.writeBehind(world.zone, [{ kind: 'delete', record: gone! } as Change]);
    expect(published(world)).not.toEqual(expected(world));
    controller.resync();
    await settle(controller);
    expect(world.provider.requests().reads).toBeGreaterThan(reads);
    expect(published(world)).toEqual(expected(world));
    foreignIntact(world);
  });

  test('records of another owner at a desired name are left alone', async () => {
    const world = guideWorld();
    const name = 'nginx.mynamespace.myfederation.svc.us-east1-b.example.com.';
    world.provider.writeBehind(world.zone, [
      { kind: 'create', record: { name, type: 'A', ttl: 60, rrdatas: ['192.0.2.99'] } },
      { kind: 'create', record: { name: `_fedsvc.${name}`, type: 'TXT', ttl: 60, rrdatas: ['"heritage=fedsvc,owner=someone-else"'] } },
    ] as Change[]);
    const controller = start(world);
    controller.applyService(nginx());
    await settle(controller);
    podsUp(world, GUIDE_HEALTHY);
    await settle(controller);
    expect(world.provider.snapshot(world.zone).filter((r) => r.name === name)).toEqual([
      { name, type: 'A', ttl: 60, rrdatas: ['192.0.2.99'] },
    ]);
    expect(record(world, 'us-east1-c.')).toHaveLength(1);
  });

  test('load-balancer hostnames are resolved, and resolved again at the record TTL', async () => {
    const world = guideWorld();
    const answers = new Map([['elb-1.us-east-1.elb.example', ['198.51.100.1']]]);
    const controller = start(world, {
      federation: { name: 'myfederation', domain: 'example.com', ttl: 1 },
      resolveHostname: async (host) => answers.get(host) ?? [],
    });
    controller.applyService(nginx());
    await settle(controller);
    const cluster = clusterOf('us-east1-b');
    world.clusters.setIngress(cluster, 'mynamespace', 'nginx', [{ hostname: 'elb-1.us-east-1.elb.example' }]);
    podsUp(world, ['us-east1-b']);
    await settle(controller);
    expect(record(world, 'us-east1-b.')[0]?.rrdatas).toEqual(['198.51.100.1']);
    answers.set('elb-1.us-east-1.elb.example', ['198.51.100.2', '198.51.100.3']);
    await until(() => record(world, 'us-east1-b.')[0]?.rrdatas.join() === '198.51.100.2,198.51.100.3', 10_000, 're-resolution');
  });

  test('with a provider that writes aliases, load-balancer hostnames it accepts are published as ALIAS targets, never resolved', async () => {
    const world = guideWorld({ canAlias: (hostname) => hostname.endsWith('.lb.example.net.') });
    const resolved: string[] = [];
    const controller = start(world, {
      resolveHostname: async (host) => {
        resolved.push(host);
        return host === 'other.elb.example' ? ['198.51.100.7'] : [];
      },
    });
    controller.applyService(nginx());
    await settle(controller);
    world.clusters.setIngress(clusterOf('us-east1-b'), 'mynamespace', 'nginx', [{ hostname: 'Web-1.LB.example.net' }]);
    world.clusters.setIngress(clusterOf('us-east1-c'), 'mynamespace', 'nginx', [{ hostname: 'other.elb.example' }]);
    podsUp(world, ['us-east1-b', 'us-east1-c', 'us-east1-d']);
    await settle(controller);
    await until(() => record(world, 'us-east1-c.')[0]?.rrdatas[0] === '198.51.100.7', 10_000, 'resolution of the other hostname');
    expect(resolved).not.toContain('Web-1.LB.example.net');
    expect(resolved).toContain('other.elb.example');
    const alias = (rrdatas: string[]) => [{ type: 'ALIAS', rrdatas: rrdatas.sort() }];
    const shape = (name: string) => record(world, name).map((r) => ({ type: r.type, rrdatas: r.rrdatas }));
    expect(shape('us-east1-b.')).toEqual(alias(['web-1.lb.example.net.']));
    expect(shape('us-east1-c.')).toEqual([{ type: 'A', rrdatas: ['198.51.100.7'] }]);
    // The region and the global name answer the load balancer beside every healthy address.
    expect(shape('us-east1.')).toEqual(alias(['web-1.lb.example.net.', '198.51.100.7', ADDRESSES['us-east1-d']!]));
    expect(shape('')).toEqual(alias(['web-1.lb.example.net.', '198.51.100.7', ADDRESSES['us-east1-d']!]));
    // The load balancer goes away: its names fall back to plain address record sets.
    world.clusters.setIngress(clusterOf('us-east1-b'), 'mynamespace', 'nginx', [{ ip: '192.0.2.50' }]);
    await settle(controller);
    await until(() => shape('us-east1.')[0]?.type === 'A', 10_000, 'ALIAS replaced by A');
    expect(shape('us-east1-b.')).toEqual([{ type: 'A', rrdatas: ['192.0.2.50'] }]);
    expect(world.provider.snapshot(world.zone).some((r) => r.type === 'ALIAS')).toBe(false);
    foreignIntact(world);
  });

  test('a load-balancer hostname with no resolver and no alias gives its shard no address, and says so once', async () => {
    const world = guideWorld();
    const warnings: object[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (obj: object) => warnings.push(obj) };
    const controller = start(world, { logger });
    controller.applyService(nginx());
    await settle(controller);
    world.clusters.setIngress(clusterOf('us-east1-b'), 'mynamespace', 'nginx', [{ hostname: 'a1b2-123.us-east-1.elb.amazonaws.com' }]);
    podsUp(world, ['us-east1-b', 'us-east1-c']);
    await settle(controller);
    podsDown(world, ['us-east1-c']);
    podsUp(world, ['us-east1-c']);
    await settle(controller);
    expect(record(world, 'us-east1-b.')[0]?.type).toBe('CNAME');
    expect(warnings.filter((w) => 'hostname' in w)).toEqual([{ hostname: 'a1b2-123.us-east-1.elb.amazonaws.com' }]);
  });

  test('a record set the provider refuses fails its own service only; the others in the pass are written and announced', async () => {
    const world = guideWorld();
    const refusing = interceptWrites(world, async (zone, changes) => {
      const bad = changes.find((c) => c.record.name.startsWith('web.'));
      if (bad)
        throw new ProviderError(world.provider.name, 'invalid', 'refused', { record: { name: bad.record.name, type: bad.record.type } });
      return world.provider.applyChanges(zone, changes);
    });
    const controller = start(world, {
      dns: { provider: refusing, zone: world.zone },
      services: [nginx(), nginx('mynamespace', 'web')],
      backoff: { baseMs: 60_000, maxMs: 60_000 },
    });
    const failures = collect(controller, 'apply-failed');
    const applied = collect(controller, 'records-applied');
    await until(() => world.clusters.shards('mynamespace', 'web').length === 13, 10_000, 'shards placed');
    GUIDE_HEALTHY.forEach((zone, i) => world.clusters.setIngress(clusterOf(zone), 'mynamespace', 'web', [{ ip: `198.51.100.${i + 1}` }]));
    podsUp(world, GUIDE_HEALTHY);
    podsUp(world, GUIDE_HEALTHY, 'mynamespace', 'web');
    await until(() => failures.length > 0 && applied.some((e) => e.service === 'mynamespace/nginx'), 10_000, 'a pass');
    expect(new Set(failures.map((f) => f.service))).toEqual(new Set(['mynamespace/web']));
    expect(failures[0]?.error).toBeInstanceOf(UnwrittenRecordsError);
    expect(published(world)).toEqual(expected(world));
    expect(published(world, 'mynamespace', 'web')).toEqual([]);
  });

  test('dry run writes nothing and renders the changes for a person', async () => {
    const world = guideWorld();
    // Services exist already in every cluster (someone made them); the dry run only plans.
    for (const zone of ZONES) {
      world.clusters.putService(clusterOf(zone), nginx().manifest);
      world.clusters.setReadyEndpoints(clusterOf(zone), 'mynamespace', 'nginx', GUIDE_HEALTHY.includes(zone) ? 1 : 0);
    }
    const writes = world.provider.requests().writes;
    const actions = world.clusters.actions.length;
    const dry = start(world, { dryRun: true, services: [nginx()] });
    const planned = collect(dry, 'records-planned');
    await settle(dry);
    expect(world.provider.requests().writes).toBe(writes);
    expect(world.clusters.actions.length).toBe(actions);
    const last = planned.at(-1)!;
    const creates = last.changes.filter((c) => c.kind === 'create' && c.record.type !== 'TXT').map((c) => c.record);
    expect(canonical(creates)).toEqual(expected(world));
    const text = formatChanges(last.changes);
    expect(text).toContain('+ nginx.mynamespace.myfederation.svc.us-central1-a.example.com. A 180 104.197.247.191');
    // Into an empty zone every change is a create but the guards of CNAME targets' markers.
    const guards = last.changes.filter((c) => isGuard(c)).length;
    expect(text.split('\n').at(-1)).toBe(`${last.changes.length - guards} to create, ${guards} to update, 0 to delete`);
  });

  test('with leader election only the leader writes; a standby takes over when it stops', async () => {
    const world = guideWorld();
    const lease = new TestLease();
    const a = start(world, { leaderElection: lease });
    const b = start(world, { leaderElection: lease });
    expect([a.leading, b.leading]).toEqual([true, false]);
    a.applyService(nginx());
    b.applyService(nginx());
    await settle(a);
    podsUp(world, ['us-east1-b']);
    await settle(a);
    expect(published(world)).toEqual(expected(world));
    const writes = world.provider.requests().writes;
    await a.stop();
    expect(b.leading).toBe(true);
    podsUp(world, ['us-east1-c']);
    await settle(b);
    expect(world.provider.requests().writes).toBeGreaterThan(writes);
    expect(published(world)).toEqual(expected(world));
  });

  test('bad options and services are refused with a ValidationError naming the field', () => {
    const world = guideWorld();
    expect(() => world.controller({ ownerId: 'Not Valid' })).toThrow(ValidationError);
    expect(() => world.controller({ coalesceMs: -1 })).toThrow(/coalesceMs/);
    expect(() => world.controller({ failStatic: { maxWithdrawFraction: 2 } })).toThrow(/maxWithdrawFraction/);
    const controller = world.controller();
    const bad = nginx('mynamespace', 'Bad_Name');
    expect(() => controller.applyService(bad)).toThrow(ValidationError);
    expect(() => controller.applyService(bad)).toThrow(/manifest\.metadata\.name/);
    const misspelt = {
      ...nginx(),
      clusterSelector: { matchExpressions: [{ key: 'topology.kubernetes.io/region', operator: 'in', values: ['us-east1'] }] },
    };
    expect(() => controller.applyService(misspelt as never)).toThrow(/clusterSelector\.matchExpressions\[0\]\.operator/);
    expect(() => controller.applyService({ manifest: { ...nginx().manifest, apiVersion: 'v2' } } as never)).toThrow(ValidationError);
    expect(() => controller.applyService({ manifest: { ...nginx().manifest, spec: null } } as never)).toThrow(ValidationError);
  });

  test('a refused service changes nothing: its shards and records stay as they were', async () => {
    const world = guideWorld();
    const controller = start(world);
    controller.applyService(nginx());
    await settle(controller);
    podsUp(world, ZONES);
    await settle(controller);
    const records = published(world);
    const bad = {
      ...nginx(),
      clusterSelector: { matchExpressions: [{ key: 'topology.kubernetes.io/region', operator: 'Equals', values: ['us-east1'] }] },
    };
    expect(() => controller.applyService(bad as never)).toThrow(ValidationError);
    await settle(controller);
    expect(world.clusters.shards('mynamespace', 'nginx')).toHaveLength(ZONES.length);
    expect(published(world)).toEqual(records);
  });

  test('regions and zones come from the clusters: a multi-zone cluster counts in each zone', async () => {
    const world = guideWorld();
    world.clusters.addCluster({
      name: 'aws-eu',
      zones: ['eu-north1-a', 'eu-north1-b'],
      region: 'eu-north1',
      loadBalancerAddresses: ['2001:db8::1'],
    });
    const controller = start(world);
    controller.applyService(nginx());
    await settle(controller);
    world.clusters.setReadyEndpoints('aws-eu', 'mynamespace', 'nginx', 2);
    await settle(controller);
    expect(published(world)).toEqual(expected(world));
    for (const zone of ['eu-north1-a.', 'eu-north1-b.', 'eu-north1.', '']) {
      expect(record(world, zone)).toEqual([expect.objectContaining({ type: 'AAAA', rrdatas: ['2001:db8::1'] })]);
    }
    expect(regionOf('eu-north1-a')).toBe('eu-north1');
  });
});

describe('restarts, leadership changes and resolver outages', () => {
  test('records of services not registered yet survive a restart; resync() or a full services list removes them', async () => {
    const world = guideWorld();
    const held = await servedThenStopped(world);

    // The host registers its services asynchronously: the start-up sweep must not delete them.
    const second = start(world);
    await settle(second);
    expect(published(world)).toEqual(held);
    second.resync(); // the host's list is complete now, and holds no nginx
    await settle(second);
    expect(published(world)).toEqual([]);
    foreignIntact(world);
    await second.stop();

    const third = start(world, { services: [nginx()] });
    await settle(third);
    expect(published(world)).toEqual(expected(world));
    await third.stop();
    const fourth = start(world, { services: [] });
    await settle(fourth);
    expect(published(world)).toEqual([]);
  });

  test('a restart plans nothing until the member clusters are heard from: records stay while shards are on their way', async () => {
    const world = guideWorld();
    const held = await servedThenStopped(world);

    // Cluster statuses arrive at once; shards (slow lists) and then 'synced' only when released.
    const withheld: ClusterEvent[] = [];
    let release = (): void => {};
    const slow: MemberClusters = {
      applyShard: (action) => world.clusters.applyShard(action),
      watch: (onEvent) => {
        let released = false;
        release = () => {
          released = true;
          for (const event of withheld.splice(0)) onEvent(event);
        };
        return world.clusters.watch((event) => {
          if (event.type === 'cluster' || released) onEvent(event);
          else withheld.push(event);
        });
      },
    };
    const writes = world.provider.requests().writes;
    const second = start(world, { services: [nginx()], clusters: slow });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(world.provider.requests().writes).toBe(writes);
    expect(world.clusters.actions.filter((a) => a.kind !== 'leave')).toHaveLength(13);
    expect(published(world)).toEqual(held);
    release();
    await settle(second);
    expect(published(world)).toEqual(held);
    expect(world.provider.requests().writes).toBe(writes);
  });

  test("member clusters that never say 'synced' leave the controller planning nothing, and it says so", async () => {
    const world = guideWorld();
    const warnings: unknown[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (_obj: object, msg?: string) => warnings.push(msg) };
    const silent: MemberClusters = {
      applyShard: (action) => world.clusters.applyShard(action),
      watch: (onEvent) =>
        world.clusters.watch((event) => {
          if (event.type !== 'synced') onEvent(event);
        }),
    };
    const writes = world.provider.requests().writes;
    start(world, { clusters: silent, services: [nginx()], logger, resyncMs: 20 });
    await until(() => warnings.some((w) => String(w).includes("'synced'")), 5_000, 'the warning');
    expect(world.provider.requests().writes).toBe(writes);
    expect(world.clusters.actions).toEqual([]);
  });

  test('a service deleted while a cluster is out of sight loses its shard there once the cluster is back', async () => {
    const world = guideWorld();
    const first = start(world, { services: [nginx()] });
    await settle(first);
    const cluster = clusterOf('us-central1-a');
    world.clusters.setHealth(cluster, 'Offline');
    await first.stop();
    // A new replica never saw that cluster's shard.
    const second = start(world, { services: [nginx()] });
    second.deleteService('mynamespace', 'nginx');
    await settle(second);
    expect(world.clusters.shards('mynamespace', 'nginx').map((shard) => shard.cluster)).toEqual([cluster]);
    world.clusters.setHealth(cluster, 'Ready');
    await settle(second);
    expect(world.clusters.shards('mynamespace', 'nginx')).toEqual([]);
    expect(published(world)).toEqual([]);
  });

  test('stopping lets the passes under way finish while holding the lease, and releases it only then', async () => {
    const world = guideWorld();
    const log: string[] = [];
    const lease: LeaderElection = {
      campaign: (onChange) => {
        onChange(true);
        return {
          stop: async () => {
            log.push('released');
            onChange(false);
          },
        };
      },
    };
    let open = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const gated = interceptWrites(world, async (zone, changes) => {
      log.push('write started');
      await gate;
      await world.provider.applyChanges(zone, changes);
      log.push('write done');
    });
    const controller = start(world, { leaderElection: lease, dns: { provider: gated, zone: world.zone }, services: [nginx()] });
    await until(() => world.clusters.shards('mynamespace', 'nginx').length === 13, 10_000, 'shards placed');
    podsUp(world, GUIDE_HEALTHY);
    await until(() => log.includes('write started'), 10_000, 'a write under way');
    const stopped = controller.stop();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log).not.toContain('released');
    open();
    await within(stopped, 10_000, 'stop');
    expect(log.at(-1)).toBe('released');
    expect(log.filter((entry) => entry === 'write started').length).toBe(log.filter((entry) => entry === 'write done').length);
  });

  test('a pass still draining when stop() is called keeps the addresses it resolved', async () => {
    const world = guideWorld();
    let gate: Promise<void> | undefined;
    let open = () => {};
    let waiting = 0;
    const slow: MemberClusters = {
      watch: (onEvent) => world.clusters.watch(onEvent),
      applyShard: async (action) => {
        if (gate) {
          waiting++;
          await gate;
        }
        return world.clusters.applyShard(action);
      },
    };
    const controller = start(world, { clusters: slow, resolveHostname: async () => ['198.51.100.1'] });
    controller.applyService(nginx());
    await settle(controller);
    world.clusters.setIngress(clusterOf('us-east1-b'), 'mynamespace', 'nginx', [{ hostname: 'lb.us-east-1.elb.example' }]);
    podsUp(world, ['us-east1-b']);
    await settle(controller);
    expect(record(world, 'us-east1-b.')[0]?.rrdatas).toEqual(['198.51.100.1']);
    // A label change makes every shard conform; the pass waits on the clusters while stop() is called.
    gate = new Promise((resolve) => {
      open = resolve;
    });
    const base = nginx();
    controller.applyService({
      manifest: { ...base.manifest, metadata: { ...base.manifest.metadata, labels: { run: 'nginx', tier: 'web' } } },
    });
    await until(() => waiting > 0, 10_000, 'a pass waiting on the clusters');
    const stopped = controller.stop();
    open();
    await within(stopped, 10_000, 'stop');
    expect(record(world, 'us-east1-b.')[0]?.rrdatas).toEqual(['198.51.100.1']);
  });

  test('a replica that stops leading writes nothing more, not even passes already queued', async () => {
    const world = guideWorld();
    const lease = new ManualLease();
    let gate: Promise<void> | undefined;
    let open = () => {};
    let blocked = 0;
    let lost = false;
    let enteredAfterLoss = 0;
    const gated = interceptWrites(world, async (zone, changes) => {
      if (lost) enteredAfterLoss++;
      if (gate) {
        blocked++;
        await gate;
      }
      return world.provider.applyChanges(zone, changes);
    });
    const controller = start(world, { leaderElection: lease, dns: { provider: gated, zone: world.zone } });
    const failures = collect(controller, 'apply-failed');
    lease.set(true);
    controller.applyService(nginx());
    controller.applyService(nginx('mynamespace', 'web'));
    await settle(controller);
    podsUp(world, GUIDE_HEALTHY);
    // Each cluster's one load-balancer address went to nginx; web gets its own.
    GUIDE_HEALTHY.forEach((zone, i) => world.clusters.setIngress(clusterOf(zone), 'mynamespace', 'web', [{ ip: `198.51.100.${i + 1}` }]));
    podsUp(world, GUIDE_HEALTHY, 'mynamespace', 'web');
    await settle(controller);
    const web = published(world, 'mynamespace', 'web');
    expect(web.length).toBeGreaterThan(0);
    expect(web).toEqual(expected(world, 'mynamespace', 'web'));

    gate = new Promise<void>((resolve) => (open = resolve));
    podsDown(world, ['us-east1-b']);
    await until(() => blocked === 1, 5_000, 'nginx pass writing');
    // A pass for another service queues behind the one writing.
    podsDown(world, ['us-east1-c'], 'mynamespace', 'web');
    await new Promise((resolve) => setTimeout(resolve, 50));
    lost = true;
    lease.set(false);
    open();
    await controller.stop();
    expect(enteredAfterLoss).toBe(0);
    expect(published(world, 'mynamespace', 'web')).toEqual(web);
    expect(failures).toEqual([]);
  });

  test("a resolver outage keeps the load balancer's last addresses in DNS; a later answer replaces them", async () => {
    const world = guideWorld();
    const host = 'elb-1.us-east-1.elb.example';
    let answer: string[] | Error = ['198.51.100.1'];
    let lookups = 0;
    const controller = start(world, {
      federation: { name: 'myfederation', domain: 'example.com', ttl: 0 },
      resolveHostname: async () => {
        lookups++;
        if (answer instanceof Error) throw answer;
        return answer;
      },
    });
    controller.applyService(nginx());
    await settle(controller);
    world.clusters.setIngress(clusterOf('us-east1-b'), 'mynamespace', 'nginx', [{ hostname: host }]);
    podsUp(world, ['us-east1-b']);
    await settle(controller);
    expect(record(world, 'us-east1-b.')[0]?.rrdatas).toEqual(['198.51.100.1']);

    answer = new Error('SERVFAIL');
    const before = lookups;
    // TTL 0: refreshed every second, not on every turn of the event loop.
    await until(() => lookups >= before + 2, 15_000, 'failed refreshes');
    await settle(controller);
    expect(lookups - before).toBeLessThan(10);
    expect(record(world, 'us-east1-b.')[0]?.rrdatas).toEqual(['198.51.100.1']);

    answer = ['198.51.100.2'];
    await until(() => record(world, 'us-east1-b.')[0]?.rrdatas.join() === '198.51.100.2', 15_000, 'recovery');
  });
});

/** Leadership granted and taken away by the test. */
class ManualLease implements LeaderElection {
  #onChange: ((leading: boolean) => void) | undefined;
  campaign(onChange: (leading: boolean) => void): { stop(): Promise<void> } {
    this.#onChange = onChange;
    return {
      stop: async () => {
        this.#onChange = undefined;
      },
    };
  }

  set(leading: boolean): void {
    this.#onChange?.(leading);
  }
}

/** A lease held by one campaigner at a time; stopping the holder hands it to the next. */
class TestLease implements LeaderElection {
  readonly #campaigners: ((leading: boolean) => void)[] = [];
  campaign(onChange: (leading: boolean) => void): { stop(): Promise<void> } {
    this.#campaigners.push(onChange);
    if (this.#campaigners.length === 1) onChange(true);
    return {
      stop: async () => {
        const index = this.#campaigners.indexOf(onChange);
        this.#campaigners.splice(index, 1);
        if (index === 0) {
          onChange(false);
          this.#campaigners[0]?.(true);
        }
      },
    };
  }
}
