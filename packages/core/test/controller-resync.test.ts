// The controller's periodic resync with providers that tell the zone's version or ask for time
// between full reads, its policy, and its domain filter: end to end in memory.
import { describe, expect, test } from 'vitest';
import { createController, type FederationController } from '../src/controller/controller.js';
import { ValidationError } from '../src/errors.js';
import { ownershipRecordName } from '../src/dns/ownership.js';
import type { Change, DnsProvider, Logger, RecordSet } from '../src/types.js';
import {
  FOREIGN,
  clusterOf,
  expected,
  federation,
  guideWorld,
  nginx,
  OWNER,
  podsDown,
  podsUp,
  published,
  until,
  within,
  ZONES,
  type World,
  controllers,
  settle,
} from './controller.fixture.js';

const { start } = controllers();

/** A logger that keeps every line. */
function recorder(): Logger & { lines: { level: string; obj: Record<string, unknown>; msg: string }[] } {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at =
    (level: string) =>
    (obj: object, msg = '') =>
      lines.push({ level, obj: obj as Record<string, unknown>, msg });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The world's provider with some members replaced. */
function provider(world: World, members: Partial<DnsProvider>): DnsProvider {
  const inner = world.provider;
  return {
    name: inner.name,
    limits: inner.limits,
    zones: () => inner.zones(),
    records: (zone) => inner.records(zone),
    applyChanges: (zone, changes) => inner.applyChanges(zone, changes),
    zoneVersion: (zone) => inner.zoneVersion(zone),
    ...members,
  };
}

/** The guide's service, placed and healthy in every zone, its records written. */
async function converged(world: World, overrides: Parameters<World['controller']>[0] = {}): Promise<FederationController> {
  const controller = start(world, { services: [nginx()], ...overrides });
  await until(() => world.clusters.shards('mynamespace', 'nginx').length === ZONES.length, 10_000, 'shards placed');
  podsUp(world, ZONES);
  await settle(controller);
  expect(published(world)).toEqual(expected(world));
  return controller;
}

const skips = (controller: FederationController, count: number) =>
  until(() => controller.resyncStatus().resyncs.skipped >= count, 10_000, `${count} skipped resyncs`);

describe('periodic resync with a provider that tells the zone version', () => {
  test('with the zone unchanged it costs one request, reads nothing, and says why', async () => {
    const world = guideWorld();
    const logger = recorder();
    const controller = await converged(world, { resyncMs: 20, logger });
    const skipped: string[] = [];
    // The provider's counts as each skipped resync ends: between two, exactly one resync ran.
    const counts: ReturnType<typeof world.provider.requests>[] = [];
    controller.on('resync-skipped', ({ version }) => {
      skipped.push(version);
      counts.push(world.provider.requests());
    });
    const readsBefore = controller.resyncStatus().resyncs.read;
    // Counted by the listener: resyncs skipped before it was attached are not among the four.
    await until(() => counts.length >= 4, 10_000, 'four skipped resyncs seen');
    const costs = counts.slice(1, 4).map((now, i) => ({
      reads: now.reads - counts[i]!.reads,
      writes: now.writes - counts[i]!.writes,
      versions: now.versions - counts[i]!.versions,
    }));
    expect(costs).toEqual(Array.from({ length: 3 }, () => ({ reads: 0, writes: 0, versions: 1 })));
    expect(controller.resyncStatus().resyncs.read).toBe(readsBefore);
    expect(new Set(skipped)).toEqual(new Set([await world.provider.zoneVersion(world.zone)]));
    expect(logger.lines.some((line) => line.level === 'info' && line.msg.includes('resync skipped'))).toBe(true);
  });

  test("someone else's change moves the version: the next resync reads the zone and repairs it", async () => {
    const world = guideWorld();
    const controller = await converged(world, { resyncMs: 20 });
    await skips(controller, 1);
    const global = published(world).find((record) => record.name === 'nginx.mynamespace.myfederation.svc.example.com.') as RecordSet;
    const reads = world.provider.requests().reads;
    world.provider.writeBehind(world.zone, [{ kind: 'delete', record: global }]);
    await until(() => published(world).length === expected(world).length, 10_000, 'the drift repaired');
    await settle(controller);
    expect(published(world)).toEqual(expected(world));
    expect(world.provider.requests().reads).toBeGreaterThan(reads);
  });

  test('version checks never pile up while one waits: a slow answer is followed by one check a period, not a burst', async () => {
    const world = guideWorld();
    let open = () => {};
    let gate: Promise<void> | undefined;
    let calls = 0;
    const slow = provider(world, {
      zoneVersion: async (zone) => {
        calls++;
        await gate;
        return world.provider.zoneVersion(zone);
      },
    });
    const controller = await converged(world, { resyncMs: 20, dns: { provider: slow, zone: world.zone } });
    await skips(controller, 1);
    gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    await until(() => calls > 0 && controller.resyncStatus().resyncs.skipped >= 1, 10_000, 'a check waiting');
    // Thirty periods pass while the version request hangs.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const before = calls;
    gate = undefined;
    open();
    await new Promise((resolve) => setTimeout(resolve, 15));
    // Without the guard, each period would have queued a check, all asking at once now.
    expect(calls - before).toBeLessThanOrEqual(5);
    expect(controller.resyncStatus().resyncs.read).toBe(0);
  });

  // A provider whose version never moves: a full read after it can only come from doubt.
  const stuck = (world: World) => provider(world, { zoneVersion: async () => 'never-moves' });

  test('after a failed pass the next resync reads the zone, whatever the version says', async () => {
    const world = guideWorld();
    const controller = await converged(world, { resyncMs: 20, dns: { provider: stuck(world), zone: guideWorld().zone } });
    await skips(controller, 1);
    const failed = new Promise((resolve) => controller.once('apply-failed', resolve));
    world.provider.failNext(20, { on: 'write' });
    podsDown(world, ['us-central1-a']);
    await within(failed, 10_000, 'a failed pass');
    const read = controller.resyncStatus().resyncs.read;
    await until(() => controller.resyncStatus().resyncs.read > read, 10_000, 'a resync that reads');
    world.provider.clearFaults();
    await until(() => published(world).length === expected(world).length, 10_000, 'converged');
  });

  test('after a pass that met a conflict the next resync reads the zone, whatever the version says', async () => {
    const world = guideWorld();
    const controller = await converged(world, { resyncMs: 20, dns: { provider: stuck(world), zone: guideWorld().zone } });
    await skips(controller, 1);
    const zoneName = 'nginx.mynamespace.myfederation.svc.us-central1-a.example.com.';
    const held = world.provider.snapshot(world.zone).find((record) => record.name === zoneName && record.type === 'A') as RecordSet;
    // Another writer changes the record the next pass updates: the pass's write conflicts and it re-reads.
    world.provider.writeBehind(world.zone, [{ kind: 'update', before: held, record: { ...held, ttl: held.ttl + 1 } }]);
    const read = controller.resyncStatus().resyncs.read;
    podsDown(world, ['us-central1-a']);
    await until(() => controller.resyncStatus().resyncs.read > read, 10_000, 'a resync that reads');
    expect(published(world)).toEqual(expected(world));
  });

  test('a change of leader forgets the version: the new term reads the zone', async () => {
    const world = guideWorld();
    let flip: (leading: boolean) => void = () => {};
    const leaderElection = {
      campaign: (onChange: (leading: boolean) => void) => {
        flip = onChange;
        onChange(true);
        return { stop: async () => onChange(false) };
      },
    };
    const controller = await converged(world, { resyncMs: 20, leaderElection, dns: { provider: stuck(world), zone: guideWorld().zone } });
    await skips(controller, 1);
    flip(false);
    const reads = world.provider.requests().reads;
    const read = controller.resyncStatus().resyncs.read;
    flip(true);
    await until(() => world.provider.requests().reads > reads, 10_000, 'a full read');
    // The first periodic resync of the new term that finds the version known again skips.
    const skipped = controller.resyncStatus().resyncs.skipped;
    await skips(controller, skipped + 1);
    expect(controller.resyncStatus().resyncs.read).toBeGreaterThanOrEqual(read);
  });
});

describe("periodic resync stretched to the provider's read interval", () => {
  test('the period becomes the provider interval, said once in the log and in the status, and back when it shrinks', async () => {
    const world = guideWorld();
    const logger = recorder();
    let interval = 60_000;
    const stretching = provider(world, { zoneVersion: undefined, readInterval: () => interval });
    const controller = await converged(world, { resyncMs: 10, logger, dns: { provider: stretching, zone: world.zone } });
    expect(controller.resyncStatus()).toMatchObject({
      periodMs: 60_000,
      configuredMs: 10,
      readIntervalMs: 60_000,
      reason: 'provider-read-interval',
    });
    // With the period stretched, no periodic resync runs within many configured periods.
    const reads = world.provider.requests().reads;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(world.provider.requests().reads).toBe(reads);
    expect(controller.resyncStatus().resyncs).toEqual({ read: 0, skipped: 0 });
    const stretched = logger.lines.filter((line) => line.msg.includes('resync period'));
    expect(stretched).toEqual([
      {
        level: 'warn',
        obj: { zone: world.zone.dnsName, periodMs: 60_000, resyncMs: 10, readIntervalMs: 60_000 },
        msg: "resync period stretched to fit the provider's request budget for full reads",
      },
    ]);
    // The same interval after another read says nothing more.
    controller.resync();
    await settle(controller);
    expect(logger.lines.filter((line) => line.msg.includes('resync period'))).toHaveLength(1);
    interval = 5;
    controller.resync();
    await settle(controller);
    expect(controller.resyncStatus()).toMatchObject({ periodMs: 10, configuredMs: 10, readIntervalMs: 5, reason: 'configured' });
    expect(logger.lines.filter((line) => line.msg.includes('resync period')).map((line) => line.level)).toEqual(['warn', 'info']);
    await until(() => controller.resyncStatus().resyncs.read > 0, 10_000, 'a periodic resync at the configured period');
  });
});

describe('policy', () => {
  test('upsert-only: deleting a service deletes its shards but leaves its records, marked', async () => {
    const world = guideWorld();
    const controller = await converged(world, { policy: 'upsert-only' });
    const held = published(world);
    controller.deleteService('mynamespace', 'nginx');
    await settle(controller);
    expect(world.clusters.shards('mynamespace', 'nginx')).toEqual([]);
    expect(published(world)).toEqual(held);
    const names = world.provider.snapshot(world.zone).map((record) => record.name);
    for (const record of held) expect(names).toContain(ownershipRecordName(record.name));
  });

  test('create-only in a dry run: the changes planned are the creates the policy lets through', async () => {
    const world = guideWorld();
    const first = await converged(world);
    await first.stop();
    // Someone removed the global name; and a shard went down, which would update other names.
    const globalName = 'nginx.mynamespace.myfederation.svc.example.com.';
    const gone = world.provider.snapshot(world.zone).filter((r) => r.name === globalName || r.name === ownershipRecordName(globalName));
    world.provider.writeBehind(
      world.zone,
      gone.map((record) => ({ kind: 'delete', record: record as RecordSet })),
    );
    podsDown(world, ['us-central1-a', 'us-central1-b']);
    const planned: Change[] = [];
    const controller = start(world, { services: [nginx()], dryRun: true, policy: 'create-only' });
    controller.on('records-planned', ({ changes }) => planned.push(...changes));
    await settle(controller);
    expect(planned.map((change) => `${change.kind} ${change.record.name} ${change.record.type}`).sort()).toEqual(
      [`create ${globalName} A`, `create ${ownershipRecordName(globalName)} TXT`].sort(),
    );
  });

  test('a policy it does not know is refused at creation, naming it', () => {
    const world = guideWorld();
    expect(() => world.controller({ policy: 'upsert' as 'sync' })).toThrow(ValidationError);
    expect(() => world.controller({ policy: 'upsert' as 'sync' })).toThrow(/policy/);
  });
});

describe('domain filter', () => {
  const region = 'nginx.mynamespace.myfederation.svc.us-central1.example.com.';
  const zoneA = 'nginx.mynamespace.myfederation.svc.us-central1-a.example.com.';

  test('only names under the filter are written; the others are reported, and records outside are not touched', async () => {
    const world = guideWorld();
    // An earlier controller without a filter wrote every name.
    const first = await converged(world);
    await first.stop();
    const outsideBefore = published(world).filter((record) => record.name !== region && record.name !== zoneA);
    podsDown(world, ZONES);
    const reported = new Map<string, readonly string[]>();
    const controller = start(world, { services: [nginx()], domainFilter: ['US-Central1.example.com', 'us-central1-a.example.com.'] });
    controller.on('outside-domain-filter', ({ service, names }) => reported.set(service, names));
    await settle(controller);
    // Nothing is healthy: the names inside lose their records; those outside stay as they were.
    expect(published(world).filter((record) => record.name === region || record.name === zoneA)).toEqual([]);
    expect(published(world).filter((record) => record.name !== region && record.name !== zoneA)).toEqual(outsideBefore);
    podsUp(world, ZONES);
    await settle(controller);
    const inside = expected(world).filter((record) => record.name === region || record.name === zoneA);
    expect(published(world).filter((record) => record.name === region || record.name === zoneA)).toEqual(inside);
    // That pass planned from the controller's cache of the zone: the names outside are still untouched.
    expect(published(world).filter((record) => record.name !== region && record.name !== zoneA)).toEqual(outsideBefore);
    const names = reported.get('mynamespace/nginx') ?? [];
    expect(names).toContain('nginx.mynamespace.myfederation.svc.example.com.');
    expect(names).not.toContain(region);
    expect(names).not.toContain(zoneA);
    // The person's records in the zone are untouched as ever.
    const snapshot = world.provider.snapshot(world.zone);
    for (const record of FOREIGN) expect(snapshot).toContainEqual(record);
  });

  test.each([
    [['example.org'], 'domainFilter[0]', /inside the DNS zone/],
    [['us-east1.example.com', 'not a name'], 'domainFilter[1]', /DNS name/],
    [[], 'domainFilter', /non-empty/],
  ])('%j is refused at creation, naming the entry', (domainFilter, field, reason) => {
    const world = guideWorld();
    const error = (() => {
      try {
        world.controller({ domainFilter });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
    expect((error as ValidationError).message).toMatch(reason);
  });

  test('an entry in the zone that holds no name of the federation is refused', () => {
    const world = guideWorld();
    const make = (domainFilter: string[]) =>
      createController({
        federation: { ...federation, domain: 'fed.example.com' },
        ownerId: OWNER,
        clusters: world.clusters,
        dns: { provider: world.provider, zone: world.zone },
        domainFilter,
      });
    expect(() => make(['www.example.com'])).toThrow(/holds no name of the federation/);
    // Above the federation's domain, or under it, is fine.
    expect(() => make(['example.com', 'us-east1.fed.example.com'])).not.toThrow();
    expect(clusterOf('us-east1-b')).toBe('gce-us-east1-b');
  });
});
