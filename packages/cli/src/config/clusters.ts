// The member clusters and the host cluster's Lease from the config, built by @fedsvc/kubernetes,
// which checks each kubeconfig and context. It is loaded only by the commands that need it.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { type LeaderElection, type Logger, ValidationError } from '@fedsvc/core';
import type { ClusterSource, KubernetesClusters } from '@fedsvc/kubernetes';
import type { FedsvcConfig } from './config.js';
import { collect } from './problems.js';

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The member clusters as kubeconfig contexts, or undefined with the problems added. */
export async function memberClusters(
  config: FedsvcConfig,
  logger: Logger,
  problems: ValidationError[],
): Promise<KubernetesClusters | undefined> {
  const { contexts, kubeconfig, federatedClusters } = config.members;
  if (contexts.length === 0) {
    problems.push(
      new ValidationError(
        federatedClusters ? 'members.federatedClusters' : 'members.contexts',
        federatedClusters ? true : contexts,
        federatedClusters
          ? 'FederatedCluster resources are not read by this version yet: list the member clusters in members.contexts'
          : 'must name at least one member cluster (a kubeconfig context)',
      ),
    );
    return undefined;
  }
  if (federatedClusters)
    logger.warn(
      { field: 'members.federatedClusters' },
      'FederatedCluster resources are not read by this version yet: the member clusters are members.contexts',
    );
  const { createKubernetesClusters } = await import('@fedsvc/kubernetes');
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
  if (problems.length > before) return undefined;
  return collect(problems, [['options.clusters', 'members.contexts']], () => createKubernetesClusters({ clusters: sources, logger }));
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
