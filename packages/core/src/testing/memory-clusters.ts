// In-memory member clusters: the MemberClusters port for tests and the quick start. Each
// cluster holds Services, assigns what a real cluster assigns (cluster IP, load-balancer
// address) and emits the events a watch would, including none while it is Offline.
import { ValidationError } from '../errors.js';
import { isMapList, listEntryKey } from '../placement/changed-fields.js';
import { isObject } from '../placement/json.js';
import { ADOPTED_BY_ANNOTATION, APPLIED_ANNOTATION } from '../placement/manifest.js';
import type {
  ClusterEvent,
  ClusterHealth,
  ClusterStatus,
  LoadBalancerIngress,
  MemberClusters,
  ServiceManifest,
  ShardAction,
  ShardStatus,
} from '../types.js';

export interface MemoryClusterInit {
  readonly name: string;
  readonly zones: readonly string[];
  readonly region: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly health?: ClusterHealth;
  /** Addresses the cluster's load balancers hand out, in order, to LoadBalancer Services. */
  readonly loadBalancerAddresses?: readonly string[];
}

interface MemoryCluster {
  status: ClusterStatus;
  /** Handed out in order from `handedOut` on: shifting a pool of a thousand addresses copied it at every Service. */
  readonly pool: readonly string[];
  handedOut: number;
  readonly services: Map<string, ShardStatus>;
  /** What the federation last applied to each Service: the fields its field manager owns. */
  readonly applied: Map<string, ServiceManifest>;
}

const key = (namespace: string, name: string): string => `${namespace}/${name}`;

export class MemoryClusters implements MemberClusters {
  /** Every action carried out, in order (failed ones excluded). */
  readonly actions: ShardAction[] = [];
  readonly #clusters = new Map<string, MemoryCluster>();
  readonly #listeners = new Set<(event: ClusterEvent) => void>();
  #failApplies = 0;
  #ips = 0;

  constructor(clusters: readonly MemoryClusterInit[] = []) {
    for (const cluster of clusters) this.addCluster(cluster);
  }

  // ---- the port ---------------------------------------------------------------------------

  watch(onEvent: (event: ClusterEvent) => void): { stop(): Promise<void> } {
    this.#listeners.add(onEvent);
    for (const cluster of this.#clusters.values()) this.#announce(cluster, onEvent);
    onEvent({ type: 'synced' });
    return {
      stop: async () => {
        this.#listeners.delete(onEvent);
      },
    };
  }

  async applyShard(action: ShardAction): Promise<void> {
    const cluster = this.#clusters.get(action.cluster);
    if (!cluster) throw new Error(`cluster ${action.cluster} is not a member`);
    if (cluster.status.health === 'Offline') throw new Error(`cluster ${action.cluster} is unreachable`);
    if (this.#failApplies > 0) {
      this.#failApplies--;
      throw new Error(`cluster ${action.cluster}: apply failed (injected)`);
    }
    if (action.kind === 'leave') return;
    this.actions.push(action);
    if (action.kind === 'delete') {
      cluster.applied.delete(key(action.namespace, action.name));
      if (cluster.services.delete(key(action.namespace, action.name))) {
        this.#emit({ type: 'shard-removed', cluster: action.cluster, namespace: action.namespace, name: action.name });
      }
      return;
    }
    if (action.kind === 'release') {
      this.#release(cluster, action.namespace, action.name);
      return;
    }
    const { namespace, name } = action.manifest.metadata;
    const service = key(namespace, name);
    const current = cluster.services.get(service);
    const previous = cluster.applied.get(service);
    const manifest = current ? serverSideApply(current.manifest, action.manifest, previous) : action.manifest;
    cluster.applied.set(service, action.manifest);
    this.#put(cluster, manifest, current);
  }

  // ---- for tests: the clusters' side ------------------------------------------------------

  addCluster(init: MemoryClusterInit): void {
    if (this.#clusters.has(init.name)) throw new ValidationError('cluster.name', init.name, 'is already a member');
    const cluster: MemoryCluster = {
      status: { name: init.name, zones: [...init.zones], region: init.region, labels: { ...init.labels }, health: init.health ?? 'Ready' },
      pool: [...(init.loadBalancerAddresses ?? [])],
      handedOut: 0,
      services: new Map(),
      applied: new Map(),
    };
    this.#clusters.set(init.name, cluster);
    for (const listener of this.#listeners) this.#announce(cluster, listener);
  }

  removeCluster(name: string): void {
    if (this.#clusters.delete(name)) this.#emit({ type: 'cluster-removed', name });
  }

  /** Offline: the cluster can no longer be seen; nothing it does is reported until it comes back. */
  setHealth(name: string, health: ClusterHealth, reason?: string): void {
    const cluster = this.#cluster(name);
    const wasOffline = cluster.status.health === 'Offline';
    cluster.status = { ...cluster.status, health, reason };
    if (wasOffline && health !== 'Offline') {
      // Sight regained: a watch relists everything the cluster holds.
      for (const listener of this.#listeners) this.#announce(cluster, listener);
    } else {
      this.#emit({ type: 'cluster', cluster: cluster.status });
    }
  }

  /**
   * The cluster's nodes now span `zones` of `region` (a node pool added or removed); told at once,
   * or when sight is regained if the cluster is Offline.
   */
  setTopology(name: string, zones: readonly string[], region: string): void {
    const cluster = this.#cluster(name);
    cluster.status = { ...cluster.status, zones: [...zones], region };
    if (cluster.status.health !== 'Offline') this.#emit({ type: 'cluster', cluster: cluster.status });
  }

  /** A Service written by someone else (to be adopted), or changed behind the federation's back. */
  putService(clusterName: string, manifest: ServiceManifest): void {
    const cluster = this.#cluster(clusterName);
    const { namespace, name } = manifest.metadata;
    this.#put(cluster, manifest, cluster.services.get(key(namespace, name)));
  }

  setReadyEndpoints(clusterName: string, namespace: string, name: string, readyEndpoints: number): void {
    this.#update(clusterName, namespace, name, (shard) => ({ ...shard, readyEndpoints }));
  }

  setIngress(clusterName: string, namespace: string, name: string, ingress: readonly LoadBalancerIngress[]): void {
    this.#update(clusterName, namespace, name, (shard) => ({ ...shard, ingress: [...ingress] }));
  }

  /** The next `n` applyShard calls fail. */
  failNextApplies(n: number): void {
    this.#failApplies = n;
  }

  clusters(): ClusterStatus[] {
    return [...this.#clusters.values()].map((cluster) => cluster.status);
  }

  shard(clusterName: string, namespace: string, name: string): ShardStatus | undefined {
    return this.#clusters.get(clusterName)?.services.get(key(namespace, name));
  }

  /** Every shard of one service, by cluster name. */
  shards(namespace: string, name: string): ShardStatus[] {
    return [...this.#clusters.values()].flatMap((cluster) => {
      const shard = cluster.services.get(key(namespace, name));
      return shard ? [shard] : [];
    });
  }

  // ---- inside -----------------------------------------------------------------------------

  #cluster(name: string): MemoryCluster {
    const cluster = this.#clusters.get(name);
    if (!cluster) throw new ValidationError('cluster', name, 'is not a member');
    return cluster;
  }

  #put(cluster: MemoryCluster, manifest: ServiceManifest, current: ShardStatus | undefined): void {
    const { namespace, name } = manifest.metadata;
    const wantsLoadBalancer = manifest.spec['type'] === 'LoadBalancer';
    let ingress = current?.ingress ?? [];
    if (wantsLoadBalancer && ingress.length === 0 && cluster.handedOut < cluster.pool.length)
      ingress = [{ ip: cluster.pool[cluster.handedOut++]! }];
    if (!wantsLoadBalancer) ingress = [];
    const shard: ShardStatus = {
      cluster: cluster.status.name,
      namespace,
      name,
      manifest,
      clusterIP: current?.clusterIP ?? `10.0.${(this.#ips >> 8) & 255}.${++this.#ips & 255}`,
      ingress,
      readyEndpoints: current?.readyEndpoints ?? 0,
    };
    cluster.services.set(key(namespace, name), shard);
    if (cluster.status.health !== 'Offline') this.#emit({ type: 'shard', shard });
  }

  /** A JSON merge patch setting the federation's own annotations to null: the Service and its other fields stay. */
  #release(cluster: MemoryCluster, namespace: string, name: string): void {
    const current = cluster.services.get(key(namespace, name));
    if (!current) return;
    const previous = cluster.applied.get(key(namespace, name));
    if (previous) cluster.applied.set(key(namespace, name), withoutMarks(previous));
    this.#put(cluster, withoutMarks(current.manifest), current);
  }

  #update(clusterName: string, namespace: string, name: string, change: (shard: ShardStatus) => ShardStatus): void {
    const cluster = this.#cluster(clusterName);
    const current = cluster.services.get(key(namespace, name));
    if (!current) throw new ValidationError('service', key(namespace, name), `has no shard in cluster ${clusterName}`);
    const shard = change(current);
    cluster.services.set(key(namespace, name), shard);
    if (cluster.status.health !== 'Offline') this.#emit({ type: 'shard', shard });
  }

  #announce(cluster: MemoryCluster, listener: (event: ClusterEvent) => void): void {
    listener({ type: 'cluster', cluster: cluster.status });
    if (cluster.status.health === 'Offline') return;
    for (const shard of cluster.services.values()) listener({ type: 'shard', shard });
  }

  #emit(event: ClusterEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}

/** The Service without the annotations a release removes. */
function withoutMarks(manifest: ServiceManifest): ServiceManifest {
  const { [ADOPTED_BY_ANNOTATION]: _adopted, [APPLIED_ANNOTATION]: _applied, ...annotations } = manifest.metadata.annotations ?? {};
  return { ...manifest, metadata: { ...manifest.metadata, annotations } };
}

/**
 * What server-side apply does to a Service, reduced to the federation's needs: every field
 * `applied` sets is set; a field the manager set last time (`previous`) and sets no more is
 * removed; fields only `current` has (other writers', the cluster's) stay; lists of objects
 * merge element by element, so a port keeps its assigned nodePort.
 */
export function serverSideApply(current: ServiceManifest, applied: ServiceManifest, previous?: ServiceManifest): ServiceManifest {
  return merge('', previous ? prune('', current, previous, applied) : current, applied) as ServiceManifest;
}

const at = (path: string, field: string) => (path === '' ? field : `${path}.${field}`);

/** Ports are a map list (by port and protocol): each entry is its writer's, the others' stay. */
function keyedList(path: string, items: unknown): Map<string, Record<string, unknown>> | undefined {
  // Any other list is replaced whole, an empty one too.
  if (!isMapList(path) || !Array.isArray(items) || !items.every(isObject)) return undefined;
  const keyed = new Map<string, Record<string, unknown>>();
  for (const item of items) {
    const key = listEntryKey(path, item);
    if (key === undefined || keyed.has(key)) return undefined;
    keyed.set(key, item);
  }
  return keyed;
}

function prune(path: string, current: unknown, previous: unknown, applied: unknown): unknown {
  const previousEntries = keyedList(path, previous);
  if (previousEntries && Array.isArray(current)) {
    const next = keyedList(path, applied) ?? new Map();
    return current.filter((item) => {
      const key = isObject(item) ? listEntryKey(path, item) : undefined;
      return key === undefined || !previousEntries.has(key) || next.has(key);
    });
  }
  if (!isObject(current) || !isObject(previous)) return current;
  const out: Record<string, unknown> = { ...current };
  const next = isObject(applied) ? applied : {};
  for (const field of Object.keys(previous)) {
    if (!(field in next)) delete out[field];
    else out[field] = prune(at(path, field), out[field], previous[field], next[field]);
  }
  return out;
}

function merge(path: string, current: unknown, applied: unknown): unknown {
  if (isObject(applied)) {
    const base: Record<string, unknown> = isObject(current) ? { ...current } : {};
    for (const [field, value] of Object.entries(applied)) base[field] = merge(at(path, field), base[field], value);
    return base;
  }
  const appliedEntries = keyedList(path, applied);
  if (appliedEntries && Array.isArray(current)) {
    const held = current.map((item) => {
      const key = isObject(item) ? listEntryKey(path, item) : undefined;
      const mine = key === undefined ? undefined : appliedEntries.get(key);
      return mine ? merge(path, item, mine) : item;
    });
    const heldKeys = new Set(current.map((item) => (isObject(item) ? listEntryKey(path, item) : undefined)));
    return [...held, ...[...appliedEntries].filter(([key]) => !heldKeys.has(key)).map(([, item]) => item)];
  }
  if (Array.isArray(applied) && applied.every(isObject) && Array.isArray(current)) {
    return applied.map((item, i) => merge(path, current[i], item));
  }
  return applied;
}
