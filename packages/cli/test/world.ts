// The guide's federation on local fixtures: a host cluster and 13 member clusters (the
// Kubernetes API wire fixture), a DNS server serving example.com (BIND 9 unless another is
// asked for), and the files a config names.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordSet } from '@fedsvc/core';
import { guideClusterName, guideHealthyAddresses, guideNginx, guideZones, regionOfZone } from '@fedsvc/core/testing';
import { FakeKubeApi, endpointSlice, writeKubeconfig } from '@fedsvc/kubernetes/testing';
import { stringify } from 'yaml';
import { type DnsBackend, type DnsServer, DNS_BACKENDS } from './dns-servers.js';
import { cleanEnv, until } from './harness.js';

/** The guide's nginx's global name. */
export const GUIDE_GLOBAL = 'nginx.mynamespace.myfederation.svc.example.com.';

export interface World {
  readonly host: FakeKubeApi;
  readonly members: ReadonlyMap<string, FakeKubeApi>;
  readonly dns: DnsServer;
  readonly dir: string;
  /** The config of the guide's federation on these fixtures. */
  readonly config: Record<string, unknown>;
  /** The environment of a `fedsvc` child on these fixtures (cleanEnv's, with what the DNS server asks), with `extra`. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** Writes a config file; returns its path. */
  writeConfig(config: unknown, name?: string): Promise<string>;
  /** The zone's record sets, read through the DNS adapter. */
  zone(): Promise<readonly RecordSet<string>[]>;
  /** Every request any API fixture has had. */
  requestCount(): number;
  /**
   * The guide's nginx comes up once `fedsvc` has placed it: waits for its shard in every member
   * cluster, gives each its load balancer's address and pods ready in 8 of the 13 zones, and
   * waits for the global name to hold the 8 healthy addresses.
   */
  guideNginxUp(): Promise<void>;
  stop(): Promise<void>;
}

export async function startWorld(backend: DnsBackend = DNS_BACKENDS[0]!): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), 'fedsvc-cli-'));
  const host = await FakeKubeApi.start();
  const members = new Map<string, FakeKubeApi>();
  for (const zone of guideZones) {
    const api = await FakeKubeApi.start();
    api.setNode(`node-${zone}`, { 'topology.kubernetes.io/zone': zone, 'topology.kubernetes.io/region': regionOfZone(zone) });
    members.set(guideClusterName(zone), api);
  }
  const kubeconfig = await writeKubeconfig([
    { context: 'host', server: host.url },
    ...[...members].map(([context, api]) => ({ context, server: api.url })),
  ]);
  const dns = await backend.start(dir);
  const nginxFile = join(dir, 'nginx.yaml');
  await writeFile(nginxFile, stringify(guideNginx.manifest));
  const config = {
    host: { context: 'host', kubeconfig: kubeconfig.path, namespace: 'fedsvc-system' },
    members: { contexts: [...members.keys()], kubeconfig: kubeconfig.path },
    services: { files: [nginxFile] },
    federation: { name: 'myfederation', domain: 'example.com', ttl: 30 },
    dns: dns.dns,
    ownerId: 'fedsvc-cli-test',
    leaderElection: { name: 'fedsvc-cli-test', leaseDuration: '4s', renewDeadline: '3s', retryPeriod: '500ms' },
    log: { level: 'info', format: 'json' },
    http: { listen: '127.0.0.1:0' },
  };
  let configs = 0;
  return {
    host,
    members,
    dns,
    dir,
    config,
    env: (extra = {}) => cleanEnv({ ...dns.env, ...extra }),
    async writeConfig(value, name = `config-${++configs}.yaml`) {
      const path = join(dir, name);
      await writeFile(path, typeof value === 'string' ? value : stringify(value));
      return path;
    },
    zone: () => dns.zone(),
    requestCount: () => host.requests.length + [...members.values()].reduce((n, api) => n + api.requests.length, 0),
    async guideNginxUp() {
      await until('a shard in every member cluster', () =>
        [...members.values()].every((api) => api.store.get('services', 'mynamespace', 'nginx') !== undefined),
      );
      guideZones.forEach((zone, i) => {
        const api = members.get(guideClusterName(zone))!;
        api.setIngress('mynamespace', 'nginx', [{ ip: guideHealthyAddresses[zone] ?? `203.0.113.${i + 1}` }]);
        api.putEndpointSlice(endpointSlice('mynamespace', 'nginx', `nginx-${zone}`, zone in guideHealthyAddresses ? 1 : 0));
      });
      const healthy = JSON.stringify(Object.values(guideHealthyAddresses).sort());
      await until(
        'the global name holds the 8 healthy addresses',
        async () =>
          JSON.stringify([...((await dns.zone()).find((r) => r.name === GUIDE_GLOBAL && r.type === 'A')?.rrdatas ?? [])].sort()) ===
          healthy,
        60_000,
      );
    },
    async stop() {
      await Promise.all([host.stop(), ...[...members.values()].map((api) => api.stop()), dns.stop()]);
      await kubeconfig.remove();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
