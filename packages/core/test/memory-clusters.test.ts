import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryClusters } from '../src/testing/memory-clusters.js';
import type { ClusterEvent, ServiceManifest } from '../src/types.js';

describe('MemoryClusters.setTopology', () => {
  it('tells the new zones and region at once, or on regaining sight when Offline', () => {
    const clusters = new MemoryClusters([{ name: 'c1', zones: ['r1-a'], region: 'r1' }]);
    const events: ClusterEvent[] = [];
    clusters.watch((event) => events.push(event));
    events.length = 0;
    clusters.setTopology('c1', ['r1-a', 'r1-b'], 'r1');
    expect(events).toEqual([{ type: 'cluster', cluster: expect.objectContaining({ name: 'c1', zones: ['r1-a', 'r1-b'], region: 'r1' }) }]);
    clusters.setHealth('c1', 'Offline');
    events.length = 0;
    clusters.setTopology('c1', ['r2-a'], 'r2');
    expect(events).toEqual([]);
    clusters.setHealth('c1', 'Ready');
    expect(events).toEqual([{ type: 'cluster', cluster: expect.objectContaining({ zones: ['r2-a'], region: 'r2', health: 'Ready' }) }]);
    expect(() => clusters.setTopology('c9', ['r1-a'], 'r1')).toThrow(/c9/);
  });
});

describe('MemoryClusters load-balancer addresses', () => {
  const manifest = (name: string, type: string): ServiceManifest => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: 'ns', name },
    spec: { type, ports: [{ port: 80, protocol: 'TCP' }] },
  });

  it('hands out the pool in order, one address to each new LoadBalancer Service, and none once it is empty', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.ipV4(), { maxLength: 8 }),
        fc.array(fc.record({ service: fc.integer({ min: 0, max: 9 }), loadBalancer: fc.boolean() }), { maxLength: 30 }),
        async (pool, applies) => {
          const clusters = new MemoryClusters([{ name: 'c1', zones: ['r1-a'], region: 'r1', loadBalancerAddresses: pool }]);
          // The simple version: a queue shifted at each Service that gets an address.
          const left = [...pool];
          const held = new Map<string, string | undefined>();
          for (const { service, loadBalancer } of applies) {
            const name = `svc${service}`;
            await clusters.applyShard({
              kind: 'create',
              cluster: 'c1',
              manifest: manifest(name, loadBalancer ? 'LoadBalancer' : 'ClusterIP'),
            });
            const had = held.get(name);
            held.set(name, loadBalancer ? (had ?? left.shift()) : undefined);
            const ip = held.get(name);
            expect(clusters.shard('c1', 'ns', name)?.ingress).toEqual(ip === undefined ? [] : [{ ip }]);
          }
        },
      ),
    );
  });
});
