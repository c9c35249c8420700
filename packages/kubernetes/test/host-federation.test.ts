// The host source through the real client over HTTP against fixture API servers: a host holding
// the federation's resources, and member clusters. Restarts (a FederatedService deleted while no
// controller ran; a controller stopped mid-delete) and bad input (malformed objects, a Secret of
// garbage, a FederatedCluster pointing at nothing), each named in a status or event, with the
// other services and clusters undisturbed.
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { createController, type FederationController } from '@fedsvc/core';
import { createMemoryProvider } from '@fedsvc/dns-memory';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createHostFederation, crdManifests, type HostFederationOptions } from '../src/index.js';
import { FakeKubeApi, endpointSlice, federatedCluster, federatedService } from '../src/testing/index.js';

const NAMESPACE = 'fedsvc-system';
const group = { group: 'fedsvc.io', version: 'v1alpha1' };
const fast = { healthPeriodMs: 50, probeTimeoutMs: 500, failureThreshold: 2, successThreshold: 1, backoff: { initialMs: 20, maxMs: 200 } };
const web = { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] };
const ZONES = { east: ['us-east1-b', 'us-east1'], west: ['us-west1-a', 'us-west1'] } as const;

// biome-ignore lint/suspicious/noExplicitAny: custom objects are loose JSON, read field by field as the API shows them
type Json = Record<string, any>;

async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the host source', () => {
  let host: FakeKubeApi;
  const members: Record<string, FakeKubeApi> = {};
  let kubeConfig: KubeConfig;
  let custom: CustomObjectsApi;
  const dns = createMemoryProvider({ zones: [{ dnsName: 'example.com', id: 'z1' }] });
  let running: { controller: FederationController; stop(): Promise<void> } | undefined;

  /** A source and a controller, as one replica of the federation runs them. */
  function start(budgets: Partial<HostFederationOptions> = {}): { controller: FederationController; stop(): Promise<void> } {
    const source = createHostFederation({
      kubeConfig,
      namespace: NAMESPACE,
      members: fast,
      statusCoalesceMs: 20,
      writesPerSecond: 1000,
      writeBurst: 100,
      ...budgets,
    });
    const controller = createController({
      federation: { name: 'fed', domain: 'example.com' },
      ownerId: 'fed-test',
      clusters: source.clusters,
      dns: { provider: dns, zone: { id: 'z1', dnsName: 'example.com.' } },
      coalesceMs: 5,
      backoff: { baseMs: 20, maxMs: 200 },
    });
    const run = source.run(controller);
    controller.start();
    return {
      controller,
      async stop() {
        await controller.stop();
        await run.stop();
      },
    };
  }

  const object = async (plural: string, name: string, namespace?: string): Promise<Json | undefined> =>
    (await (namespace === undefined
      ? custom.getClusterCustomObject({ ...group, plural, name })
      : custom.getNamespacedCustomObject({ ...group, plural, namespace, name })
    ).catch(() => undefined)) as Json | undefined;
  const condition = (o: Json | undefined, type: string): Json | undefined =>
    (o?.['status']?.['conditions'] as Json[] | undefined)?.find((c) => c['type'] === type);
  const createService = (namespace: string, name: string, extra: Json = {}, template: Json = web) =>
    custom.createNamespacedCustomObject({
      ...group,
      plural: 'federatedservices',
      namespace,
      body: federatedService(namespace, name, template, extra),
    });
  const deleteService = (namespace: string, name: string) =>
    custom.deleteNamespacedCustomObject({ ...group, plural: 'federatedservices', namespace, name });
  const shardIn = (cluster: string, namespace: string, name: string) => members[cluster]!.store.get('services', namespace, name);

  beforeAll(async () => {
    host = await FakeKubeApi.start();
    for (const crd of crdManifests()) host.installCrd(crd);
    for (const [cluster, [zone, region]] of Object.entries(ZONES)) {
      const api = await FakeKubeApi.start({ token: `token-${cluster}` });
      api.setNode(`${cluster}-node`, { 'topology.kubernetes.io/zone': zone, 'topology.kubernetes.io/region': region });
      members[cluster] = api;
    }
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromClusterAndUser({ name: 'host', server: host.url, skipTLSVerify: true }, { name: 'admin' });
    custom = kubeConfig.makeApiClient(CustomObjectsApi);
    for (const cluster of Object.keys(ZONES)) {
      host.putSecret(NAMESPACE, cluster, { token: `token-${cluster}` });
      await custom.createClusterCustomObject({
        ...group,
        plural: 'federatedclusters',
        body: federatedCluster(cluster, members[cluster]!.url),
      });
    }
  });

  afterAll(async () => {
    await Promise.all([host.stop(), ...Object.values(members).map((api) => api.stop())]);
  });

  beforeEach(() => {
    running = start();
  });

  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  test('a FederatedService deleted while no controller ran is finished by the next start', async () => {
    await createService('shop', 'cart');
    await until('shards in both clusters', () => shardIn('east', 'shop', 'cart') && shardIn('west', 'shop', 'cart'));
    await until('the finalizer', async () =>
      (await object('federatedservices', 'cart', 'shop'))?.['metadata']?.['finalizers']?.includes('fedsvc.io/shards'),
    );
    await running!.stop();
    running = undefined;
    await deleteService('shop', 'cart');
    // Held by the finalizer while nothing runs.
    expect((await object('federatedservices', 'cart', 'shop'))?.['metadata']?.['deletionTimestamp']).toBeDefined();
    running = start();
    await until('the object gone', async () => (await object('federatedservices', 'cart', 'shop')) === undefined);
    expect(shardIn('east', 'shop', 'cart')).toBeUndefined();
    expect(shardIn('west', 'shop', 'cart')).toBeUndefined();
  }, 30_000);

  test('a controller stopped mid-delete (a cluster out of reach): Deleting names it, and the next one finishes', async () => {
    await createService('shop', 'pay');
    await until('shards in both clusters', () => shardIn('east', 'shop', 'pay') && shardIn('west', 'shop', 'pay'));
    members['west']!.setOffline(true);
    try {
      await until('west Offline', async () => (await object('federatedclusters', 'west'))?.['status']?.['health'] === 'Offline');
      await deleteService('shop', 'pay');
      const deleting = await until('Deleting names west', async () => {
        const c = condition(await object('federatedservices', 'pay', 'shop'), 'Deleting');
        return c?.['status'] === 'True' && /west/.test(c['message']) ? c : undefined;
      });
      expect(deleting['message']).not.toMatch(/east/);
      expect(shardIn('east', 'shop', 'pay')).toBeUndefined();
      await running!.stop();
      running = undefined;
    } finally {
      members['west']!.setOffline(false);
    }
    running = start();
    await until('the object gone', async () => (await object('federatedservices', 'pay', 'shop')) === undefined);
    expect(shardIn('west', 'shop', 'pay')).toBeUndefined();
  }, 30_000);

  test('bad input is named where it is, and disturbs nothing else', async () => {
    await createService('shop', 'good');
    await until('good placed', () => shardIn('east', 'shop', 'good') && shardIn('west', 'shop', 'good'));
    const good = () => object('federatedservices', 'good', 'shop');
    // What the schema lets through and the federation does not: a selector's label value that is
    // none, and a target port that is neither a number nor a port name.
    await createService('shop', 'both', { placement: { clusterSelector: { matchLabels: { tier: 'edge tier!' } } } });
    const validOf = async (name: string) => condition(await object('federatedservices', name, 'shop'), 'Valid');
    const invalid = await until('Valid False', async () => (await validOf('both'))?.['status'] === 'False' && validOf('both'));
    expect(invalid?.['reason']).toBe('InvalidSpec');
    expect(invalid?.['message']).toMatch(/spec\.placement\.clusterSelector/);
    await createService('shop', 'port', {}, { ...web, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'Not A Name!' }] });
    const badPort = await until('Valid False', async () => (await validOf('port'))?.['status'] === 'False' && validOf('port'));
    expect(badPort?.['message']).toMatch(/spec\.template\.spec\.ports\[0\]\.targetPort/);
    expect(shardIn('east', 'shop', 'both')).toBeUndefined();
    expect(shardIn('east', 'shop', 'port')).toBeUndefined();

    // A Secret of garbage, and a FederatedCluster whose Secret does not exist.
    host.putSecret(NAMESPACE, 'garbage', { token: '\u0000\u0001 not a token' });
    await custom.createClusterCustomObject({
      ...group,
      plural: 'federatedclusters',
      body: federatedCluster('garbage', members['east']!.url),
    });
    await custom.createClusterCustomObject({
      ...group,
      plural: 'federatedclusters',
      body: federatedCluster('nowhere', 'https://127.0.0.1:9'),
    });
    const garbage = await until('garbage named', async () => (await object('federatedclusters', 'garbage'))?.['status']);
    expect(garbage['reason']).toMatch(/data\.token/);
    const nowhere = await until('missing Secret named', async () => (await object('federatedclusters', 'nowhere'))?.['status']);
    expect(nowhere['reason']).toMatch(/Secret fedsvc-system\/nowhere/);
    // Nothing else moved: the good service keeps its two healthy shards.
    expect(shardIn('east', 'shop', 'good')).toBeDefined();
    expect(((await good())?.['status']?.['clusters'] as Json[] | undefined)?.map((c) => c['name']).sort()).toEqual(['east', 'west']);
    expect((await object('federatedclusters', 'east'))?.['status']?.['health']).toBe('Ready');
  }, 30_000);

  test('a FederatedCluster stored with half a topology override joins by its nodes, its status naming the field ignored', async () => {
    // Stored as an object from before the schema refused it: straight into the store, past admission.
    const partial = await FakeKubeApi.start({ token: 'token-partial' });
    try {
      partial.setNode('partial-node', { 'topology.kubernetes.io/zone': 'us-south1-a', 'topology.kubernetes.io/region': 'us-south1' });
      host.putSecret(NAMESPACE, 'partial', { token: 'token-partial' });
      await createService('shop', 'steady-too');
      await until('placed', () => shardIn('east', 'shop', 'steady-too') && shardIn('west', 'shop', 'steady-too'));
      const east = await object('federatedclusters', 'east');
      const body = federatedCluster('partial', partial.url);
      host.store.put(
        'federatedclusters.fedsvc.io',
        { ...body, spec: { ...(body['spec'] as Json), topology: { zones: ['us-south1-z'] } } },
        [],
      );
      const override = await until('TopologyOverride', async () =>
        condition(await object('federatedclusters', 'partial'), 'TopologyOverride'),
      );
      expect(override).toMatchObject({ status: 'False', reason: 'Incomplete' });
      expect(override?.['message']).toMatch(/^spec\.topology\.zones: .*without spec\.topology\.region.*\["us-south1-z"\]/);
      const status = await until('Ready by its nodes', async () => {
        const s = (await object('federatedclusters', 'partial'))?.['status'];
        return s?.['health'] === 'Ready' && s;
      });
      expect(status).toMatchObject({ region: 'us-south1', zones: ['us-south1-a'] });
      await until('its shard', () => partial.store.get('services', 'shop', 'steady-too'));
      // Nothing else moved: the other clusters' status and shards are as they were.
      expect((await object('federatedclusters', 'east'))?.['status']).toEqual(east?.['status']);
      expect(shardIn('west', 'shop', 'steady-too')).toBeDefined();
    } finally {
      host.deleteObject('federatedclusters.fedsvc.io', undefined, 'partial');
      await partial.stop();
    }
  }, 30_000);

  test('a changed Secret is used without a restart, and withdraws nothing', async () => {
    await createService('shop', 'rotate');
    await until('placed', () => shardIn('west', 'shop', 'rotate'));
    const before = members['west']!.requests.length;
    host.putSecret(NAMESPACE, 'west', { token: 'token-west-2' });
    await until('the new token used', () => members['west']!.requests.slice(before).some((r) => r.authorization === 'Bearer token-west-2'));
    expect(shardIn('west', 'shop', 'rotate')).toBeDefined();
    host.putSecret(NAMESPACE, 'west', { token: 'token-west' });
  }, 30_000);

  test('steady state: resyncs write no status', async () => {
    await createService('shop', 'steady');
    await until(
      'status written',
      async () => (await object('federatedservices', 'steady', 'shop'))?.['status']?.['clusters']?.length === 2,
    );
    await until('placed', () => shardIn('east', 'shop', 'steady'));
    members['east']!.setIngress('shop', 'steady', [{ ip: '203.0.113.7' }]);
    members['east']!.putEndpointSlice(endpointSlice('shop', 'steady', 'steady-1', 1));
    await until('healthy', async () => (await object('federatedservices', 'steady', 'shop'))?.['status']?.['healthyClusters'] === '1/2');
    await running!.controller.idle();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const writes = () => host.requests.filter((r) => r.method === 'PATCH').length;
    const before = writes();
    for (let i = 0; i < 3; i++) {
      running!.controller.resync();
      await running!.controller.idle();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(writes()).toBe(before);
  }, 30_000);

  test('Events have a budget of their own: with it spent, every status and finalizer is still written', async () => {
    await running!.stop();
    running = start({ eventsPerSecond: 0.001, eventBurst: 1 });
    const names = ['one', 'two', 'three'];
    for (const name of names) await createService('budget', name);
    for (const name of names) {
      await until(`${name}: status and finalizer written`, async () => {
        const written = await object('federatedservices', name, 'budget');
        return written?.['status']?.['clusters']?.length === 2 && written['metadata']?.['finalizers']?.includes('fedsvc.io/shards');
      });
    }
    // Six shards created (and DNS updated) would make many Events; the bucket held one.
    expect(host.listEvents('budget')).toHaveLength(1);
  }, 30_000);
});
