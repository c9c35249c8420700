// The provider a pass writes through: every member of the port passed on, writes stopped once
// this replica no longer leads.
import { describe, expect, test } from 'vitest';
import { fencedProvider, LeadershipLost } from '../src/controller/fenced-provider.js';
import type { Change, DnsProvider, DnsZone, RecordSet } from '../src/types.js';

const zone: DnsZone = { id: 'z', dnsName: 'example.com.' };
const record: RecordSet = { name: 'a.example.com.', type: 'A', ttl: 60, rrdatas: ['192.0.2.1'] };
const change: Change = { kind: 'create', record };

/** Every member, each answering with something only it gives. Typed `Required` so that a member added to the port must be added here too. */
function fullProvider(calls: string[]): Required<DnsProvider> {
  return {
    name: 'every-member',
    limits: { maxChangesPerRequest: 7, maxRrdatasPerRequest: 70, maxRrdataCharsPerRequest: 700, atomic: true },
    zones: async () => {
      calls.push('zones');
      return [zone];
    },
    records: async (z) => {
      calls.push(`records ${z.id}`);
      return [record];
    },
    applyChanges: async (z, changes) => {
      calls.push(`applyChanges ${z.id} ${changes.length}`);
    },
    canAlias: function (this: unknown, hostname) {
      calls.push(`canAlias ${hostname} ${this === provider}`);
      return true;
    },
    requestCost: function (this: unknown, c) {
      calls.push(`requestCost ${c.kind} ${this === provider}`);
      return { changes: 3, rrdatas: 4, chars: 5 };
    },
    zoneVersion: function (this: unknown, z) {
      calls.push(`zoneVersion ${z.id} ${this === provider}`);
      return Promise.resolve('serial-42');
    },
    readInterval: function (this: unknown, z) {
      calls.push(`readInterval ${z.id} ${this === provider}`);
      return 807_000;
    },
    trafficPolicies: ['failover', 'weighted'],
    routing: { locationOf: () => 'loc-7', isLocation: () => true, maxWeight: 77, maxMembers: 7 },
  };
}
let provider: Required<DnsProvider>;

/** How to call each member and what the original answers; a member missing here fails type-checking. */
const checks: { [K in keyof Required<DnsProvider>]: (p: DnsProvider) => unknown } = {
  name: (p) => p.name,
  limits: (p) => p.limits,
  zones: (p) => p.zones(),
  records: (p) => p.records(zone),
  applyChanges: (p) => p.applyChanges(zone, [change]),
  canAlias: (p) => p.canAlias?.('lb.example.net.'),
  requestCost: (p) => p.requestCost?.(change),
  zoneVersion: (p) => p.zoneVersion?.(zone),
  readInterval: (p) => p.readInterval?.(zone),
  trafficPolicies: (p) => p.trafficPolicies,
  routing: (p) => p.routing,
};

describe('fencedProvider', () => {
  test('passes on every member of the port, each answering as the provider does', async () => {
    const calls: string[] = [];
    provider = fullProvider(calls);
    const fenced = fencedProvider(provider, () => true, 1_000);
    expect(Object.keys(fenced).sort()).toEqual(Object.keys(provider).sort());
    for (const [member, call] of Object.entries(checks)) {
      calls.length = 0;
      const expected = await call(provider);
      const originalCalls = [...calls];
      calls.length = 0;
      expect(await call(fenced), member).toEqual(expected);
      expect(calls, member).toEqual(originalCalls);
    }
  });

  test('refuses writes with LeadershipLost once the replica no longer leads, and still reads', async () => {
    const calls: string[] = [];
    provider = fullProvider(calls);
    let leading = true;
    const fenced = fencedProvider(provider, () => leading, 1_000);
    await fenced.applyChanges(zone, [change]);
    leading = false;
    await expect(fenced.applyChanges(zone, [change])).rejects.toBeInstanceOf(LeadershipLost);
    expect(await fenced.records(zone)).toEqual([record]);
    expect(calls).toEqual(['applyChanges z 1', 'records z']);
  });

  test('a provider without the optional members gives none', () => {
    const {
      canAlias: _alias,
      requestCost: _cost,
      zoneVersion: _version,
      readInterval: _interval,
      trafficPolicies: _policies,
      ...plain
    } = fullProvider([]);
    const fenced = fencedProvider(plain, () => true, 1_000);
    expect(fenced.canAlias).toBeUndefined();
    expect(fenced.requestCost).toBeUndefined();
    expect(fenced.zoneVersion).toBeUndefined();
    expect(fenced.readInterval).toBeUndefined();
    expect(fenced.trafficPolicies).toBeUndefined();
  });
});
