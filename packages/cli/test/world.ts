// The guide's federation on local fixtures: a host cluster and 13 member clusters (the
// Kubernetes API wire fixture), BIND 9 serving example.com, and the files a config names.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordSet } from '@fedsvc/core';
import { guideClusterName, guideNginx, guideZones, regionOfZone } from '@fedsvc/core/testing';
import { createRfc2136Provider } from '@fedsvc/dns-rfc2136';
import { type BindOptions, type BindServer, startBind } from '@fedsvc/dns-rfc2136/testing';
import { FakeKubeApi, writeKubeconfig } from '@fedsvc/kubernetes/testing';
import { stringify } from 'yaml';

export interface World {
  readonly host: FakeKubeApi;
  readonly members: ReadonlyMap<string, FakeKubeApi>;
  readonly bind: BindServer;
  readonly dir: string;
  /** The config of the guide's federation on these fixtures. */
  readonly config: Record<string, unknown>;
  /** Writes a config file; returns its path. */
  writeConfig(config: unknown, name?: string): Promise<string>;
  /** The zone's record sets, read by AXFR. */
  zone(): Promise<readonly RecordSet<string>[]>;
  /** Every request any API fixture has had. */
  requestCount(): number;
  stop(): Promise<void>;
}

/** `bind`: options of the BIND server, e.g. `updates: false` for one that refuses every UPDATE. */
export async function startWorld(options: { bind?: Pick<BindOptions, 'updates'> } = {}): Promise<World> {
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
  const bind = await startBind({ zones: ['example.com'], records: ['www 300 IN A 192.0.2.1'], ...options.bind });
  const secretFile = join(dir, 'tsig-secret');
  await writeFile(secretFile, `${bind.key.secret}\n`, { mode: 0o600 });
  const nginxFile = join(dir, 'nginx.yaml');
  await writeFile(nginxFile, stringify(guideNginx.manifest));
  const config = {
    host: { context: 'host', kubeconfig: kubeconfig.path, namespace: 'fedsvc-system' },
    members: { contexts: [...members.keys()], kubeconfig: kubeconfig.path },
    services: { files: [nginxFile] },
    federation: { name: 'myfederation', domain: 'example.com', ttl: 30 },
    dns: {
      provider: 'rfc2136',
      zone: 'example.com.',
      rfc2136: {
        server: bind.host,
        port: bind.port,
        tsigName: bind.key.name,
        tsigAlgorithm: bind.key.algorithm,
        tsigSecretFile: secretFile,
      },
    },
    ownerId: 'fedsvc-cli-test',
    leaderElection: { name: 'fedsvc-cli-test', leaseDuration: '4s', renewDeadline: '3s', retryPeriod: '500ms' },
    log: { level: 'info', format: 'json' },
    http: { listen: '127.0.0.1:0' },
  };
  const provider = createRfc2136Provider({ server: { host: bind.host, port: bind.port }, zones: ['example.com'], tsig: bind.key });
  const zone = { id: 'example.com.', dnsName: 'example.com.' };
  let configs = 0;
  return {
    host,
    members,
    bind,
    dir,
    config,
    async writeConfig(value, name = `config-${++configs}.yaml`) {
      const path = join(dir, name);
      await writeFile(path, typeof value === 'string' ? value : stringify(value));
      return path;
    },
    zone: () => provider.records(zone),
    requestCount: () => host.requests.length + [...members.values()].reduce((n, api) => n + api.requests.length, 0),
    async stop() {
      await Promise.all([host.stop(), ...[...members.values()].map((api) => api.stop()), bind.stop()]);
      await kubeconfig.remove();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
