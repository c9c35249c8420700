// The guide's federation on local fixtures: a host cluster and 13 member clusters (the
// Kubernetes API wire fixture), a DNS server serving example.com (BIND 9 unless another is
// asked for), and the files a config names.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordSet } from '@fedsvc/core';
import { guideClusterName, guideNginx, guideZones, regionOfZone } from '@fedsvc/core/testing';
import { FakeKubeApi, writeKubeconfig } from '@fedsvc/kubernetes/testing';
import { stringify } from 'yaml';
import { type DnsBackend, type DnsServer, DNS_BACKENDS } from './dns-servers.js';
import { cleanEnv } from './harness.js';

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
    async stop() {
      await Promise.all([host.stop(), ...[...members.values()].map((api) => api.stop()), dns.stop()]);
      await kubeconfig.remove();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
