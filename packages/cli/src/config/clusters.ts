// The member clusters and the host cluster's Lease from the config, built by @fedsvc/kubernetes,
// which checks each kubeconfig and context. It is loaded only by the commands that need it.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { type LeaderElection, type Logger, ValidationError } from '@fedsvc/core';
import type { ClusterSource, HostFederation, KubernetesClusters, KubernetesClustersOptions } from '@fedsvc/kubernetes';
import type { FedsvcConfig } from './config.js';
import { collect } from './problems.js';

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The member clusters the controller is given, and in resource mode the host source that names them. */
export interface MemberSource {
  readonly clusters: KubernetesClusters | HostFederation['clusters'];
  /** Present in resource mode (`members.federatedClusters`). */
  readonly host?: HostFederation;
}

/** The settings of every member cluster, whichever names them: as @fedsvc/kubernetes takes them. */
export type MemberOptions = Pick<
  KubernetesClustersOptions,
  'requestTimeoutMs' | 'syncTimeoutMs' | 'pageSize' | 'healthPeriodMs' | 'probeTimeoutMs' | 'failureThreshold' | 'successThreshold'
>;

/** The config's `members.*` settings, as @fedsvc/kubernetes names them. Pure. */
export function memberOptions(config: FedsvcConfig): MemberOptions {
  const { requestTimeoutMs, syncTimeoutMs, pageSize, healthPeriodMs, probeTimeoutMs, failureThreshold, successThreshold } = config.members;
  return { requestTimeoutMs, syncTimeoutMs, pageSize, healthPeriodMs, probeTimeoutMs, failureThreshold, successThreshold };
}

/** The library's option names → the config's fields. */
const MEMBER_OPTION_FIELDS: [string, string][] = [
  ['options.requestTimeoutMs', 'members.requestTimeout'],
  ['options.syncTimeoutMs', 'members.syncTimeout'],
  ['options.pageSize', 'members.pageSize'],
  ['options.healthPeriodMs', 'members.healthPeriod'],
  ['options.probeTimeoutMs', 'members.probeTimeout'],
  ['options.failureThreshold', 'members.failureThreshold'],
  ['options.successThreshold', 'members.successThreshold'],
];

/** The member clusters: a host source's FederatedClusters, or kubeconfig contexts; undefined with the problems added. */
export async function memberClusters(config: FedsvcConfig, logger: Logger, problems: ValidationError[]): Promise<MemberSource | undefined> {
  const { contexts, kubeconfig, federatedClusters } = config.members;
  const { createKubernetesClusters } = await import('@fedsvc/kubernetes');
  // Each setting on its own, so that every bad one is reported, beside the clusters' problems.
  const options = memberOptions(config);
  const optionsBefore = problems.length;
  for (const [option, value] of Object.entries(options))
    collect(problems, MEMBER_OPTION_FIELDS, () => createKubernetesClusters({ clusters: [], [option]: value }));
  const optionsBad = problems.length > optionsBefore;
  if (federatedClusters) {
    // Its own checks still run; the settings, refused already, are left to their defaults there.
    const host = await hostFederation(config, optionsBad ? {} : options, logger, problems);
    return host === undefined || optionsBad ? undefined : { clusters: host.clusters, host };
  }
  if (contexts.length === 0) {
    problems.push(new ValidationError('members.contexts', contexts, 'must name at least one member cluster (a kubeconfig context)'));
    return undefined;
  }
  const sources = contexts.map((context): ClusterSource => ({ context, ...(kubeconfig === undefined ? {} : { kubeconfig }) }));
  const before = problems.length;
  // One at a time, so that every bad context is reported, not just the first.
  sources.forEach((source, i) =>
    collect(
      problems,
      [
        ['options.clusters[0].kubeconfig', 'members.kubeconfig'],
        ['options.clusters[0]', `members.contexts[${i}]`],
      ],
      () => createKubernetesClusters({ clusters: [source] }),
    ),
  );
  if (problems.length > before || optionsBad) return undefined;
  const clusters = collect(problems, [['options.clusters', 'members.contexts']], () =>
    createKubernetesClusters({ clusters: sources, logger, ...options }),
  );
  return clusters === undefined ? undefined : { clusters };
}

/**
 * The host source of resource mode: FederatedServices and FederatedClusters in the host cluster
 * (its context, or in-cluster with a token read again when rotated). Its member clusters are the
 * FederatedClusters only: it takes no others, so kubeconfig contexts besides them are a problem.
 */
async function hostFederation(
  config: FedsvcConfig,
  options: MemberOptions,
  logger: Logger,
  problems: ValidationError[],
): Promise<HostFederation | undefined> {
  const { context, inCluster, kubeconfig, namespace } = config.host;
  const before = problems.length;
  if (config.members.contexts.length > 0)
    problems.push(
      new ValidationError(
        'members.contexts',
        config.members.contexts,
        'must be empty with members.federatedClusters: the member clusters are the FederatedCluster resources',
      ),
    );
  if (context !== undefined && inCluster) problems.push(new ValidationError('host.inCluster', true, 'and host.context exclude each other'));
  if (context === undefined && !inCluster)
    problems.push(new ValidationError('host.context', undefined, 'is required (or host.inCluster: true) with members.federatedClusters'));
  if (problems.length > before) return undefined;
  const { createHostFederation } = await import('@fedsvc/kubernetes');
  return collect(
    problems,
    [
      ['options.kubeconfig', 'host.kubeconfig'],
      ['options.context', 'host.context'],
      ['options.namespace', 'host.namespace'],
      ['KUBERNETES_SERVICE_HOST', 'host.inCluster'],
      ['options', 'host'],
    ],
    () =>
      createHostFederation({
        // No context: the source's in-cluster KubeConfig, which reads a rotated token again.
        ...(context === undefined ? {} : { context, ...(kubeconfig === undefined ? {} : { kubeconfig }) }),
        namespace,
        members: { logger, ...options },
      }),
  );
}

/** The host cluster: a kubeconfig context, or this pod's own cluster by its service account. */
export function hostCluster(config: FedsvcConfig): ClusterSource {
  const { context, inCluster, kubeconfig } = config.host;
  if (context !== undefined && inCluster) throw new ValidationError('host.inCluster', true, 'and host.context exclude each other');
  if (context !== undefined) return { context, ...(kubeconfig === undefined ? {} : { kubeconfig }) };
  if (!inCluster) throw new ValidationError('host.context', undefined, 'is required (or host.inCluster: true) with leader election');
  const host = process.env['KUBERNETES_SERVICE_HOST'];
  const port = process.env['KUBERNETES_SERVICE_PORT'] ?? '443';
  if (!host) throw new ValidationError('host.inCluster', true, 'needs KUBERNETES_SERVICE_HOST, which Kubernetes sets in a pod');
  const read = (file: string): string => {
    try {
      return readFileSync(`${SERVICE_ACCOUNT}/${file}`, 'utf8');
    } catch (error) {
      throw new ValidationError('host.inCluster', true, `cannot read ${SERVICE_ACCOUNT}/${file}: ${(error as NodeJS.ErrnoException).code}`);
    }
  };
  return {
    name: 'host',
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    token: read('token').trim(),
    caData: Buffer.from(read('ca.crt')).toString('base64'),
  };
}

/** This replica's identity in the Lease: the pod's name where Kubernetes gives it. */
function identity(config: FedsvcConfig): string {
  return config.leaderElection.identity ?? process.env['POD_NAME'] ?? `${hostname()}-${process.pid}`;
}

/** The Lease election, undefined when it is off or with its problems added. */
export async function leaseElection(
  config: FedsvcConfig,
  logger: Logger,
  problems: ValidationError[],
): Promise<LeaderElection | undefined> {
  const election = config.leaderElection;
  if (!election.enabled) return undefined;
  const cluster = collect(problems, [], () => hostCluster(config));
  if (cluster === undefined) return undefined;
  const { createLeaseElection } = await import('@fedsvc/kubernetes');
  return collect(
    problems,
    [
      ['options.cluster.kubeconfig', 'host.kubeconfig'],
      ['options.cluster', 'host'],
      ['options.namespace', 'host.namespace'],
      ['options.name', 'leaderElection.name'],
      ['options.identity', 'leaderElection.identity'],
      ['options.leaseDurationMs', 'leaderElection.leaseDuration'],
      ['options.renewDeadlineMs', 'leaderElection.renewDeadline'],
      ['options.retryPeriodMs', 'leaderElection.retryPeriod'],
    ],
    () =>
      createLeaseElection({
        cluster,
        namespace: config.host.namespace,
        name: election.name,
        identity: identity(config),
        leaseDurationMs: election.leaseDurationMs,
        renewDeadlineMs: election.renewDeadlineMs,
        retryPeriodMs: election.retryPeriodMs,
        logger,
      }),
  );
}
