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

/** The world's clusters behind members that carry out one shard write at a time, each taking `takesMs`. */
function oneAtATime(world: ReturnType<typeof guideWorld>, takesMs: number): MemberClusters {
  const lines = new Map<string, Promise<unknown>>();
  return {
    watch: (listener) => world.clusters.watch(listener),
    applyShard: (action) => {
      const turn = (lines.get(action.cluster) ?? Promise.resolve())
        .then(() => new Promise((resolve) => setTimeout(resolve, takesMs)))
        .then(() => world.clusters.applyShard(action));
      lines.set(
        action.cluster,
        turn.catch(() => {}),
      );
      return turn;
    },
  };
}

describe('shard writes bounded per member cluster', () => {
  const services = (count: number) => Array.from({ length: count }, (_, i) => nginx('crowd', `web-${i}`));

  test('writes queued longer than callTimeoutMs behind a member’s earlier writes succeed when each is quick', async () => {
    const world = guideWorld();
    // Each member carries out one write at a time, in 30 ms: the tenth waits 270 ms, past the 200 ms deadline.
    const controller = start(world, { clusters: oneAtATime(world, 30), shardWritesPerCluster: 1, services: services(10) });
    const failed = collect(controller, 'apply-failed');
    await within(controller.idle(), 20_000, 'idle');
    expect(failed).toEqual([]);
    for (let i = 0; i < 10; i++) expect(world.clusters.shards('crowd', `web-${i}`)).toHaveLength(ZONES.length);
  }, 30_000);

  test('stop() does not wait for the writes queued behind a member that never answers; they fail retryably', async () => {
    const world = guideWorld();
    let calls = 0;
    const clusters: MemberClusters = {
      watch: (listener) => world.clusters.watch(listener),
      applyShard: () => {
        calls++;
        return never();
      },
    };
    const controller = start(world, { clusters, shardWritesPerCluster: 1, callTimeoutMs: 1_000, services: services(20) });
    const failed = collect(controller, 'apply-failed');
    await until(() => calls === ZONES.length, 10_000, 'the first write to every member');
    // Twenty writes one at a time, each waited for a second: stop() must not take twenty seconds.
    await within(controller.stop(), 3_000, 'stop');
    expect(calls).toBe(ZONES.length);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((event) => event.reason === 'cluster' && !event.permanent)).toBe(true);
  });

  test('losing the lease drops the writes waiting their turn: none of them is started', async () => {
    const world = guideWorld();
    let calls = 0;
    const clusters: MemberClusters = {
      watch: (listener) => world.clusters.watch(listener),
      applyShard: (action) => {
        calls++;
        return new Promise((resolve) => setTimeout(resolve, 100)).then(() => world.clusters.applyShard(action));
      },
    };
    let onChange: (leading: boolean) => void = () => {};
    const leaderElection: LeaderElection = {
      campaign: (change) => {
        onChange = change;
        change(true);
        return { stop: async () => {} };
      },
    };
    const controller = start(world, { clusters, leaderElection, shardWritesPerCluster: 1, services: services(10) });
    await until(() => calls === ZONES.length, 10_000, 'the first write to every member');
    onChange(false);
    await within(controller.idle(), 10_000, 'idle');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(calls).toBe(ZONES.length);
  });

  test('shardWritesPerCluster must be a positive integer, named when not', () => {
    for (const shardWritesPerCluster of [0, -1, 1.5, Number.NaN, '4']) {
      expect(() => guideWorld().controller({ shardWritesPerCluster: shardWritesPerCluster as number })).toThrow(
        expect.objectContaining({ name: 'ValidationError', field: 'shardWritesPerCluster', value: shardWritesPerCluster }),
      );
    }
  });
});
