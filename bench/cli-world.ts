// A federation for `fedsvc run` to converge, on local fixtures: a host cluster (the Kubernetes
// API wire fixture with the package's CRDs) holding FederatedServices, FederatedClusters and
// their Secrets; one API server per member cluster, in worker threads (`members.ts`), which
// also plays the cloud controller and the kubelets (a shard Service created gets its load
// balancer address and its EndpointSlice, as the plan input says); BIND 9 serving the zone,
// behind a proxy that counts the UPDATEs.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DnsZone, type FederationPlanInput, type RecordSet, type ServiceRef, diffRecords, planFederation } from '@fedsvc/core';
import { createRfc2136Provider } from '@fedsvc/dns-rfc2136';
import { type BindServer, type DnsProxy, startBind, startDnsProxy } from '@fedsvc/dns-rfc2136/testing';
import { crdManifests } from '@fedsvc/kubernetes';
import { FakeKubeApi, type JsonObject, federatedCluster, federatedService, writeKubeconfig } from '@fedsvc/kubernetes/testing';
import { type AnsweredShard, type MemberFixtures, startMembers } from './members.js';

export const NAMESPACE = 'fedsvc-system';
export const OWNER = 'fedsvc-bench';
const FSVC = 'federatedservices.fedsvc.io';
const zone: DnsZone = { id: 'example.com.', dnsName: 'example.com.' };

export interface CliWorld {
  readonly input: FederationPlanInput;
  readonly host: FakeKubeApi;
  /** The member clusters' API servers, in worker threads. */
  readonly members: MemberFixtures;
  readonly bind: BindServer;
  /** In front of BIND: the process and the in-process anchor write through it. */
  readonly proxy: DnsProxy;
  readonly kubeconfig: string;
  /** The `fedsvc run` config of this federation. */
  readonly configFile: string;
  /** Whether the zone, read by a whole transfer from BIND itself, holds every record set of the plan and nothing else of ours. */
  holdsPlan(): Promise<boolean>;
  /** The changes the zone still needs to hold the plan, and how many an empty zone needs. */
  changesLeft(): Promise<{ left: number; fromEmpty: number }>;
  /** When the last FederatedService got a status naming every member cluster; undefined until then. */
  readonly statusesWrittenAt: () => number | undefined;
  /** Requests to the host cluster that wrote something other than the Lease (statuses, finalizers, Events). */
  hostWrites(): number;
  stop(): Promise<void>;
}

/** One API server per member cluster, in worker threads; each answers its shards as the plan input says. */
function startMembersOf(input: FederationPlanInput): Promise<MemberFixtures> {
  const byCluster = new Map<string, AnsweredShard[]>(input.clusters.map((c) => [c.name, []]));
  for (const { service, shards } of input.services)
    for (const shard of shards)
      byCluster.get(shard.cluster)?.push({
        service: `${service.namespace}/${service.name}`,
        addresses: shard.addresses,
        readyEndpoints: shard.readyEndpoints,
      });
  return startMembers(
    input.clusters.map((cluster) => ({
      name: cluster.name,
      token: `token-${cluster.name}`,
      zone: cluster.zones[0]!,
      region: cluster.region,
      shards: byCluster.get(cluster.name)!,
    })),
  );
}

/** What an administrator applies to the host cluster: CRDs, a FederatedCluster and Secret per member, a FederatedService per service. */
function applyResources(host: FakeKubeApi, input: FederationPlanInput, members: MemberFixtures, template: (s: ServiceRef) => JsonObject) {
  for (const crd of crdManifests()) host.installCrd(crd);
  input.clusters.forEach((cluster, c) => {
    host.putSecret(NAMESPACE, cluster.name, { token: `token-${cluster.name}` });
    host.putObject('federatedclusters.fedsvc.io', federatedCluster(cluster.name, members.urls[c]!));
  });
  for (const { service } of input.services) host.putObject(FSVC, federatedService(service.namespace, service.name, template(service)));
}

/** When every FederatedService's status names every member cluster, from the host's own store. */
function watchStatuses(host: FakeKubeApi, input: FederationPlanInput): () => number | undefined {
  const complete = new Set<string>();
  let at: number | undefined;
  host.store.subscribe((event) => {
    if (event.resource !== FSVC || event.type !== 'MODIFIED') return;
    const { namespace, name } = event.object['metadata'] as { namespace: string; name: string };
    const clusters = (event.object['status'] as { clusters?: unknown[] } | undefined)?.clusters?.length ?? 0;
    if (clusters === input.clusters.length) complete.add(`${namespace}/${name}`);
    if (at === undefined && complete.size === input.services.length) at = performance.now();
  });
  return () => at;
}

/**
 * Starts the fixtures of `input` (the federation's TTL is the config's); `template` is each
 * FederatedService's Service spec, `memberSettings` the config's `members` fields beyond the
 * FederatedClusters (timeouts).
 */
export async function startCliWorld(
  input: FederationPlanInput,
  template: (service: ServiceRef) => JsonObject,
  memberSettings: Readonly<Record<string, string>> = {},
): Promise<CliWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'fedsvc-cli-bench-'));
  const host = await FakeKubeApi.start();
  const members = await startMembersOf(input);
  applyResources(host, input, members, template);
  const statusesWrittenAt = watchStatuses(host, input);
  const kubeconfig = await writeKubeconfig([{ context: 'host', server: host.url }]);
  const bind = await startBind({ zones: [zone.dnsName] });
  const proxy = await startDnsProxy({ host: bind.host, port: bind.port });
  const secretFile = join(dir, 'tsig-secret');
  await writeFile(secretFile, `${bind.key.secret}\n`, { mode: 0o600 });
  const { name, domain, ttl } = input.federation;
  const config = {
    host: { context: 'host', kubeconfig: kubeconfig.path, namespace: NAMESPACE },
    members: { federatedClusters: true, ...memberSettings },
    federation: { name, domain, ttl },
    dns: {
      provider: 'rfc2136',
      zone: zone.dnsName,
      rfc2136: {
        server: proxy.host,
        port: proxy.port,
        tsigName: bind.key.name,
        tsigAlgorithm: bind.key.algorithm,
        tsigSecretFile: secretFile,
      },
    },
    ownerId: OWNER,
    log: { level: 'info', format: 'json' },
    http: { listen: '127.0.0.1:0' },
  };
  const configFile = join(dir, 'fedsvc.yaml');
  // JSON is YAML.
  await writeFile(configFile, JSON.stringify(config, null, 2));
  // A whole transfer of a large zone is one exchange: give it time.
  const reader = createRfc2136Provider({
    server: { host: bind.host, port: bind.port },
    zones: [zone.dnsName],
    tsig: bind.key,
    timeoutMs: 120_000,
  });
  const desired: readonly RecordSet[] = planFederation(input);
  return {
    input,
    host,
    members,
    bind,
    proxy,
    kubeconfig: kubeconfig.path,
    configFile,
    async holdsPlan() {
      const left = diffRecords(await reader.records(zone), desired, { ownerId: OWNER });
      return left.changes.length === 0 && left.conflicts.length === 0;
    },
    async changesLeft() {
      return {
        left: diffRecords(await reader.records(zone), desired, { ownerId: OWNER }).changes.length,
        fromEmpty: diffRecords([], desired, { ownerId: OWNER }).changes.length,
      };
    },
    statusesWrittenAt,
    // The leader renews its Lease every few seconds, idle or not.
    hostWrites: () => host.requests.filter((r) => r.method !== 'GET' && !r.path.includes('/leases/')).length,
    async stop() {
      await proxy.close();
      await Promise.all([host.stop(), members.stop(), bind.stop()]);
      await kubeconfig.remove();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export { zone as benchZone };
