// `fedsvc check`: tries every connection the config names and says what works.
import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '@fedsvc/core';
import type { ClusterStatus } from '@fedsvc/core/provider';
import { hostCluster } from '../config/clusters.js';
import type { Setup } from '../config/setup.js';
import { listFederation } from '../resources.js';
import { inConfigTerms, resolveZone } from '../zone.js';

/** How long the member clusters have to answer. */
export const CHECK_DEADLINE_MS = 15_000;

/** One connection tried: what, and what came of it. */
export interface CheckResult {
  readonly ok: boolean;
  readonly what: string;
  readonly detail: string;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function checkDns(setup: Setup): Promise<CheckResult[]> {
  const what = `dns (${setup.provider.name}) zone ${setup.zone.id ?? setup.zone.dnsName}`;
  try {
    const zone = await resolveZone(setup);
    const records = await setup.provider.records(zone).catch((error: unknown) => {
      throw inConfigTerms(setup, error);
    });
    return [{ ok: true, what, detail: `found (id ${zone.id}); read ${records.length} record sets` }];
  } catch (error) {
    return [{ ok: false, what, detail: message(error) }];
  }
}

/** Each member cluster's first status (its readiness probe), or silence past the deadline. */
async function checkMembers(setup: Setup, logger: Logger): Promise<CheckResult[]> {
  let clusters: Setup['clusters'] = setup.clusters;
  // In resource mode the members are the FederatedClusters the host cluster lists now.
  if (setup.host !== undefined) {
    try {
      clusters = (await listFederation(setup.config, logger)).clusters;
    } catch (error) {
      return [{ ok: false, what: `host ${setup.config.host.context ?? 'in-cluster'} FederatedClusters`, detail: message(error) }];
    }
  }
  const names = clusters.clusters;
  const field = setup.host === undefined ? (i: number) => `members.contexts[${i}]` : () => 'FederatedCluster';
  const heard = new Map<string, ClusterStatus>();
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  const watch = clusters.watch((event) => {
    if (event.type === 'cluster' && !heard.has(event.cluster.name)) heard.set(event.cluster.name, event.cluster);
    if (heard.size === names.length) done();
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, CHECK_DEADLINE_MS)))]);
  clearTimeout(timer);
  await watch.stop();
  return names.map((name, i) => {
    const status = heard.get(name);
    const what = `${field(i)} ${name}`;
    if (!status) return { ok: false, what, detail: `no answer within ${CHECK_DEADLINE_MS / 1000} s` };
    const where = `${status.region || '?'} (${status.zones.join(', ') || 'no zones'})`;
    return { ok: status.health === 'Ready', what, detail: `${status.health}${status.reason ? `: ${status.reason}` : ''}; ${where}` };
  });
}

/** The host cluster: the Lease can be read (absent is fine: the first leader creates it). */
async function checkHost(setup: Setup): Promise<CheckResult[]> {
  const { config } = setup;
  if (!config.leaderElection.enabled && config.host.context === undefined && !config.host.inCluster) return [];
  const what = `host ${config.host.context ?? 'in-cluster'} lease ${config.host.namespace}/${config.leaderElection.name}`;
  try {
    const source = hostCluster(config);
    const kubeConfig = 'kubeConfig' in source ? source.kubeConfig : new KubeConfig();
    if ('context' in source) {
      if (source.kubeconfig === undefined) kubeConfig.loadFromDefault();
      else kubeConfig.loadFromFile(source.kubeconfig);
      kubeConfig.setCurrentContext(source.context);
    } else if ('server' in source) {
      kubeConfig.loadFromClusterAndUser(
        { name: source.name, server: source.server, caData: source.caData, skipTLSVerify: false },
        { name: source.name, token: source.token },
      );
    }
    const api = kubeConfig.makeApiClient(CoordinationV1Api);
    const lease = await api
      .readNamespacedLease({ name: config.leaderElection.name, namespace: config.host.namespace })
      .catch((error: unknown) => {
        if ((error as { code?: number }).code === 404) return undefined;
        throw error;
      });
    return [
      {
        ok: true,
        what,
        detail: lease ? `held by ${lease.spec?.holderIdentity || 'nobody'}` : 'not created yet (the first leader creates it)',
      },
    ];
  } catch (error) {
    return [{ ok: false, what, detail: message(error).split('\n')[0] ?? '' }];
  }
}

/** Tries every connection at once; prints a line each; resolves 0 when all work, 1 otherwise. */
export async function check(setup: Setup, logger: Logger, out: NodeJS.WritableStream): Promise<number> {
  const results = (await Promise.all([checkHost(setup), checkMembers(setup, logger), checkDns(setup)])).flat();
  for (const result of results) out.write(`${result.ok ? 'ok  ' : 'FAIL'}  ${result.what}: ${result.detail}\n`);
  return results.every((result) => result.ok) ? 0 : 1;
}
