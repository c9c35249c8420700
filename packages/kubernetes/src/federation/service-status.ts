// The status a FederatedService carries, decided purely from the controller's view: what
// `kubectl get` shows at a glance (healthy clusters, DNS state) and what `kubectl describe`
// shows to act on (each cluster, the union of ingress, conditions naming clusters and fields).
import type { LoadBalancerIngress, ValidationError } from '@fedsvc/core';
import { type Condition, type ConditionDecision, condition, nameList, previousConditions } from './conditions.js';
import { isFields } from './fields.js';
import type { ClusterView, ServiceStatusView } from '@fedsvc/core';

/** One member cluster's row in a FederatedService's status. */
export interface ServiceClusterStatus {
  readonly name: string;
  readonly health: 'Ready' | 'NotReady' | 'Offline';
  readonly shard: 'Created' | 'Adopted' | 'Missing';
  readonly readyEndpoints: number;
  readonly ingress: readonly LoadBalancerIngress[];
  readonly healthy: boolean;
  /** Why the cluster is unhealthy, offline, left out of DNS, or holds no shard; absent when all is well. */
  readonly reason?: string;
}

/** A FederatedService's `status`. The fields but `observedGeneration` and `conditions` are absent while it was never valid. */
export interface FederatedServiceStatusBody {
  readonly observedGeneration: number;
  readonly loadBalancer?: { readonly ingress: readonly LoadBalancerIngress[] };
  readonly clusters?: readonly ServiceClusterStatus[];
  readonly dnsNames?: readonly string[];
  /** `healthy/placed`, e.g. `12/13`: the printer column `Healthy`. */
  readonly healthyClusters?: string;
  /** The printer column `DNS`. */
  readonly dns?: 'InSync' | 'Pending' | 'Failed';
  /** `Valid`, `ShardsPlaced`, `DNSInSync`, `FailStatic`, `Deleting`, in this order. */
  readonly conditions: readonly Condition[];
}

const DNS_STATE = { 'in-sync': 'InSync', pending: 'Pending', failed: 'Failed' } as const;

/**
 * The status a FederatedService should carry now. Pure: the same inputs give the same body, and
 * a condition keeps `previous`'s `lastTransitionTime` while its status holds.
 *
 * @param view - The controller's status of the service.
 * @param generation - The object's `metadata.generation`, written as `observedGeneration`.
 * @param previous - The object's current `status` (anything; ill-formed parts are ignored).
 * @param now - The time a condition that changes status records.
 * @param placed - The clusters the placement selects ({@link placedClusters}); default every
 * cluster of the view. Clusters neither placed nor holding a shard are left out of `clusters`.
 */
export function federatedServiceStatus(
  view: ServiceStatusView,
  generation: number,
  previous: unknown,
  now: Date,
  placed?: readonly string[],
): FederatedServiceStatusBody {
  const selected = new Set(placed ?? view.clusters.map((cluster) => cluster.cluster));
  const shown = view.clusters.filter((cluster) => selected.has(cluster.cluster) || cluster.shard);
  const placedRows = view.clusters.filter((cluster) => selected.has(cluster.cluster));
  const before = previousConditions(previous);
  const decisions = [
    { type: 'Valid', status: 'True', reason: 'Accepted', message: 'The spec is valid.' } as const,
    shardsPlaced(view, placedRows),
    dnsInSync(view),
    failStatic(view.failStatic),
    deleting(view.deleting),
  ];
  return {
    observedGeneration: generation,
    loadBalancer: { ingress: view.loadBalancer.ingress.map((entry) => ({ ...entry })) },
    clusters: shown.map((cluster) => clusterRow(cluster, selected.has(cluster.cluster))),
    dnsNames: [...view.dns.names],
    healthyClusters: `${placedRows.filter((cluster) => cluster.healthy).length}/${placedRows.length}`,
    dns: DNS_STATE[view.dns.state],
    conditions: decisions.map((decision) => condition(decision, before, now, generation)),
  };
}

function clusterRow(cluster: ClusterView, selected: boolean): ServiceClusterStatus {
  const shard = !cluster.shard ? 'Missing' : cluster.origin === 'adopted' ? 'Adopted' : 'Created';
  const reason = rowReason(cluster, selected);
  return {
    name: cluster.cluster,
    health: cluster.health,
    shard,
    readyEndpoints: cluster.readyEndpoints,
    ingress: cluster.ingress.map((entry) => ({ ...entry })),
    healthy: cluster.healthy,
    ...(reason ? { reason } : {}),
  };
}

function rowReason(cluster: ClusterView, selected: boolean): string | undefined {
  if (cluster.excluded) return `left out of DNS: ${cluster.excluded}`;
  if (cluster.health !== 'Ready') return `${cluster.health}${cluster.reason ? `: ${cluster.reason}` : ''}`;
  if (!selected) return 'no longer placed here: the shard is removed';
  if (!cluster.shard) return 'no shard yet: it is created on the next pass';
  const refused = cluster.refusedAddresses.map((entry) => `${entry.address} ${entry.reason}`);
  if (refused.length > 0) return `addresses left out of DNS: ${refused.join('; ')}`;
  if (!cluster.healthy) return cluster.readyEndpoints === 0 ? 'no ready endpoints' : 'no load-balancer ingress yet';
  return undefined;
}

function shardsPlaced(view: ServiceStatusView, selected: readonly ClusterView[]): ConditionDecision {
  const type = 'ShardsPlaced';
  if (view.deleting) return { type, status: 'False', reason: 'Deleting', message: 'The service is deleted: its shards are being removed.' };
  if (selected.length === 0)
    return {
      type,
      status: 'False',
      reason: 'NoClusterSelected',
      message:
        'spec.placement selects no member cluster: check the names in spec.placement.clusters or the selector against the FederatedClusters.',
    };
  const missing = selected.filter((cluster) => !cluster.shard);
  if (missing.length === 0)
    return { type, status: 'True', reason: 'AllPlaced', message: `A shard in each of the ${selected.length} placed clusters.` };
  const unreachable = missing.filter((cluster) => cluster.health !== 'Ready');
  const pending = missing.filter((cluster) => cluster.health === 'Ready');
  const parts = [
    unreachable.length > 0 &&
      `not reachable: ${nameList(unreachable.map((c) => `${c.cluster} (${c.health}${c.reason ? `: ${c.reason}` : ''})`))}; each gets its shard when seen Ready again (see its FederatedCluster's status)`,
    pending.length > 0 && `being created: ${nameList(pending.map((c) => c.cluster))}`,
  ].filter(Boolean);
  return {
    type,
    status: 'False',
    reason: unreachable.length > 0 ? 'ClustersUnreachable' : 'Pending',
    message: `No shard in ${missing.length} of ${selected.length} placed clusters. ${parts.join('. ')}.`,
  };
}

/** What a person does about records that failed, by the reason's kind. */
const DNS_ADVICE: Readonly<Record<string, string>> = {
  conflict: 'Another writer holds these names: remove its records, or rename the service.',
  'outside-domain-filter': "The names are outside the DNS provider's domain filter: widen the filter or change the federation's domain.",
  denied: "The DNS provider refused the credentials: grant the federation's identity write access to the zone.",
  'not-found': 'The DNS zone does not exist: create it, or point the federation at the right one.',
  invalid: 'The DNS provider refused the records as invalid: see the message for the record set.',
  'invalid-input': 'The planned records were refused before any write: see the message for the field.',
  throttled: 'The DNS provider is rate limiting: writes are retried with backoff.',
  transient: 'The DNS provider failed for now: writes are retried with backoff.',
};

function dnsInSync(view: ServiceStatusView): ConditionDecision {
  const { dns } = view;
  const type = 'DNSInSync';
  if (dns.state === 'in-sync')
    return { type, status: 'True', reason: 'InSync', message: `The records are written: ${nameList(dns.names)} answer.` };
  if (dns.state === 'pending') return { type, status: 'Unknown', reason: 'Pending', message: 'The records are being written.' };
  const kind = dns.reason ?? 'failed';
  const advice = DNS_ADVICE[kind] ?? 'See the controller log for the request that failed.';
  return { type, status: 'False', reason: camelCase(kind), message: `${dns.message ? `${dns.message}. ` : ''}${advice}` };
}

function failStatic(held: readonly string[]): ConditionDecision {
  const type = 'FailStatic';
  if (held.length === 0) return { type, status: 'False', reason: 'NotEngaged', message: 'DNS follows every placed cluster as seen.' };
  return {
    type,
    status: 'True',
    reason: 'ClustersOffline',
    message: `DNS keeps the last healthy shards of ${held.length} Offline clusters: ${nameList(held)}. They stay until each is seen again or its FederatedCluster is deleted.`,
  };
}

function deleting(state: ServiceStatusView['deleting']): ConditionDecision {
  const type = 'Deleting';
  if (!state) return { type, status: 'False', reason: 'NotDeleting', message: 'The service is not being deleted.' };
  if (state.waitingFor.length === 0)
    return { type, status: 'True', reason: 'RemovingShards', message: 'Removing the shards and withdrawing the records.' };
  return {
    type,
    status: 'True',
    reason: 'WaitingForClusters',
    message: `The finalizer fedsvc.io/shards waits for clusters out of sight that may hold a shard: ${nameList(state.waitingFor)}. Bring them back, or delete their FederatedCluster.`,
  };
}

/** `outside-domain-filter` → `OutsideDomainFilter`: a condition's reason is CamelCase. */
function camelCase(kind: string): string {
  const words = kind.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const joined = words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
  return /^[A-Za-z]/.test(joined) ? joined : `Failed${joined}`;
}

/**
 * The status of a FederatedService whose spec does not decode: `Valid` is False with reason
 * `InvalidSpec` and a message naming the field and value; what the previous status showed of
 * the clusters and records stays (that is what still runs). Pure.
 *
 * @param error - What {@link decodeFederatedService} or `applyService` refused; a field
 * `applyService` names (`service.manifest.metadata.name`) is named as in the object (`metadata.name`).
 */
export function invalidServiceStatus(error: ValidationError, generation: number, previous: unknown, now: Date): FederatedServiceStatusBody {
  const before = previousConditions(previous);
  const field = objectField(error.field);
  const valid = condition(
    {
      type: 'Valid',
      status: 'False',
      reason: 'InvalidSpec',
      // The error's message is `field: reason (got value)`; only the field is renamed.
      message: `${field}${error.message.startsWith(error.field) ? error.message.slice(error.field.length) : `: ${error.message}`}. Correct ${field} and apply the FederatedService again.`,
    },
    before,
    now,
    generation,
  );
  const kept = [...before.values()].filter((item) => item.type !== 'Valid');
  return { ...keptFields(previous), observedGeneration: generation, conditions: [valid, ...kept] };
}

/** applyService's paths into the decoded service, as paths in the FederatedService object. */
const OBJECT_FIELDS: readonly (readonly [RegExp, string])[] = [
  [/^service\.manifest\.metadata\./, 'metadata.'],
  [/^service\.manifest\.spec(?=$|[.[])/, 'spec.template.spec'],
  [/^service\.manifest(?=$|[.[])/, 'spec.template'],
  [/^service\.clusterSelector(?=$|[.[])/, 'spec.placement.clusterSelector'],
  [/^service\.clusters(\[\d+\])$/, 'spec.placement.clusters$1.name'],
  [/^service\.clusters(?=$|[.[])/, 'spec.placement.clusters'],
  [/^service\.ttl$/, 'spec.dns.ttl'],
];

function objectField(field: string): string {
  for (const [pattern, replacement] of OBJECT_FIELDS) if (pattern.test(field)) return field.replace(pattern, replacement);
  return field;
}

/** What a previous status showed of the clusters and records, where it is of its shape. */
function keptFields(previous: unknown): Partial<FederatedServiceStatusBody> {
  if (!isFields(previous)) return {};
  const { loadBalancer, clusters, dnsNames, healthyClusters, dns } = previous;
  return {
    ...(isFields(loadBalancer) && Array.isArray(loadBalancer['ingress'])
      ? { loadBalancer: loadBalancer as FederatedServiceStatusBody['loadBalancer'] }
      : {}),
    ...(Array.isArray(clusters) ? { clusters } : {}),
    ...(Array.isArray(dnsNames) ? { dnsNames } : {}),
    ...(typeof healthyClusters === 'string' ? { healthyClusters } : {}),
    ...(dns === 'InSync' || dns === 'Pending' || dns === 'Failed' ? { dns } : {}),
  };
}
