// The clusters' state as a pure reducer: what it keeps, and what it tells.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { reduceClusterEvents } from '../src/controller/cluster-burst.js';
import {
  commitClusterStep,
  judgeAll,
  reduceClusterEvent,
  type ClusterState,
  type JudgeHealth,
  type Notification,
  type ServiceShards,
  type StateEvent,
} from '../src/controller/cluster-state.js';
import type { ClusterHealth, ClusterStatus, ShardStatus } from '../src/types.js';

const CLUSTERS = ['a', 'b', 'c'];
const SERVICES: readonly (readonly [string, string])[] = [
  ['ns', 'web'],
  ['ns', 'api'],
  ['other', 'web'],
];

const clusterStatus = (name: string, health: ClusterHealth): ClusterStatus => ({
  name,
  zones: [`${name}-1`],
  region: 'r',
  labels: {},
  health,
});
const shardStatus = (cluster: string, [namespace, name]: readonly [string, string], readyEndpoints: number, ip: boolean): ShardStatus => ({
  cluster,
  namespace,
  name,
  readyEndpoints,
  ingress: ip ? [{ ip: '192.0.2.1' }] : [],
  manifest: { apiVersion: 'v1', kind: 'Service', metadata: { namespace, name }, spec: {} },
});

const event: fc.Arbitrary<StateEvent> = fc.oneof(
  fc
    .record({ name: fc.constantFrom(...CLUSTERS), health: fc.constantFrom<ClusterHealth>('Ready', 'NotReady', 'Offline') })
    .map(({ name, health }) => ({ type: 'cluster' as const, cluster: clusterStatus(name, health) })),
  fc.constantFrom(...CLUSTERS).map((name) => ({ type: 'cluster-removed' as const, name })),
  fc
    .record({ cluster: fc.constantFrom(...CLUSTERS), service: fc.constantFrom(...SERVICES), ready: fc.nat(2), ip: fc.boolean() })
    .map(({ cluster, service, ready, ip }) => ({ type: 'shard' as const, shard: shardStatus(cluster, service, ready, ip) })),
  fc
    .record({ cluster: fc.constantFrom(...CLUSTERS), service: fc.constantFrom(...SERVICES) })
    .map(({ cluster, service: [namespace, name] }) => ({ type: 'shard-removed' as const, cluster, namespace, name })),
);

const judge: JudgeHealth = (cluster, shard) => cluster?.health === 'Ready' && shard.readyEndpoints > 0 && shard.ingress.length > 0;

const empty = () => ({
  clusters: new Map() as ReadonlyMap<string, ClusterStatus>,
  shards: new Map<string, ServiceShards>(),
});

/** A service's shards by cluster, each with its health as last judged. */
const judged = (split: ServiceShards) => [
  ...[...split.healthy].map(([cluster, status]) => ({ cluster, status, healthy: true })),
  ...[...split.unhealthy].map(([cluster, status]) => ({ cluster, status, healthy: false })),
];

/** Every shard's health as judged now, by service and cluster. */
const healthOf = (state: ClusterState): Map<string, boolean> =>
  new Map(
    [...state.shards].flatMap(([service, split]) =>
      judged(split).map(({ cluster, status }) => [`${service}@${cluster}`, judge(state.clusters.get(cluster), status)] as const),
    ),
  );

const snapshot = (state: ClusterState) => ({
  clusters: [...state.clusters],
  shards: [...state.shards].map(([k, v]) => [k, [...v.healthy], [...v.unhealthy]]),
});

describe('reduceClusterEvent', () => {
  test.prop([fc.array(event, { maxLength: 40 })])(
    "reports a health flip exactly when a shard's health changes, and changes nothing it is given",
    (events) => {
      const state = empty();
      for (const e of events) {
        const before = healthOf(state);
        const given = snapshot(state);
        const step = reduceClusterEvent(state, e, judge);
        expect(snapshot(state)).toEqual(given);
        commitClusterStep(state, step);
        const after = healthOf(state);
        const flips = step.notifications.filter((n) => n.type === 'shard-health-changed');
        const expected = [...new Set([...before.keys(), ...after.keys()])]
          .filter((id) => (before.get(id) === true) !== (after.get(id) === true))
          .map((id) => ({ id, healthy: after.get(id) === true }));
        expect(flips.map((f) => ({ id: `${f.service}@${f.cluster}`, healthy: f.healthy })).sort((x, y) => (x.id < y.id ? -1 : 1))).toEqual(
          expected.sort((x, y) => (x.id < y.id ? -1 : 1)),
        );
        // What is kept as judged is what the judge says now.
        for (const [service, split] of state.shards) {
          for (const { cluster, healthy } of judged(split)) expect(healthy).toBe(after.get(`${service}@${cluster}`));
          // A shard is held once: healthy or not.
          for (const cluster of split.healthy.keys()) expect(split.unhealthy.has(cluster)).toBe(false);
        }
      }
    },
  );

  test.prop([fc.array(event, { maxLength: 40 }), fc.constantFrom(...CLUSTERS)])(
    'removing a cluster drops it and its shards',
    (events, removed) => {
      const state = empty();
      for (const e of events) commitClusterStep(state, reduceClusterEvent(state, e, judge));
      commitClusterStep(state, reduceClusterEvent(state, { type: 'cluster-removed', name: removed }, judge));
      expect(state.clusters.has(removed)).toBe(false);
      for (const split of state.shards.values()) {
        expect(split.healthy.has(removed) || split.unhealthy.has(removed)).toBe(false);
        expect(split.healthy.size + split.unhealthy.size).toBeGreaterThan(0);
      }
    },
  );

  test.prop([event])('cluster events make every service dirty; shard events their own service', (e) => {
    const dirty = reduceClusterEvent(empty(), e, judge).notifications.filter(
      (n): n is Extract<Notification, { type: 'dirty' }> => n.type === 'dirty',
    );
    const own =
      e.type === 'shard' ? `${e.shard.namespace}/${e.shard.name}` : e.type === 'shard-removed' ? `${e.namespace}/${e.name}` : 'all';
    expect(dirty).toEqual([{ type: 'dirty', service: own }]);
  });

  test('a cluster is told ready or offline when it becomes so, not again', () => {
    const state = empty();
    const tell = (health: ClusterHealth) => {
      const step = reduceClusterEvent(state, { type: 'cluster', cluster: { ...clusterStatus('a', health), reason: 'why' } }, judge);
      commitClusterStep(state, step);
      return step.notifications.filter((n) => n.type !== 'dirty');
    };
    expect(tell('Ready')).toEqual([{ type: 'cluster-ready', cluster: 'a' }]);
    expect(tell('Ready')).toEqual([]);
    expect(tell('Offline')).toEqual([{ type: 'cluster-offline', cluster: 'a', reason: 'why' }]);
    expect(tell('Offline')).toEqual([]);
  });
});

describe('judgeAll', () => {
  test.prop([fc.array(event, { maxLength: 30 })])('reports the shards whose health changed when the judge changed', (events) => {
    const state = empty();
    for (const e of events) commitClusterStep(state, reduceClusterEvent(state, e, judge));
    const stricter: JudgeHealth = (cluster, shard) => judge(cluster, shard) && shard.readyEndpoints > 1;
    const step = judgeAll(state, stricter);
    const flipped = [...state.shards].flatMap(([service, split]) =>
      judged(split)
        .filter(({ cluster, status, healthy }) => healthy !== stricter(state.clusters.get(cluster), status))
        .map(({ cluster }) => ({ type: 'shard-health-changed', service, cluster, healthy: false })),
    );
    expect(step.notifications).toEqual(flipped);
    commitClusterStep(state, step);
    expect(judgeAll(state, stricter).notifications).toEqual([]);
  });

  test.prop([fc.array(event, { maxLength: 30 }), fc.subarray(SERVICES.map(([namespace, name]) => `${namespace}/${name}`))])(
    'judging some services again reports and changes exactly their part of judging them all',
    (events, services) => {
      const state = empty();
      for (const e of events) commitClusterStep(state, reduceClusterEvent(state, e, judge));
      const stricter: JudgeHealth = (cluster, shard) => judge(cluster, shard) && shard.readyEndpoints > 1;
      const all = judgeAll(state, stricter);
      const some = judgeAll(state, stricter, { services });
      const inScope = new Set(services);
      expect(some.notifications).toEqual(all.notifications.filter((n) => n.type === 'shard-health-changed' && inScope.has(n.service)));
      expect([...some.shards.keys()].sort()).toEqual([...all.shards.keys()].filter((service) => inScope.has(service)).sort());
      for (const [service, split] of some.shards) expect(judged(split)).toEqual(judged(all.shards.get(service)!));
    },
  );
});

/** What reducing events one at a time tells, as one step tells it: dirty marks once each, last; 'all' absorbs the others. */
const coalesced = (told: readonly Notification[]): Notification[] => {
  const dirty = told.filter((n): n is Extract<Notification, { type: 'dirty' }> => n.type === 'dirty').map((n) => n.service);
  const marks = dirty.includes('all') ? ['all'] : [...new Set(dirty)];
  return [...told.filter((n) => n.type !== 'dirty'), ...marks.map((service): Notification => ({ type: 'dirty', service }))];
};

/** Reduces `burst` after `before` both ways and expects the same state and the same notifications, coalesced. */
const expectOneStepLikeEach = (before: readonly StateEvent[], burst: readonly StateEvent[]) => {
  const one = empty();
  const all = empty();
  for (const e of before) {
    commitClusterStep(one, reduceClusterEvent(one, e, judge));
    commitClusterStep(all, reduceClusterEvent(all, e, judge));
  }
  const told: Notification[] = [];
  for (const e of burst) {
    const step = reduceClusterEvent(one, e, judge);
    commitClusterStep(one, step);
    told.push(...step.notifications);
  }
  const given = snapshot(all);
  const step = reduceClusterEvents(all, burst, judge);
  expect(snapshot(all)).toEqual(given);
  commitClusterStep(all, step);
  // The order of the services in the state means nothing (a service dropped and heard again within the burst keeps its place).
  const byService = (state: ClusterState) => ({
    ...snapshot(state),
    shards: snapshot(state).shards.sort((x, y) => (String(x[0]) < String(y[0]) ? -1 : 1)),
  });
  expect(byService(all)).toEqual(byService(one));
  expect(step.notifications).toEqual(coalesced(told));
};

describe('reduceClusterEvents', () => {
  test.prop([fc.array(event, { maxLength: 30 }), fc.array(event, { maxLength: 60 })], { numRuns: 500 })(
    'a burst reduced in one step holds and tells what its events reduced one at a time do, the dirty marks coalesced',
    expectOneStepLikeEach,
  );

  test.prop([fc.shuffledSubarray([...SERVICES]), fc.constantFrom(...CLUSTERS)])(
    'a cluster event after services were dropped and heard again within the burst tells their flips in the same order',
    (heardAgain, cluster) => {
      const before: StateEvent[] = [
        { type: 'cluster', cluster: clusterStatus(cluster, 'Ready') },
        ...SERVICES.map((service) => ({ type: 'shard' as const, shard: shardStatus(cluster, service, 1, true) })),
      ];
      const burst: StateEvent[] = [
        ...heardAgain.flatMap((service): StateEvent[] => [
          { type: 'shard-removed', cluster, namespace: service[0], name: service[1] },
          { type: 'shard', shard: shardStatus(cluster, service, 1, true) },
        ]),
        { type: 'cluster', cluster: clusterStatus(cluster, 'NotReady') },
      ];
      expectOneStepLikeEach(before, burst);
    },
  );

  test.prop([fc.array(event, { maxLength: 30 }), fc.array(event, { maxLength: 60 })])(
    'the maps a burst hands over are never changed by a later burst',
    (first, second) => {
      const state = empty();
      commitClusterStep(state, reduceClusterEvents(state, first, judge));
      const held = snapshot(state);
      const maps = [...state.shards.values()];
      const kept = maps.map((split) => [[...split.healthy], [...split.unhealthy]]);
      reduceClusterEvents(state, second, judge);
      expect(snapshot(state)).toEqual(held);
      expect(maps.map((split) => [[...split.healthy], [...split.unhealthy]])).toEqual(kept);
    },
  );
});
