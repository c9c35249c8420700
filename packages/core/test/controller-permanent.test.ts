// A pass that fails for a reason retrying cannot fix (a zone that does not exist, credentials
// refused, a record set refused as invalid) is told once, loudly, and not retried on a backoff:
// idle() settles, and the service is passed again when something it depends on changes.
import { fc, test as property } from '@fast-check/vitest';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { retryable } from '../src/controller/failures.js';
import { ProviderError, ValidationError } from '../src/errors.js';
import type { DnsProvider, MemberClusters, ProviderErrorKind } from '../src/types.js';
import { UnwrittenRecordsError } from '../src/zone/report.js';
import {
  ZONES,
  clusterOf,
  collect,
  controllers,
  expected,
  guideWorld,
  interceptWrites,
  nginx,
  podsDown,
  podsUp,
  published,
  settle,
  until,
  type World,
} from './controller.fixture.js';

const { start } = controllers();

afterEach(() => {
  vi.useRealTimers();
});

/** What each ProviderError kind says of the same request made again, as types.ts documents it. */
const RETRY_MAY_FIX: Record<ProviderErrorKind, boolean> = {
  throttled: true,
  transient: true,
  // The zone changed under the pass: the next pass reads it anew.
  conflict: true,
  invalid: false,
  denied: false,
  'not-found': false,
};
const kindArb = fc.constantFrom(...(Object.keys(RETRY_MAY_FIX) as ProviderErrorKind[]));
const providerErrorArb = fc
  .record({
    kind: kindArb,
    message: fc.string(),
    retryAfterMs: fc.option(fc.nat(), { nil: undefined }),
    attempts: fc.integer({ min: 1, max: 10 }),
    record: fc.option(fc.record({ name: fc.domain(), type: fc.constantFrom('A', 'CNAME', 'TXT') }), { nil: undefined }),
  })
  .map(({ kind, message, ...options }) => new ProviderError('test', kind, message, options));
const anyErrorArb = fc.oneof(
  providerErrorArb,
  fc.tuple(fc.string(), fc.anything(), fc.string()).map(([field, value, reason]) => new ValidationError(field, value, reason)),
  fc.string().map((message) => new Error(message)),
  fc.string().map((message) => new TypeError(message)),
);

describe('retryable: whether a failed pass may succeed when tried again as it was', () => {
  property.prop([providerErrorArb])('a ProviderError: by its kind alone, whatever it says besides', (error) => {
    expect(retryable(error)).toBe(RETRY_MAY_FIX[error.kind]);
  });

  property.prop([fc.string(), fc.anything(), fc.string()])(
    'a ValidationError: never, the same input fails again',
    (field, value, reason) => {
      expect(retryable(new ValidationError(field, value, reason))).toBe(false);
    },
  );

  property.prop([
    fc.oneof(
      fc.string().map((m) => new Error(m)),
      fc.string(),
      fc.anything(),
    ),
  ])('anything no port typed (a cluster refusing a shard): yes, as before', (error) => {
    fc.pre(!(error instanceof ProviderError) && !(error instanceof ValidationError));
    expect(retryable(error)).toBe(true);
  });

  property.prop([anyErrorArb])('records held back only because of others refused: always', (error) => {
    expect(retryable(error, true)).toBe(true);
  });

  test('record sets the provider refused (UnwrittenRecordsError, kind invalid): no', () => {
    const report = { changes: [], conflicts: [], suppressed: [], held: [], reads: 1, writes: 1, retries: 0, replans: 0 };
    const refused = [{ name: 'a.example.com.', type: 'A' }];
    expect(retryable(new UnwrittenRecordsError('test', 'rejected', { report, unwritten: refused, refused }))).toBe(false);
  });
});

/** The world's provider, whose writes are refused with `kind` while `state.refuse` holds. */
function refusingWrites(world: World, kind: ProviderErrorKind): { provider: DnsProvider; state: { refuse: boolean; writes: number } } {
  const state = { refuse: true, writes: 0 };
  const inner = world.provider;
  const provider: DnsProvider = {
    ...interceptWrites(world, async (zone, changes) => {
      state.writes++;
      if (state.refuse) throw new ProviderError(inner.name, kind, 'the key may not update the zone');
      return inner.applyChanges(zone, changes);
    }),
    zoneVersion: (zone) => inner.zoneVersion(zone),
  };
  return { provider, state };
}

/** A Logger keeping its error lines. */
function errorLines(): { lines: { fields: object; msg: string | undefined }[]; logger: import('../src/types.js').Logger } {
  const lines: { fields: object; msg: string | undefined }[] = [];
  const none = () => {};
  return { lines, logger: { debug: none, info: none, warn: none, error: (fields, msg) => lines.push({ fields, msg }) } };
}

describe('a failure retrying cannot fix', () => {
  test('a zone that does not exist: told once (event and error line), idle() settles, no retry in an hour', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'setTimeout', 'clearInterval', 'clearTimeout'] });
    const world = guideWorld();
    const { lines, logger } = errorLines();
    const controller = start(world, {
      dns: { provider: world.provider, zone: { id: 'no-such-zone', dnsName: 'example.com.' } },
      logger,
      resyncMs: false,
      services: [nginx()],
    });
    const failures = collect(controller, 'apply-failed');
    let settled = false;
    void controller.idle().then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(settled).toBe(true);
    const reads = world.provider.requests().reads;
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(world.provider.requests().reads).toBe(reads);
    expect(failures.map(({ service, reason, permanent }) => ({ service, reason, permanent }))).toEqual([
      { service: 'mynamespace/nginx', reason: 'not-found', permanent: true },
    ]);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.fields).toMatchObject({ service: 'mynamespace/nginx', reason: 'not-found' });
    expect(controller.permanentFailures()).toEqual([{ service: 'mynamespace/nginx', reason: 'not-found', error: failures[0]!.error }]);
  });

  test('refused writes: passed again when the service is applied (told again only when the failure differs), recovers when it may write', async () => {
    const world = guideWorld();
    const { provider, state } = refusingWrites(world, 'denied');
    const controller = start(world, { dns: { provider, zone: world.zone }, resyncMs: false, services: [nginx()] });
    await settle(controller);
    const failures = collect(controller, 'apply-failed');
    const synced = collect(controller, 'service-synced');
    // Healthy shards: records to write.
    podsUp(world, ZONES);
    await settle(controller);
    expect(failures.map((failure) => [failure.reason, failure.permanent])).toEqual([['denied', true]]);
    expect(controller.status('mynamespace', 'nginx').dns).toMatchObject({ state: 'failed', reason: 'denied' });
    const writes = state.writes;
    controller.applyService(nginx());
    await settle(controller);
    expect(state.writes).toBe(writes + 1);
    expect(failures).toHaveLength(1);
    state.refuse = false;
    controller.applyService({ ...nginx(), ttl: 30 });
    await settle(controller);
    expect(synced.map((event) => event.service)).toEqual(['mynamespace/nginx']);
    expect(controller.permanentFailures()).toEqual([]);
    expect(controller.status('mynamespace', 'nginx').dns.state).toBe('in-sync');
  });

  test('a retry-worthy failure between two alike does not make the same failure told again', async () => {
    const world = guideWorld();
    const { provider, state } = refusingWrites(world, 'denied');
    const controller = start(world, {
      dns: { provider, zone: world.zone },
      resyncMs: false,
      services: [nginx()],
      retry: { maxAttempts: 1 },
    });
    await settle(controller);
    const failures = collect(controller, 'apply-failed');
    podsUp(world, ZONES);
    await settle(controller);
    const writes = state.writes;
    // The next pass's read of the zone fails once, transiently; its retry meets the refusal again.
    world.provider.failNext(1, { on: 'read' });
    controller.applyService({ ...nginx(), ttl: 30 });
    await settle(controller);
    expect(state.writes).toBe(writes + 1);
    expect(failures.map((failure) => [failure.reason, failure.permanent])).toEqual([
      ['denied', true],
      ['transient', false],
    ]);
    expect(controller.permanentFailures().map((failure) => failure.reason)).toEqual(['denied']);
  });

  test('a parked service is passed again when its shards change', async () => {
    const world = guideWorld();
    const { provider, state } = refusingWrites(world, 'invalid');
    const controller = start(world, { dns: { provider, zone: world.zone }, resyncMs: false, services: [nginx()] });
    await settle(controller);
    podsUp(world, ZONES);
    await settle(controller);
    expect(controller.permanentFailures().map((failure) => failure.reason)).toEqual(['invalid']);
    state.refuse = false;
    podsDown(world, ['us-central1-a']);
    await settle(controller);
    expect(controller.permanentFailures()).toEqual([]);
    expect(published(world)).toEqual(expected(world));
  });

  test('every periodic resync passes a parked service again, one whose read of the zone is skipped too; it is told once', async () => {
    const world = guideWorld();
    const refused = clusterOf('us-central1-a');
    const cluster = { refuse: true, applies: 0 };
    const clusters: MemberClusters = {
      watch: (onEvent) => world.clusters.watch(onEvent),
      applyShard: async (action) => {
        if (action.cluster !== refused) return world.clusters.applyShard(action);
        cluster.applies++;
        if (cluster.refuse) throw new ValidationError('spec.ports[0].nodePort', 80, "is outside the cluster's node port range");
        return world.clusters.applyShard(action);
      },
    };
    const controller = world.controller({ clusters, resyncMs: 20, services: [nginx()] });
    const failures = collect(controller, 'apply-failed');
    const skipped = collect(controller, 'resync-skipped');
    controller.start();
    try {
      await until(() => failures.length > 0, 10_000, 'a refused shard');
      const applies = cluster.applies;
      await until(() => skipped.length >= 3 && cluster.applies >= applies + 3, 10_000, 'resyncs that skip the read');
      expect(failures.map(({ reason, cluster, permanent }) => ({ reason, cluster, permanent }))).toEqual([
        { reason: 'cluster', cluster: refused, permanent: true },
      ]);
      cluster.refuse = false;
      await until(() => controller.permanentFailures().length === 0, 10_000, 'the shard placed at a resync');
      expect(world.clusters.shards('mynamespace', 'nginx').map((shard) => shard.cluster)).toContain(refused);
    } finally {
      await controller.stop();
    }
  });

  test('a failure retrying may fix is still retried with backoff, each try told', async () => {
    const world = guideWorld();
    const controller = start(world, { services: [nginx()], retry: { maxAttempts: 1 } });
    await settle(controller);
    const failures = collect(controller, 'apply-failed');
    world.provider.failNext(3, { on: 'write' });
    podsUp(world, ZONES);
    await settle(controller);
    expect(failures.map((failure) => [failure.reason, failure.permanent])).toEqual([
      ['transient', false],
      ['transient', false],
      ['transient', false],
    ]);
    expect(controller.permanentFailures()).toEqual([]);
    expect(published(world)).toEqual(expected(world));
  });
});
