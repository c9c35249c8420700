// The guide's in-cluster discovery end to end: dig asks Unbound (standing in for the cluster's
// DNS), which forwards the federation's subdomain to the responder; the responder watches the
// member cluster (the Kubernetes wire fixture); the federation's records live in BIND.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { planServiceRecords } from '@fedsvc/core';
import { guideClusters, guideFederation, guideService, guideShards } from '@fedsvc/core/testing';
import { startBind, type BindServer } from '@fedsvc/dns-rfc2136/testing';
import { FakeKubeApi } from '@fedsvc/kubernetes/testing';
import { type Discovery, startDiscovery } from '../src/index.js';
import { type Dig, dig } from './dig.js';
import { startUnbound, type Unbound } from './unbound.js';
import { REGION_LABEL, ZONE_LABEL, clusterIPService, slice } from './world.js';

const NAME = 'nginx.mynamespace.myfederation.svc.cluster.local.';
const NAME6 = 'nginx6.mynamespace.myfederation.svc.cluster.local.';
const LOCAL = 'nginx.mynamespace.svc.cluster.local.';
const LOCAL6 = 'nginx6.mynamespace.svc.cluster.local.';
const ZONE_F = 'nginx.mynamespace.myfederation.svc.us-central1-f.example.com.';
const ZONE_A = 'nginx.mynamespace.myfederation.svc.us-central1-a.example.com.';
/** A pod on the node in us-central1-f, and one on the node in us-central1-a, of the same cluster. */
const POD_F = '+subnet=10.244.0.17/32';
const POD_A = '+subnet=10.244.1.23/32';

let api: FakeKubeApi;
let bind: BindServer;
/** The cluster's own Service names, as CoreDNS's kubernetes plugin answers them. */
let clusterNames: BindServer;
let discovery: Discovery;
let unbound: Unbound;

beforeAll(async () => {
  const records = planServiceRecords({ federation: guideFederation, service: guideService, clusters: guideClusters, shards: guideShards });
  bind = await startBind({
    zones: ['example.com.'],
    records: records.flatMap((r) => r.rrdatas.map((d) => `${r.name} ${r.ttl} IN ${r.type} ${d}`)),
  });
  clusterNames = await startBind({
    zones: ['svc.cluster.local.'],
    records: [`${LOCAL} 5 IN A 10.96.0.10`, `${LOCAL6} 5 IN AAAA fd00:96::6`],
  });
  api = await FakeKubeApi.start();
  api.setNode('node-f', { [ZONE_LABEL]: 'us-central1-f', [REGION_LABEL]: 'us-central1' }, { podCIDRs: ['10.244.0.0/24', 'fd00:244::/64'] });
  api.setNode(
    'node-a',
    { [ZONE_LABEL]: 'us-central1-a', [REGION_LABEL]: 'us-central1' },
    { podCIDRs: ['10.244.1.0/24', 'fd00:244:0:1::/64'] },
  );
  api.putService(clusterIPService('mynamespace', 'nginx', ['10.96.0.10']));
  api.putEndpointSlice(slice('mynamespace', 'nginx', 'nginx-1', ['10.244.0.5']));
  api.putService(clusterIPService('mynamespace', 'nginx6', ['fd00:96::6']));
  api.putEndpointSlice(slice('mynamespace', 'nginx6', 'nginx6-1', ['fd00:244::5']));
  discovery = await startDiscovery({
    federation: guideFederation,
    services: [guideService, { namespace: 'mynamespace', name: 'nginx6' }],
    ttl: 0,
    kubeConfig: api.kubeConfig(),
    host: '127.0.0.1',
    port: 0,
  });
  unbound = await startUnbound({
    forward: { 'myfederation.svc.cluster.local.': discovery.port },
    stub: { 'example.com.': bind.port, 'svc.cluster.local.': clusterNames.port },
    root: bind.port,
  });
  for (let i = 0; i < 100 && !discovery.ready(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
}, 60_000);

afterAll(async () => {
  await unbound?.stop();
  await discovery?.stop();
  await api?.stop();
  await bind?.stop();
  await clusterNames?.stop();
});

/** The answer's records; the order within a record set is the server's choice, so they are sorted. */
const chain = (d: Dig) => d.answers.map((a) => `${a.name} ${a.type} ${a.data}`).sort();
const addresses = (d: Dig) =>
  d.answers
    .filter((a) => a.type === 'A' || a.type === 'AAAA')
    .map((a) => a.data)
    .sort();

/** Asks until `check` holds (the watch delivers a change within moments), at most 100 times. */
async function eventually(ask: () => Promise<Dig>, check: (d: Dig) => boolean): Promise<Dig> {
  let last = await ask();
  for (let i = 0; i < 100 && !check(last); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await ask();
  }
  return last;
}

describe("the guide's example through the cluster's resolver", () => {
  test('the local shard healthy: the CNAME to its cluster-local name and its cluster IP', async () => {
    expect(discovery.ready()).toBe(true);
    const answer = await dig(unbound, NAME, 'A', POD_F);
    expect(answer.status).toBe('NOERROR');
    expect(chain(answer)).toEqual([`${NAME} CNAME ${LOCAL}`, `${LOCAL} A 10.96.0.10`]);
  });

  test('an IPv6 service: the CNAME and its AAAA', async () => {
    const answer = await dig(unbound, NAME6, 'AAAA', POD_F);
    expect(chain(answer)).toEqual([`${NAME6} CNAME ${LOCAL6}`, `${LOCAL6} AAAA fd00:96::6`]);
  });

  test("without ready endpoints: the zone's federated name, followed to the addresses BIND holds for it; a pod in another zone gets its own zone's", async () => {
    api.putEndpointSlice(slice('mynamespace', 'nginx', 'nginx-1', [], ['10.244.0.5']));
    const inF = await eventually(
      () => dig(unbound, NAME, 'A', POD_F),
      (d) => d.answers[0]?.data === ZONE_F,
    );
    expect(inF.answers[0]).toMatchObject({ name: NAME, type: 'CNAME', data: ZONE_F });
    // BIND's own answer for the zonal name: us-central1-f has no healthy shard, so its region's addresses.
    const authoritative = await dig(bind, ZONE_F, 'A');
    expect(chain(inF)).toEqual([`${NAME} CNAME ${ZONE_F}`, ...chain(authoritative)].sort());
    expect(addresses(inF)).toEqual(['104.197.244.180', '104.197.245.170', '104.197.247.191']);

    const inA = await dig(unbound, NAME, 'A', POD_A);
    expect(inA.answers[0]).toMatchObject({ name: NAME, type: 'CNAME', data: ZONE_A });
    expect(addresses(inA)).toEqual(['104.197.247.191']);
  });

  test('the local Service gone: the same walk from the pod’s zone', async () => {
    api.deleteService('mynamespace', 'nginx');
    api.deleteEndpointSlice('mynamespace', 'nginx-1');
    const gone = await eventually(
      () => dig(unbound, NAME, 'A', POD_A),
      (d) => d.answers[0]?.data === ZONE_A,
    );
    expect(gone.answers[0]).toMatchObject({ name: NAME, type: 'CNAME', data: ZONE_A });
    expect(addresses(gone)).toEqual(['104.197.247.191']);
    // No subnet: the resolver's own address places no pod, so the region's name.
    const unplaced = await dig(unbound, NAME, 'A');
    expect(unplaced.answers[0]?.data).toBe('nginx.mynamespace.myfederation.svc.us-central1.example.com.');
  });

  test('names that are no federated service: NXDOMAIN through the resolver', async () => {
    expect((await dig(unbound, 'other.mynamespace.myfederation.svc.cluster.local.', 'A')).status).toBe('NXDOMAIN');
    expect((await dig(unbound, 'www.nginx.mynamespace.myfederation.svc.cluster.local.', 'A')).status).toBe('NXDOMAIN');
  });
});
