// The federation's resources read once from the host cluster, for the commands that write
// nothing (`plan`, `status`, `check`): the host source would write status and finalizers, so these
// list the FederatedServices, the FederatedClusters and the Secrets of host.namespace, and make
// them into services and member clusters with the host source's own functions.
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { FederatedService, Logger } from '@fedsvc/core';
import {
  type ClusterSource,
  type KubernetesClusters,
  createKubernetesClusters,
  decodeFederatedService,
  federatedMember,
  inClusterKubeConfig,
} from '@fedsvc/kubernetes';
import { memberOptions } from './config/clusters.js';
import type { FedsvcConfig } from './config/config.js';

const GROUP = 'fedsvc.io';
const VERSION = 'v1alpha1';

/** What the host cluster holds of the federation now. */
export interface ListedFederation {
  readonly services: readonly FederatedService[];
  readonly clusters: KubernetesClusters;
}

/** The host cluster's KubeConfig: its context, or in-cluster (a rotated token read again). */
function hostKubeConfig(config: FedsvcConfig): KubeConfig {
  const { context, kubeconfig } = config.host;
  if (context === undefined) return inClusterKubeConfig();
  const kubeConfig = new KubeConfig();
  if (kubeconfig === undefined) kubeConfig.loadFromDefault();
  else kubeConfig.loadFromFile(kubeconfig);
  kubeConfig.setCurrentContext(context);
  return kubeConfig;
}

const itemsOf = (list: unknown): unknown[] => ((list as { items?: unknown[] }).items ?? []) as unknown[];
const nameOf = (item: unknown): string => {
  const metadata = (item as { metadata?: { namespace?: string; name?: string } }).metadata;
  return [metadata?.namespace, metadata?.name].filter((part) => part !== undefined).join('/');
};

/** Each valid FederatedService; an invalid one is logged and left out, as the host source does. */
async function listServices(custom: CustomObjectsApi, logger: Logger): Promise<FederatedService[]> {
  const list = await custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: 'federatedservices' });
  return itemsOf(list).flatMap((item) => {
    try {
      return [decodeFederatedService(item)];
    } catch (error) {
      logger.warn({ federatedService: nameOf(item), error: (error as Error).message }, 'FederatedService left out: invalid');
      return [];
    }
  });
}

/**
 * Each FederatedCluster whose spec and Secret are usable, as the member cluster the host source
 * makes of it (labels and topology override included); the others logged and left out, and a
 * topology override ignored for want of its other half logged.
 */
async function listClusters(kubeConfig: KubeConfig, config: FedsvcConfig, logger: Logger): Promise<ClusterSource[]> {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const { namespace } = config.host;
  const [list, secrets] = await Promise.all([
    custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: 'federatedclusters' }),
    core.listNamespacedSecret({ namespace }),
  ]);
  const secretNamed = (name: string) => secrets.items.find((secret) => secret.metadata?.name === name);
  return itemsOf(list).flatMap((item) => {
    try {
      const { cluster, ignoredTopology } = federatedMember(item, namespace, secretNamed);
      if (ignoredTopology)
        logger.warn({ federatedCluster: nameOf(item), error: ignoredTopology.message }, 'FederatedCluster topology override ignored');
      return [cluster];
    } catch (error) {
      logger.warn({ federatedCluster: nameOf(item), error: (error as Error).message }, 'FederatedCluster left out: unusable');
      return [];
    }
  });
}

/** Lists the federation's services and member clusters once from the host cluster; nothing is written. */
export async function listFederation(config: FedsvcConfig, logger: Logger): Promise<ListedFederation> {
  const kubeConfig = hostKubeConfig(config);
  const [services, sources] = await Promise.all([
    listServices(kubeConfig.makeApiClient(CustomObjectsApi), logger),
    listClusters(kubeConfig, config, logger),
  ]);
  return { services, clusters: createKubernetesClusters({ clusters: sources, logger, ...memberOptions(config) }) };
}
