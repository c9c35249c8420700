// What a host (and the FederatedService status it writes) reads of a service: each shard's
// origin, the state of its records and the names it answers to, a deletion under way, and the
// events for shard changes, forgotten services and record conflicts.
import { describe, expect, test } from 'vitest';
import { ADOPTED_BY_ANNOTATION, CREATED_BY_ANNOTATION } from '../src/placement/manifest.js';
import type { ServiceManifest } from '../src/types.js';
import { ZONES, clusterOf, collect, controllers, guideWorld, nginx, podsUp, published, settle, until } from './controller.fixture.js';

const { start } = controllers();

/** A Service someone made in a member cluster before the federation came. */
const theirs: ServiceManifest = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'nginx', namespace: 'mynamespace', annotations: { owner: 'team-web' } },
  spec: { type: 'ClusterIP', selector: { run: 'nginx' }, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
};

describe('shards: origin and changes', () => {
  test('created and adopted shards are told and shown as such; a change conforms each', async () => {
    const world = guideWorld();
    const adopted = clusterOf('us-east1-c');
    world.clusters.putService(adopted, theirs);
    const controller = world.controller({ services: [nginx()] });
    const changes = collect(controller, 'shard-changed');
    controller.start();
    await settle(controller);
    const told = (action: string) =>
      changes
        .filter((change) => change.action === action)
        .map((change) => change.cluster)
        .sort();
    const others = ZONES.map(clusterOf)
      .filter((name) => name !== adopted)
      .sort();
    expect(told('created')).toEqual(others);
    expect(told('adopted')).toEqual([adopted]);
    expect(changes.every((change) => change.service === 'mynamespace/nginx')).toBe(true);
    const origins = controller.status('mynamespace', 'nginx').clusters.map((view) => [view.cluster, view.origin]);
    expect(origins).toEqual(
      ZONES.map(clusterOf)
        .sort()
        .map((name) => [name, name === adopted ? 'adopted' : 'created']),
    );
    const marks = world.clusters.shard(adopted, 'mynamespace', 'nginx')!.manifest.metadata.annotations;
    expect(marks?.[ADOPTED_BY_ANNOTATION]).toBe('fed-test');
    expect(marks?.[CREATED_BY_ANNOTATION]).toBeUndefined();

    changes.length = 0;
    const changed = nginx();
    controller.applyService({
      ...changed,
      manifest: { ...changed.manifest, spec: { ...changed.manifest.spec, sessionAffinity: 'ClientIP' } },
    });
    await settle(controller);
    expect(told('conformed')).toEqual(ZONES.map(clusterOf).sort());
    expect(changes).toHaveLength(ZONES.length);
  });

  test('a shard action that fails is not told', async () => {
    const world = guideWorld();
    const controller = world.controller({ services: [nginx()], backoff: { baseMs: 60_000, maxMs: 60_000 } });
    const changes = collect(controller, 'shard-changed');
    const failures = collect(controller, 'apply-failed');
    world.clusters.failNextApplies(1);
    controller.start();
    // The failed create is made again by a later pass, once another shard's event asks for one.
    await until(() => world.clusters.shards('mynamespace', 'nginx').length === ZONES.length, 10_000, 'every shard');
    await controller.stop();
    expect(failures).toHaveLength(1);
    const created = world.clusters.actions.filter((action) => action.kind === 'create').map((action) => action.cluster);
    expect(changes.map((change) => change.cluster).sort()).toEqual(created.sort());
    expect(created).toHaveLength(ZONES.length);
  });
});

describe("a service's records in its status", () => {
  test('pending before a pass, in sync with the names it answers to after; applied again unchanged, still in sync', async () => {
    const world = guideWorld();
    const controller = world.controller({ services: [nginx()] });
    expect(controller.status('mynamespace', 'nginx').dns).toEqual({ state: 'pending', names: [] });
    controller.start();
    await settle(controller);
    podsUp(world, ZONES);
    await settle(controller);
    const names = [...new Set(published(world).map((record) => record.name))].sort();
    expect(names.length).toBeGreaterThan(ZONES.length);
    expect(controller.status('mynamespace', 'nginx').dns).toEqual({ state: 'in-sync', names });
    controller.applyService(nginx());
    expect(controller.status('mynamespace', 'nginx').dns.state).toBe('in-sync');
    controller.applyService({ ...nginx(), ttl: 30 });
    expect(controller.status('mynamespace', 'nginx').dns.state).toBe('pending');
    await settle(controller);
    expect(controller.status('mynamespace', 'nginx').dns).toEqual({ state: 'in-sync', names });
  });

  test('a write the provider refuses shows as failed, with its kind and message, keeping the names written before', async () => {
    const world = guideWorld();
    const controller = start(world, { services: [nginx()], retry: { maxAttempts: 1 }, backoff: { baseMs: 60_000, maxMs: 60_000 } });
    await settle(controller);
    podsUp(world, ZONES);
    await settle(controller);
    const before = controller.status('mynamespace', 'nginx').dns.names;
    const failures = collect(controller, 'apply-failed');
    world.provider.failNext(100, { on: 'write' });
    controller.applyService({ ...nginx(), ttl: 30 });
    await until(() => failures.length > 0, 10_000, 'a failed pass');
    const { dns } = controller.status('mynamespace', 'nginx');
    expect(dns).toMatchObject({ state: 'failed', reason: 'transient', names: before });
    expect(dns.message).toMatch(/injected/);
  });

  test("names someone else's records hold: told once per new set, failed with reason conflict, left out of the names", async () => {
    const world = guideWorld();
    // The fixture's zone holds a person's A record at other.mynamespace's global name.
    const held = 'other.mynamespace.myfederation.svc.example.com.';
    const controller = world.controller({ services: [nginx('mynamespace', 'other')] });
    const conflicts = collect(controller, 'records-conflict');
    controller.start();
    await settle(controller);
    podsUp(world, ZONES, 'mynamespace', 'other');
    await settle(controller);
    controller.resync();
    await settle(controller);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]!.service).toBe('mynamespace/other');
    expect(conflicts[0]!.conflicts.map((conflict) => conflict.name)).toContain(held);
    const { dns } = controller.status('mynamespace', 'other');
    expect(dns.state).toBe('failed');
    expect(dns.reason).toBe('conflict');
    expect(dns.message).toContain(held);
    expect(dns.names).not.toContain(held);
    expect(dns.names.length).toBeGreaterThan(0);
  });

  test('names outside the domain filter: failed with reason outside-domain-filter', async () => {
    const world = guideWorld();
    const controller = start(world, { services: [nginx()], domainFilter: ['us-east1-b.myfederation.svc.example.com'] });
    await settle(controller);
    podsUp(world, ZONES);
    await settle(controller);
    const { dns } = controller.status('mynamespace', 'nginx');
    expect(dns.state).toBe('failed');
    expect(dns.reason).toBe('outside-domain-filter');
    expect(dns.names.every((name) => name.endsWith('us-east1-b.myfederation.svc.example.com.'))).toBe(true);
  });
});

describe('a deleted service', () => {
  test('waits for the clusters out of sight, shows them, and is told forgotten once they are seen', async () => {
    const world = guideWorld();
    const controller = start(world, { services: [nginx()] });
    await settle(controller);
    const forgotten = collect(controller, 'service-deleted');
    const away = [clusterOf('us-east1-b'), clusterOf('asia-east1-a')].sort();
    for (const cluster of away) world.clusters.setHealth(cluster, 'Offline', 'unreachable');
    await settle(controller);
    controller.deleteService('mynamespace', 'nginx');
    await settle(controller);
    expect(controller.status('mynamespace', 'nginx').deleting).toEqual({ waitingFor: away });
    expect(controller.status('mynamespace', 'nginx').dns.names).toEqual([]);
    expect(forgotten).toEqual([]);
    for (const cluster of away) world.clusters.setHealth(cluster, 'Ready');
    await settle(controller);
    expect(forgotten).toEqual([{ service: 'mynamespace/nginx' }]);
    expect(world.clusters.shards('mynamespace', 'nginx')).toEqual([]);
    expect(controller.status('mynamespace', 'nginx').deleting).toBeUndefined();
  });
});
