// The failover policy: the global name answers the healthy shards of the first listed region
// that has any; every other name is planned as with `all`.
import { isIPv4 } from 'node:net';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { planServiceRecords, recordNames, type RecordSet, type Shard } from '@fedsvc/core';
import { guideClusters, guideFederation, guideService, guideShards, regionOfZone } from '@fedsvc/core/testing';
import { topology, type Topology } from './topology.arbitrary.js';

const canonical = (a: string) => (isIPv4(a) ? a : new URL(`http://[${a}]`).hostname.slice(1, -1));
const globalName = (t: Topology) => recordNames(t.federation, t.service).global;

/** The healthy addresses of each region, stated independently of the planner. */
function healthyByRegion(t: Pick<Topology, 'clusters' | 'shards'>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const shard of t.shards) {
    const cluster = t.clusters.find((c) => c.name === shard.cluster)!;
    if (!cluster.ready || shard.readyEndpoints === 0 || shard.addresses.length === 0) continue;
    const set = out.get(cluster.region) ?? new Set<string>();
    for (const address of shard.addresses) set.add(canonical(address));
    out.set(cluster.region, set);
  }
  return out;
}

const globalAddresses = (records: readonly RecordSet[], name: string) =>
  records
    .filter((r) => r.name === name)
    .flatMap((r) => r.rrdatas)
    .sort();

/** A failover list: some of the topology's regions, in a random order. */
const failoverOver = (t: Topology) =>
  fc.shuffledSubarray([...new Set(t.clusters.map((c) => c.region))].sort(), { minLength: 1 }).map((regions) => ({ t, regions }));

describe('failover', () => {
  test.prop([topology().chain(failoverOver)])(
    'the global name answers the healthy shards of the first listed region with any; with none, every healthy shard',
    ({ t, regions }) => {
      const records = planServiceRecords({ ...t, service: { ...t.service, trafficPolicy: { type: 'failover', regions } } });
      const healthy = healthyByRegion(t);
      if (healthy.size === 0) {
        expect(records).toEqual([]);
        return;
      }
      const first = regions.find((region) => healthy.has(region));
      const answer = first === undefined ? new Set([...healthy.values()].flatMap((s) => [...s])) : healthy.get(first)!;
      expect(globalAddresses(records, globalName(t))).toEqual([...answer].sort());
    },
  );

  test.prop([topology({ hostnames: true }).chain(failoverOver)])(
    'every zone and region name, and every CNAME, is planned exactly as with `all`',
    ({ t, regions }) => {
      const failover = planServiceRecords({ ...t, service: { ...t.service, trafficPolicy: { type: 'failover', regions } } });
      const all = planServiceRecords(t);
      const global = globalName(t);
      expect(failover.filter((r) => r.name !== global)).toEqual(all.filter((r) => r.name !== global));
      // The CNAMEs still lead to a name that answers: the global name has records whenever any name does.
      if (all.length > 0) expect(failover.some((r) => r.name === global && r.type !== 'CNAME')).toBe(true);
    },
  );

  test.prop([topology().chain(failoverOver)])('a region listed after the first with healthy shards changes nothing', ({ t, regions }) => {
    const healthy = healthyByRegion(t);
    const cut = regions.findIndex((region) => healthy.has(region));
    fc.pre(cut >= 0 && cut < regions.length - 1);
    const plan = (listed: readonly string[]) =>
      planServiceRecords({ ...t, service: { ...t.service, trafficPolicy: { type: 'failover', regions: listed } } });
    expect(plan(regions.slice(0, cut + 1))).toEqual(plan(regions));
  });

  describe("the guide's federation, failover [us-central1, us-east1]", () => {
    const service = { ...guideService, trafficPolicy: { type: 'failover', regions: ['us-central1', 'us-east1'] } } as const;
    const global = recordNames(guideFederation, guideService).global;
    const withoutPods = (regions: readonly string[]): Shard[] =>
      guideShards.map((s) => (regions.includes(regionOfZone(s.cluster.slice(4))) ? { ...s, readyEndpoints: 0 } : s));
    const answer = (shards: readonly Shard[]) =>
      planServiceRecords({ federation: guideFederation, service, clusters: guideClusters, shards })
        .filter((r) => r.name === global)
        .map((r) => [r.type, ...r.rrdatas]);

    test.each([
      { down: [], want: ['A', '104.197.244.180', '104.197.245.170', '104.197.247.191'] },
      { down: ['us-central1'], want: ['A', '104.196.14.231', '104.197.246.190', '104.199.136.89'] },
      { down: ['us-central1', 'us-east1'], want: ['A', '130.211.56.221', '130.211.57.243'] },
      { down: ['us-central1', 'us-east1', 'asia-east1'], want: [] },
    ])('with no pods in $down', ({ down, want }) => {
      expect(answer(withoutPods(down))).toEqual(want.length === 0 ? [] : [want]);
    });
  });
});
