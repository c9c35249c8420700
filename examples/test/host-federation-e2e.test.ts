// The guide's walkthrough through the federation's own resources: FederatedClusters (with their
// Secrets) and a FederatedService in a host API server, 13 member API servers, the real client
// over HTTP to all of them, and BIND 9 answering `dig`. Every request the fixtures recorded is
// then checked against the RBAC manifests shipped with the package.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createController, type FederationController } from '@fedsvc/core';
import {
  guideClusterName as clusterOf,
  guideLoadBalancerAddresses as ADDRESSES,
  guideZones as ZONES,
  regionOfZone as regionOf,
} from '@fedsvc/core/testing';
import { createRfc2136Provider } from '@fedsvc/dns-rfc2136';
import { startBind, type BindServer } from '@fedsvc/dns-rfc2136/testing';
import { createHostFederation, createLeaseElection, crdManifests } from '@fedsvc/kubernetes';
import { FakeKubeApi, endpointSlice, federatedCluster, federatedService } from '@fedsvc/kubernetes/testing';
import { grantedRules, usedPermissions, ungranted, unused } from './rbac.js';

const run = promisify(execFile);
const TTL = 5;
const NAMESPACE = 'fedsvc-system';
const federation = { name: 'myfederation', domain: 'example.com', ttl: TTL };
const name = (place?: string) => `nginx.mynamespace.myfederation.svc.${place ? `${place}.` : ''}example.com.`;
const READY = ['us-central1-a', 'us-central1-b', 'us-central1-c', 'asia-east1-a', 'asia-east1-c', 'us-east1-b', 'us-east1-c', 'us-east1-d'];
const addressesOf = (zones: readonly string[]) => zones.map((zone) => ADDRESSES[zone]!).sort();
const group = { group: 'fedsvc.io', version: 'v1alpha1' };
const fast = { healthPeriodMs: 50, probeTimeoutMs: 1000, failureThreshold: 2, successThreshold: 1, backoff: { initialMs: 20, maxMs: 200 } };

// biome-ignore lint/suspicious/noExplicitAny: custom objects are loose JSON, read field by field as the API shows them
type Json = Record<string, any>;
const ADMIN_TOKEN = 'admin-token';
const SOURCE_TOKEN = 'source-token';

async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("the guide's walkthrough through FederatedService and FederatedCluster resources", () => {
  let host: FakeKubeApi;
  const members = new Map<string, FakeKubeApi>();
  let bind: BindServer;
  let controller: FederationController;
  let running: { stop(): Promise<void> };
  let custom: CustomObjectsApi;
  const failures: string[] = [];

  async function dig(qname: string): Promise<{ chain: string[]; addresses: string[] }> {
    const { stdout } = await run(
      'dig',
      [`@${bind.host}`, '-p', String(bind.port), '+short', '+norecurse', '+time=2', '+tries=1', qname, 'A'],
      {
        timeout: 10_000,
      },
    );
    const lines = stdout.split('\n').filter((line) => line !== '');
    return { chain: lines.filter((line) => line.endsWith('.')), addresses: lines.filter((line) => !line.endsWith('.')).sort() };
  }

  const nginx = async (): Promise<Json | undefined> =>
    (await custom
      .getNamespacedCustomObject({ ...group, plural: 'federatedservices', namespace: 'mynamespace', name: 'nginx' })
      .catch(() => undefined)) as Json | undefined;
  const statusOf = async (cluster: string): Promise<Json | undefined> => {
    const object = (await nginx())?.['status']?.['clusters'] as Json[] | undefined;
    return object?.find((c) => c['name'] === cluster);
  };
  const events = (): Json[] => host.listEvents('mynamespace') as Json[];
  const setPods = (zones: readonly string[], ready: number) => {
    for (const zone of zones)
      members.get(zone)!.putEndpointSlice(endpointSlice('mynamespace', 'nginx', 'nginx-1', ready, ready === 0 ? 1 : 0));
  };

  function hostKubeConfig(token: string): KubeConfig {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromClusterAndUser({ name: 'host', server: host.url, skipTLSVerify: true }, { name: 'user', token });
    return kubeConfig;
  }

  beforeAll(async () => {
    host = await FakeKubeApi.start();
    for (const crd of crdManifests()) host.installCrd(crd);
    for (const zone of ZONES) {
      const api = await FakeKubeApi.start({ token: `token-${zone}` });
      api.setNode(`${zone}-node`, { 'topology.kubernetes.io/zone': zone, 'topology.kubernetes.io/region': regionOf(zone) });
      members.set(zone, api);
    }
    bind = await startBind({ zones: ['example.com'] });
    // The administrator's kubectl and the source authenticate apart, so that the source's own requests can be told.
    const admin = hostKubeConfig(ADMIN_TOKEN);
    custom = admin.makeApiClient(CustomObjectsApi);
    const kubeConfig = hostKubeConfig(SOURCE_TOKEN);
    // What an administrator does with kubectl: the member clusters and their credentials.
    for (const zone of ZONES) {
      host.putSecret(NAMESPACE, clusterOf(zone), { token: `token-${zone}` });
      await custom.createClusterCustomObject({
        ...group,
        plural: 'federatedclusters',
        body: federatedCluster(clusterOf(zone), members.get(zone)!.url),
      });
    }
    const source = createHostFederation({
      kubeConfig,
      namespace: NAMESPACE,
      members: fast,
      statusCoalesceMs: 50,
      writesPerSecond: 500,
      writeBurst: 100,
    });
    const provider = createRfc2136Provider({ server: { host: bind.host, port: bind.port }, zones: ['example.com'], tsig: bind.key });
    controller = createController({
      federation,
      ownerId: 'fedsvc-e2e',
      clusters: source.clusters,
      dns: { provider, zone: { id: 'example.com.', dnsName: 'example.com.' } },
      leaderElection: createLeaseElection({
        cluster: { name: 'host', kubeConfig },
        namespace: NAMESPACE,
        name: 'fedsvc',
        identity: 'replica-1',
      }),
      coalesceMs: 10,
      backoff: { baseMs: 20, maxMs: 200 },
    });
    controller.on('apply-failed', (event) => failures.push(`${event.service}: ${event.reason}: ${event.error.message}`));
    running = source.run(controller);
    controller.start();
  }, 60_000);

  afterAll(async () => {
    await controller?.stop();
    await running?.stop();
    await Promise.all([host?.stop(), bind?.stop(), ...[...members.values()].map((api) => api.stop())]);
  });

  it('creates a shard in all 13 clusters; status shows them and the union of their ingress', async () => {
    await custom.createNamespacedCustomObject({
      ...group,
      plural: 'federatedservices',
      namespace: 'mynamespace',
      body: federatedService('mynamespace', 'nginx', {
        type: 'LoadBalancer',
        selector: { run: 'nginx' },
        ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
      }),
    });
    await until('a shard in every member', () => [...members.values()].every((api) => api.store.get('services', 'mynamespace', 'nginx')));
    // The clouds give each shard its load balancer, and the pods become ready where the guide says.
    for (const zone of ZONES) members.get(zone)!.setIngress('mynamespace', 'nginx', [{ ip: ADDRESSES[zone]! }]);
    setPods(READY, 1);
    const status = await until('13 shards and every ingress in status', async () => {
      const s = (await nginx())?.['status'] as Json | undefined;
      return s?.['loadBalancer']?.['ingress']?.length === 13 && s['healthyClusters'] === '8/13' ? s : undefined;
    });
    expect(status['clusters']).toHaveLength(13);
    expect((status['clusters'] as Json[]).every((c) => c['shard'] === 'Created' && c['health'] === 'Ready')).toBe(true);
    expect((status['loadBalancer']['ingress'] as Json[]).map((i) => i['ip']).sort()).toEqual(addressesOf(ZONES));
    expect((await nginx())?.['metadata']['finalizers']).toEqual(['fedsvc.io/shards']);
    expect(failures).toEqual([]);
    // Events: a shard created told once per cluster, aggregated (past ten similar ones, a combined event's count goes up).
    const shardsCreated = () => events().filter((e) => e['reason'] === 'ShardCreated');
    await until('an event for every shard created', () => shardsCreated().reduce((sum, e) => sum + e['count'], 0) === ZONES.length);
    const created = shardsCreated();
    expect(created.every((e) => e['involvedObject']['name'] === 'nginx')).toBe(true);
    expect(created.reduce((sum, e) => sum + e['count'], 0)).toBe(ZONES.length);
    expect(created.length).toBeLessThan(ZONES.length);
  }, 60_000);

  it('answers dig as the guide shows', async () => {
    await until('the global name answers with every healthy shard', async () => (await dig(name())).addresses.length === READY.length);
    for (const zone of READY) expect(await dig(name(zone))).toEqual({ chain: [], addresses: [ADDRESSES[zone]] });
    expect(await dig(name('us-central1-f'))).toEqual({
      chain: [name('us-central1')],
      addresses: addressesOf(['us-central1-a', 'us-central1-b', 'us-central1-c']),
    });
    expect(await dig(name('europe-west1-d'))).toEqual({ chain: [name('europe-west1'), name()], addresses: addressesOf(READY) });
    expect(await dig(name())).toEqual({ chain: [], addresses: addressesOf(READY) });
  }, 60_000);

  it('a zone losing its pods moves to its region: status, events and records follow', async () => {
    setPods(['us-central1-a'], 0);
    await until('status shows the shard unhealthy', async () => (await statusOf(clusterOf('us-central1-a')))?.['healthy'] === false);
    await until('the zone answers through its region', async () => (await dig(name('us-central1-a'))).chain[0] === name('us-central1'));
    expect((await nginx())?.['status']?.['healthyClusters']).toBe('7/13');
    expect(events().some((e) => e['reason'] === 'DNSUpdated')).toBe(true);
  }, 60_000);

  it('a shard someone deletes is created again, and an event already written counts it', async () => {
    const shardsCreated = () => events().filter((e) => e['reason'] === 'ShardCreated');
    const total = () => shardsCreated().reduce((sum, e) => sum + e['count'], 0);
    const before = shardsCreated();
    // The first cluster told by an event of its own; past ten similar ones, repeats count on the combined event.
    const told = before.find((e) => e['count'] === 1 && !String(e['message']).startsWith('(combined'))!;
    const zone = ZONES.find((z) => String(told['message']).endsWith(` ${clusterOf(z)}`))!;
    members.get(zone)!.deleteService('mynamespace', 'nginx');
    await until('the shard is back', () => members.get(zone)!.store.get('services', 'mynamespace', 'nginx') !== undefined);
    await until('the events count it', () => total() === ZONES.length + 1);
    // Told by raising the count of an event already written, not by a new one.
    expect(shardsCreated()).toHaveLength(before.length);
    const names = new Set(before.map((e) => `/events/${e['metadata']['name']}`));
    expect(host.requests.some((r) => r.method === 'PATCH' && names.has(r.path.slice(r.path.lastIndexOf('/events/'))))).toBe(true);
  }, 60_000);

  it('a whole cluster going away: its FederatedCluster Offline, its shard out of DNS', async () => {
    members.get('asia-east1-a')!.setOffline(true);
    const cluster = await until('FederatedCluster Offline', async () => {
      const object = (await custom.getClusterCustomObject({
        ...group,
        plural: 'federatedclusters',
        name: clusterOf('asia-east1-a'),
      })) as Json;
      return object['status']?.['health'] === 'Offline' ? object : undefined;
    });
    expect(cluster['status']['reason']).toMatch(/unreachable|did not answer/);
    await until('status shows the cluster Offline', async () => (await statusOf(clusterOf('asia-east1-a')))?.['health'] === 'Offline');
    // Removing it from the federation withdraws its records.
    await custom.deleteClusterCustomObject({ ...group, plural: 'federatedclusters', name: clusterOf('asia-east1-a') });
    await until('its address out of the global name', async () => !(await dig(name())).addresses.includes(ADDRESSES['asia-east1-a']!));
    expect(await dig(name('asia-east1'))).toEqual({ chain: [], addresses: addressesOf(['asia-east1-c']) });
    // No member is in its zone any more: the zone's name is gone.
    expect((await dig(name('asia-east1-a'))).addresses).toEqual([]);
  }, 60_000);

  it('in steady state, resyncs write no status', async () => {
    await controller.idle();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const writes = () => host.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/status')).length;
    const before = writes();
    for (let i = 0; i < 3; i++) {
      controller.resync();
      await controller.idle();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(writes()).toBe(before);
  }, 60_000);

  it('deleting the FederatedService removes every shard and record, then the object', async () => {
    await custom.deleteNamespacedCustomObject({ ...group, plural: 'federatedservices', namespace: 'mynamespace', name: 'nginx' });
    await until('the object is gone', async () => (await nginx()) === undefined, 30_000);
    for (const [zone, api] of members)
      if (zone !== 'asia-east1-a') expect(api.store.get('services', 'mynamespace', 'nginx')).toBeUndefined();
    expect(await dig(name())).toEqual({ chain: [], addresses: [] });
    expect(await dig(name('us-central1-b'))).toEqual({ chain: [], addresses: [] });
  }, 60_000);

  it('used every permission the RBAC manifests grant, and none they do not', () => {
    const root = new URL('../../packages/kubernetes/rbac/', import.meta.url);
    const hostRules = grantedRules(readFileSync(new URL('host.yaml', root), 'utf8'));
    const memberRules = grantedRules(readFileSync(new URL('member.yaml', root), 'utf8'));
    const hostUsed = usedPermissions(host.requests.filter((r) => r.authorization === `Bearer ${SOURCE_TOKEN}`));
    const memberUsed = [...members.values()].flatMap((api) => usedPermissions(api.requests));
    expect(ungranted(hostUsed, hostRules)).toEqual([]);
    expect(ungranted(memberUsed, memberRules)).toEqual([]);
    expect(unused(hostUsed, hostRules)).toEqual([]);
    expect(unused(memberUsed, memberRules)).toEqual([]);
  });
});
