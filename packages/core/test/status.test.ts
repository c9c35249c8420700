import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { aggregateServiceStatus, ValidationError, type ShardStatus } from '@fedsvc/core';
import { guideHealthyAddresses } from '@fedsvc/core/testing';

const shard = (cluster: string, ingress: ShardStatus['ingress']): ShardStatus => ({
  cluster,
  namespace: 'default',
  name: 'nginx',
  ingress,
  readyEndpoints: 0,
  manifest: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx', namespace: 'default' }, spec: {} },
});

describe('aggregateServiceStatus', () => {
  test("the guide's LoadBalancer Ingress: every shard's address, once", () => {
    const shards = Object.entries(guideHealthyAddresses).map(([zone, ip]) => shard(`gce-${zone}`, [{ ip }]));
    shards.push(shard('gce-us-east1-d-again', [{ ip: '104.199.136.89' }]), shard('gce-europe-west1-b', []));
    const { ingress } = aggregateServiceStatus(shards).loadBalancer;
    expect(ingress.map((i) => i.ip)).toEqual(
      Object.values(guideHealthyAddresses).sort(
        (a, b) =>
          a
            .split('.')
            .map(Number)
            .reduce((x, o) => x * 256 + o, 0) -
          b
            .split('.')
            .map(Number)
            .reduce((x, o) => x * 256 + o, 0),
      ),
    );
  });

  test('hostnames (AWS ELB) and IPv6 are kept, in a stable order', () => {
    const status = aggregateServiceStatus([
      shard('aws', [{ hostname: 'a1b2-123.us-east-1.ELB.amazonaws.com' }]),
      shard('v6', [{ ip: '2001:DB8::1' }]),
      shard('v4', [{ ip: '192.0.2.1' }]),
    ]);
    expect(status.loadBalancer.ingress).toEqual([
      { ip: '192.0.2.1' },
      { ip: '2001:db8::1' },
      { hostname: 'a1b2-123.us-east-1.elb.amazonaws.com' },
    ]);
  });

  test.prop([
    fc.array(
      fc.array(
        fc.oneof(
          fc.ipV4().map((ip) => ({ ip })),
          fc.ipV6().map((ip) => ({ ip })),
        ),
        { maxLength: 4 },
      ),
      { maxLength: 10 },
    ),
    fc.nat(),
  ])('independent of shard order, and the union of all', (ingresses, seed) => {
    const usable = ingresses.map((list) => list.filter(({ ip }) => !/^[0:.]+$/.test(ip)));
    const shards = usable.map((list, i) => shard(`c${i}`, list));
    const rotated = shards.slice(seed % (shards.length || 1)).concat(shards.slice(0, seed % (shards.length || 1)));
    const a = aggregateServiceStatus(shards).loadBalancer.ingress;
    expect(aggregateServiceStatus(rotated).loadBalancer.ingress).toEqual(a);
    const norm = (ip: string) => (ip.includes(':') ? new URL(`http://[${ip}]`).hostname.slice(1, -1) : ip);
    expect(new Set(a.map((i) => norm(i.ip!)))).toEqual(new Set(usable.flat().map(({ ip }) => norm(ip))));
  });

  test.prop([fc.array(fc.tuple(fc.domain(), fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 6 })])(
    'a hostname is accepted with or without the trailing dot and in any case, and listed once without the dot',
    (entries) => {
      const shards = entries.map(([name, dot, upper], i) =>
        shard(`c${i}`, [{ hostname: `${upper ? name.toUpperCase() : name}${dot ? '.' : ''}` }]),
      );
      const { ingress } = aggregateServiceStatus(shards).loadBalancer;
      expect(ingress).toEqual([...new Set(entries.map(([name]) => name.toLowerCase()))].sort().map((hostname) => ({ hostname })));
    },
  );

  test('a hostname of only dots, or with two trailing dots, is refused', () => {
    for (const hostname of ['.', 'elb.amazonaws.com..']) {
      expect(() => aggregateServiceStatus([shard('a', [{ hostname }])])).toThrow(
        expect.objectContaining({ field: 'shards[0].ingress[0].hostname', value: hostname }),
      );
    }
  });

  test('a bad ingress entry names the shard and entry', () => {
    expect(() => aggregateServiceStatus([shard('a', []), shard('b', [{ ip: '300.1.1.1' }])])).toThrow(
      expect.objectContaining({ field: 'shards[1].ingress[0].ip', value: '300.1.1.1' }),
    );
    expect(() => aggregateServiceStatus([shard('a', [{}])])).toThrow(ValidationError);
  });
});
