// Every call into what the host injected has a deadline: a port or resolver that never
// answers fails its own work only, and stop() ends.
import { describe, expect, test } from 'vitest';
import type { LeaderElection } from '../src/controller/types.js';
import { ProviderError } from '../src/errors.js';
import type { DnsProvider, MemberClusters } from '../src/types.js';
import { expected, guideWorld, nginx, podsUp, published, until, within, ZONES, collect, controllers } from './controller.fixture.js';

/** A deadline short enough for a test, long enough for the in-memory ports to answer on a loaded machine. */
const DEADLINE_MS = 200;
const never = <T>(): Promise<T> => new Promise<T>(() => {});

const { start } = controllers({ callTimeoutMs: DEADLINE_MS });

describe('calls that never settle', () => {
  test('resolveHostname: with concurrency 1 the other services are still written, and stop() ends', async () => {
    const world = guideWorld();
    const controller = start(world, { concurrency: 1, resolveHostname: never, services: [nginx(), nginx('other', 'api')] });
    await within(controller.idle());
    podsUp(world, ZONES);
    podsUp(world, ZONES, 'other', 'api');
    // One shard of nginx behind a hostname that never resolves.
    world.clusters.setIngress(`gce-${ZONES[0]}`, 'mynamespace', 'nginx', [{ hostname: 'stuck.elb.example.net' }]);
    await within(controller.idle(), 10_000, 'idle');
    expect(published(world, 'other', 'api')).toEqual(expected(world, 'other', 'api'));
    // The hostname counts as resolving to nothing: nginx is planned from its other shards.
    world.clusters.setIngress(`gce-${ZONES[0]}`, 'mynamespace', 'nginx', []);
    await within(controller.idle(), 10_000, 'idle');
    expect(published(world)).toEqual(expected(world));
    await within(controller.stop(), 5_000, 'stop');
  });

  test('clusters.applyShard: the service fails with a reason, the pass ends, and stop() ends', async () => {
    const world = guideWorld();
    const clusters: MemberClusters = { watch: (listener) => world.clusters.watch(listener), applyShard: never };
    const controller = start(world, { clusters });
    const failed = collect(controller, 'apply-failed');
    controller.applyService(nginx());
    await until(() => failed.length > 0, 10_000, 'apply-failed');
    expect(failed[0]).toMatchObject({ service: 'mynamespace/nginx', reason: 'cluster' });
    expect(failed[0]!.error.message).toMatch(/applyShard did not settle within 200 ms/);
    await within(controller.stop(), 5_000, 'stop');
  });

  test.each(['records', 'applyChanges'] as const)('the DNS provider’s %s: a transient ProviderError, and stop() ends', async (member) => {
    const world = guideWorld();
    const provider: DnsProvider = {
      name: world.provider.name,
      limits: world.provider.limits,
      zones: () => world.provider.zones(),
      records: member === 'records' ? never : (zone) => world.provider.records(zone),
      applyChanges: member === 'applyChanges' ? never : (zone, changes) => world.provider.applyChanges(zone, changes),
    };
    const controller = start(world, { dns: { provider, zone: world.zone }, services: [nginx()], retry: { maxAttempts: 2 } });
    const failed = collect(controller, 'apply-failed');
    await until(() => world.clusters.shards('mynamespace', 'nginx').length === ZONES.length, 10_000, 'shards placed');
    podsUp(world, ZONES);
    await until(() => failed.length > 0, 10_000, 'apply-failed');
    expect(failed[0]!.reason).toBe('transient');
    expect(failed[0]!.error).toBeInstanceOf(ProviderError);
    expect(failed[0]!.error.message).toMatch(new RegExp(`${member} did not settle within 200 ms`));
    await within(controller.stop(), 5_000, 'stop');
  });

  test('stop() ends when the watch’s and the campaign’s own stop never settle', async () => {
    const world = guideWorld();
    const clusters: MemberClusters = {
      watch: (listener) => {
        world.clusters.watch(listener);
        return { stop: never };
      },
      applyShard: (action) => world.clusters.applyShard(action),
    };
    const leaderElection: LeaderElection = {
      campaign: (onChange) => {
        onChange(true);
        return { stop: never };
      },
    };
    const controller = start(world, { clusters, leaderElection, services: [nginx()] });
    await within(controller.idle());
    await within(controller.stop(), 5_000, 'stop');
  });
});
