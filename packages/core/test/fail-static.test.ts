// Fail static at its edge: when every cluster that last served a service is lost from sight,
// the last good set is kept whatever the threshold (docs/design.md, Fail static: never withdraw
// every address because the controller lost sight of clusters).
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { decideFailStatic } from '../src/controller/fail-static.js';
import type { ClusterStatus, Shard } from '../src/types.js';

const shard = (cluster: string, address: string): Shard => ({ cluster, addresses: [address], readyEndpoints: 1 });

describe('decideFailStatic when every last good cluster goes Offline', () => {
  test.prop(
    [fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 4 }), fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true }))],
    { numRuns: 200 },
  )('holds all of them, for any maxWithdrawFraction up to and including 1', (lostCount, unhealthyCount, maxWithdrawFraction) => {
    const lost = Array.from({ length: lostCount }, (_, i) => `lost-${i}`);
    // Seen clusters with nothing healthy: they do not count as last good, so all of it is lost.
    const unhealthy = Array.from({ length: unhealthyCount }, (_, i) => `seen-${i}`);
    const clusters: ClusterStatus[] = [
      ...lost.map((name) => ({ name, zones: [`z-${name}`], region: 'r', labels: {}, health: 'Offline' as const })),
      ...unhealthy.map((name) => ({ name, zones: [`z-${name}`], region: 'r', labels: {}, health: 'NotReady' as const })),
    ];
    const lastGood = new Map(lost.map((name, i) => [name, shard(name, `198.51.100.${i + 1}`)]));
    const shards = [...lost, ...unhealthy].map((name) => ({ cluster: name, addresses: [], readyEndpoints: 0 }));

    const decision = decideFailStatic({ clusters, shards, lastGood, seen: new Set(clusters.map((c) => c.name)), maxWithdrawFraction });

    expect(decision.held).toEqual(lost);
    for (const name of lost) {
      expect(decision.clusters.find((c) => c.name === name)?.ready).toBe(true);
      expect(decision.shards.find((s) => s.cluster === name)).toBe(lastGood.get(name));
    }
    expect(decision.lastGood).toEqual(lastGood);
  });

  test('maxWithdrawFraction 1 still withdraws part of the set: one of two clusters Offline', () => {
    const clusters: ClusterStatus[] = [
      { name: 'a', zones: ['za'], region: 'r', labels: {}, health: 'Offline' },
      { name: 'b', zones: ['zb'], region: 'r', labels: {}, health: 'Ready' },
    ];
    const lastGood = new Map([
      ['a', shard('a', '192.0.2.1')],
      ['b', shard('b', '192.0.2.2')],
    ]);
    const decision = decideFailStatic({
      clusters,
      shards: [shard('b', '192.0.2.2')],
      lastGood,
      seen: new Set(['a', 'b']),
      maxWithdrawFraction: 1,
    });
    expect(decision.held).toEqual([]);
    expect(decision.clusters.map((c) => c.ready)).toEqual([false, true]);
    expect(decision.shards).toEqual([shard('b', '192.0.2.2')]);
  });

  test('a shard whose load balancer is only a hostname (an alias target) counts as last good and is held', () => {
    const aliased = (cluster: string, hostname: string): Shard => ({ cluster, addresses: [], hostnames: [hostname], readyEndpoints: 2 });
    const seen: ClusterStatus[] = ['a', 'b'].map((name) => ({ name, zones: [`z${name}`], region: 'r', labels: {}, health: 'Ready' }));
    const shards = [aliased('a', 'lb-a.lb.example.net.'), aliased('b', 'lb-b.lb.example.net.')];
    const first = decideFailStatic({ clusters: seen, shards, lastGood: new Map(), seen: new Set(), maxWithdrawFraction: 0.5 });
    expect([...first.lastGood.keys()]).toEqual(['a', 'b']);
    const lost = seen.map((cluster) => ({ ...cluster, health: 'Offline' as const }));
    const decision = decideFailStatic({ clusters: lost, shards: [], lastGood: first.lastGood, seen: first.seen, maxWithdrawFraction: 0.5 });
    expect(decision.held).toEqual(['a', 'b']);
    expect(decision.shards).toEqual(shards);
  });

  test('a cluster withdrawn on its own is no longer last good: a later outage does not bring its old addresses back', () => {
    const status = (name: string, health: ClusterStatus['health']): ClusterStatus => ({
      name,
      zones: [`z${name}`],
      region: 'r',
      labels: {},
      health,
    });
    const shards = ['a', 'b', 'c', 'd'].map((name, i) => shard(name, `192.0.2.${i + 1}`));
    const seen = decideFailStatic({
      clusters: ['a', 'b', 'c', 'd'].map((n) => status(n, 'Ready')),
      shards,
      lastGood: new Map(),
      seen: new Set(),
      maxWithdrawFraction: 0.5,
    });
    // a alone goes: a quarter, withdrawn.
    const one = decideFailStatic({
      clusters: [status('a', 'Offline'), ...['b', 'c', 'd'].map((n) => status(n, 'Ready'))],
      shards: shards.slice(1),
      lastGood: seen.lastGood,
      seen: seen.seen,
      maxWithdrawFraction: 0.5,
    });
    expect(one.held).toEqual([]);
    expect(one.lastGood.has('a')).toBe(false);
    // Then b and c go too: two of the three still last good, held; a's old address stays out.
    const three = decideFailStatic({
      clusters: [status('a', 'Offline'), status('b', 'Offline'), status('c', 'Offline'), status('d', 'Ready')],
      shards: shards.slice(3),
      lastGood: one.lastGood,
      seen: one.seen,
      maxWithdrawFraction: 0.5,
    });
    expect(three.held).toEqual(['b', 'c']);
    expect(three.shards.map((s) => s.addresses[0])).not.toContain('192.0.2.1');
  });

  test('after a restart or a change of leader, clusters never seen that are Offline count as serving: all of them out of sight keeps the records', () => {
    const status = (name: string, health: ClusterStatus['health']): ClusterStatus => ({
      name,
      zones: [`z${name}`],
      region: 'r',
      labels: {},
      health,
    });
    const fresh = { lastGood: new Map<string, Shard>(), seen: new Set<string>(), maxWithdrawFraction: 0.5 };
    const all = decideFailStatic({ ...fresh, clusters: ['a', 'b', 'c'].map((n) => status(n, 'Offline')), shards: [] });
    expect(all).toMatchObject({ keepRecords: true, held: ['a', 'b', 'c'] });
    // One of four never seen, the rest serving: a quarter, so it is withdrawn as any Offline cluster would be.
    const one = decideFailStatic({
      ...fresh,
      clusters: [status('a', 'Offline'), ...['b', 'c', 'd'].map((n) => status(n, 'Ready'))],
      shards: ['b', 'c', 'd'].map((n, i) => shard(n, `192.0.2.${i + 1}`)),
    });
    expect(one).toMatchObject({ keepRecords: false, held: [] });
    expect(one.clusters.find((c) => c.name === 'a')?.ready).toBe(false);
    expect([...one.seen].sort()).toEqual(['b', 'c', 'd']);
    // Three of four never seen: over the fraction; their shards are not known, so the records are kept.
    const three = decideFailStatic({
      ...fresh,
      clusters: [...['a', 'b', 'c'].map((n) => status(n, 'Offline')), status('d', 'Ready')],
      shards: [shard('d', '192.0.2.4')],
    });
    expect(three).toMatchObject({ keepRecords: true, held: ['a', 'b', 'c'] });
    // Seen once, a cluster is judged by its last good shard from then on.
    const later = decideFailStatic({
      clusters: ['a', 'b', 'c'].map((n) => status(n, 'Offline')),
      shards: [],
      lastGood: new Map(),
      seen: new Set(['a', 'b', 'c']),
      maxWithdrawFraction: 0.5,
    });
    expect(later).toMatchObject({ keepRecords: false, held: [] });
  });
});
