// The responder watching a member cluster: the kubernetes package's list-watch against its wire fixture.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FakeKubeApi } from '@fedsvc/kubernetes/testing';
import { type Discovery, startDiscovery } from '../src/index.js';
import { dig } from './dig.js';
import { FEDERATION, REGION_LABEL, ZONE_LABEL, clusterIPService, slice } from './world.js';

const NAME = 'nginx.mynamespace.myfederation.svc.cluster.local.';
const LOCAL = 'nginx.mynamespace.svc.cluster.local.';

/** Asks until `check` holds (the watch delivers within moments), at most 100 times. */
async function eventually<T>(ask: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  let last = await ask();
  for (let i = 0; i < 100 && !check(last); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await ask();
  }
  return last;
}

let api: FakeKubeApi;
let discovery: Discovery;
const kinds: string[] = [];
beforeAll(async () => {
  api = await FakeKubeApi.start();
  api.setNode('node-a', { [ZONE_LABEL]: 'us-central1-a', [REGION_LABEL]: 'us-central1' }, { podCIDRs: ['10.244.0.0/24'] });
  api.setNode('node-b', { [ZONE_LABEL]: 'us-central1-b', [REGION_LABEL]: 'us-central1' }, { podCIDRs: ['10.244.1.0/24'] });
  api.putService(clusterIPService('mynamespace', 'nginx', ['10.96.0.10']));
  api.putEndpointSlice(slice('mynamespace', 'nginx', 'nginx-1', ['10.244.0.5']));
  discovery = await startDiscovery({
    federation: FEDERATION,
    services: [{ namespace: 'mynamespace', name: 'nginx' }],
    ttl: 0,
    kubeConfig: api.kubeConfig(),
    host: '127.0.0.1',
    port: 0,
    onQuery: (kind) => kinds.push(kind),
  });
});
afterAll(async () => {
  await discovery?.stop();
  await api?.stop();
});

describe('watching the member cluster', () => {
  test('ready once the lists are in; the answer follows the Service and its endpoints as they change', async () => {
    await eventually(
      async () => discovery.ready(),
      (ready) => ready,
    );
    expect(discovery.ready()).toBe(true);
    expect(discovery.waitingFor()).toEqual([]);
    const healthy = await eventually(
      () => dig(discovery, NAME, 'A', '+subnet=10.244.1.0/24'),
      (d) => d.answers.length === 2,
    );
    expect(healthy.answers.map((a) => `${a.type} ${a.data}`)).toEqual([`CNAME ${LOCAL}`, 'A 10.96.0.10']);

    api.putEndpointSlice(slice('mynamespace', 'nginx', 'nginx-1', [], ['10.244.0.5']));
    const zonal = 'nginx.mynamespace.myfederation.svc.us-central1-b.example.com.';
    const unready = await eventually(
      () => dig(discovery, NAME, 'A', '+subnet=10.244.1.0/24'),
      (d) => d.answers[0]?.data === zonal,
    );
    expect(unready.answers.map((a) => `${a.type} ${a.data}`)).toEqual([`CNAME ${zonal}`]);

    api.putService(clusterIPService('mynamespace', 'nginx', ['10.96.0.10', 'fd00:96::10']));
    api.putEndpointSlice(slice('mynamespace', 'nginx', 'nginx-1', ['10.244.0.5']));
    const dual = await eventually(
      () => dig(discovery, NAME, 'AAAA'),
      (d) => d.answers.length === 2,
    );
    expect(dual.answers.map((a) => `${a.type} ${a.data}`)).toEqual([`CNAME ${LOCAL}`, 'AAAA fd00:96::10']);

    api.deleteService('mynamespace', 'nginx');
    const regional = 'nginx.mynamespace.myfederation.svc.us-central1.example.com.';
    const gone = await eventually(
      () => dig(discovery, NAME),
      (d) => d.answers[0]?.data === regional,
    );
    expect(gone.answers.map((a) => `${a.type} ${a.data}`)).toEqual([`CNAME ${regional}`]);
    expect(kinds).toContain('local');
    expect(kinds).toContain('zone');
    expect(kinds).toContain('region');
  });
});

describe('readiness', () => {
  test('not ready while a list has not come in (the EndpointSlices answer garbage), ready once it has', async () => {
    const member = await FakeKubeApi.start();
    member.setGarbage(/endpointslices/);
    const waiting = await startDiscovery({
      federation: FEDERATION,
      services: [{ namespace: 'mynamespace', name: 'nginx' }],
      kubeConfig: member.kubeConfig(),
      host: '127.0.0.1',
      port: 0,
    });
    try {
      const listed = await eventually(
        async () => waiting.waitingFor(),
        (left) => left.length === 1,
      );
      expect(listed).toEqual(['endpointslices not listed yet']);
      expect(waiting.ready()).toBe(false);
      member.setGarbage(undefined);
      expect(
        await eventually(
          async () => waiting.ready(),
          (ready) => ready,
        ),
      ).toBe(true);
    } finally {
      await waiting.stop();
      await member.stop();
    }
  });
});
