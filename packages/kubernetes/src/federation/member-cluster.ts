// A FederatedCluster and the Secret it names → the member cluster the federation watches: one
// rule for the host source that keeps the federation in sync and for whatever reads it once.
import type { KubeConfigCluster } from '../options.js';
import type { ValidationError } from '@fedsvc/core/provider';
import { type FederatedClusterSpec, decodeFederatedCluster, incompleteTopology } from './federated-cluster.js';
import { memberKubeConfig } from './member-kubeconfig.js';

/** A Secret as the API server sends it (`stringData` never comes back). */
export interface MemberSecret {
  readonly data?: Readonly<Record<string, string>>;
}

/** A member cluster as its FederatedCluster and Secret make it. */
export interface FederatedMember {
  /** The decoded FederatedCluster. */
  readonly spec: FederatedClusterSpec;
  /** The Secret its credentials came from. */
  readonly secret: MemberSecret;
  /** What the member clusters source takes: its name, KubeConfig, labels, and the topology override. */
  readonly cluster: KubeConfigCluster;
  /** Why `spec.topology` is not the cluster's topology (see {@link incompleteTopology}); undefined when it is whole or absent. */
  readonly ignoredTopology?: ValidationError;
}

/**
 * The member cluster a FederatedCluster object makes, its credentials from the Secret of
 * `namespace` that `spec.secretRef` names. Topology: the FederatedCluster's
 * `spec.topology` overrides the nodes' labels when it gives both a region and zones; given only
 * one of them, the nodes' labels decide and `ignoredTopology` says which field was ignored. Pure.
 *
 * @param namespace - The only namespace Secrets are read in (the source's own); the default of `spec.secretRef.namespace`.
 * @param secretNamed - The Secret of `namespace` by name; undefined when there is none.
 * @throws {@link ValidationError} naming the object's field (see {@link decodeFederatedCluster}) or the
 * Secret's key (see {@link memberKubeConfig}); an Error naming `spec.secretRef` when the Secret is
 * in another namespace or missing.
 */
export function federatedMember(
  object: unknown,
  namespace: string,
  secretNamed: (name: string) => MemberSecret | undefined,
): FederatedMember {
  const spec = decodeFederatedCluster(object, namespace);
  const { namespace: secretNamespace, name: secretName } = spec.secretRef;
  if (secretNamespace !== namespace)
    throw new Error(`spec.secretRef.namespace: ${secretNamespace}: Secrets are read in namespace ${namespace} only`);
  const secret = secretNamed(secretName);
  if (secret === undefined) throw new Error(`spec.secretRef: Secret ${secretNamespace}/${secretName} not found`);
  const kubeConfig = memberKubeConfig(spec, secret);
  const { zones, region } = spec.topology ?? {};
  const topology = zones !== undefined && region !== undefined ? { zones, region } : undefined;
  const ignoredTopology = incompleteTopology(spec.topology);
  return {
    spec,
    secret,
    cluster: { name: spec.name, kubeConfig, labels: spec.labels, ...(topology ? { topology } : {}) },
    ...(ignoredTopology ? { ignoredTopology } : {}),
  };
}
