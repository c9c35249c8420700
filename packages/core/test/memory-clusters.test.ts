import { describe, expect, it } from 'vitest';
import { MemoryClusters } from '../src/testing/memory-clusters.js';
import type { ClusterEvent } from '../src/types.js';

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
