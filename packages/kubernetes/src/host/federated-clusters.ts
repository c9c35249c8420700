// FederatedClusters and the Secrets their credentials are in, turned into member clusters: a
// cluster joins when its FederatedCluster and a usable Secret are both there, is watched again
// through new settings when either changes (no restart, nothing withdrawn), and leaves when its
// FederatedCluster goes. A FederatedCluster that cannot join (malformed, Secret missing or
// unusable) joins nothing and gets a status naming the problem; a member whose Secret turns bad
// keeps its last good credentials, its status naming the problem. Other clusters are untouched.
import { createHash } from 'node:crypto';
import type { ClusterStatus, Logger } from '@fedsvc/core/provider';
import type { KubernetesClusters } from '../clusters.js';
import { objectRef } from '../decode.js';
import type { ListWatchHandlers } from '../list-watch.js';
import { isOlder } from './host-api.js';
import type { FederatedClusterSpec } from '../federation/federated-cluster.js';
import { type MemberSecret, federatedMember } from '../federation/member-cluster.js';

type Fields = Record<string, unknown>;

export interface FederatedClustersSettings {
  /** Where Secrets are read: the source's own namespace. */
  readonly namespace: string;
  readonly logger: Logger;
  /** The cluster's status (or problem) changed: its FederatedCluster's status is due. */
  readonly changed: (name: string) => void;
}

interface Member {
  /** What its settings were built from: changes when the FederatedCluster or its Secret does. */
  readonly fingerprint: string;
}

export class FederatedClusters {
  readonly objects = new Map<string, Fields>();
  readonly #secrets = new Map<string, Fields>();
  readonly #members = new Map<string, Member>();
  /** Why a FederatedCluster does not join (or keeps its last good credentials). */
  readonly #problems = new Map<string, string>();
  readonly #statuses = new Map<string, { readonly status: ClusterStatus; readonly at: Date }>();
  /** The `spec.topology` of each cluster that joined, which its status says was taken or not. */
  readonly #topologies = new Map<string, FederatedClusterSpec['topology']>();
  /** Updates under way, one per cluster at a time, in order. */
  readonly #updating = new Map<string, Promise<void>>();
  /** Until the Secrets are listed, a FederatedCluster is not judged: its Secret may merely be on its way. */
  #secretsListed = false;

  constructor(
    private readonly clusters: KubernetesClusters,
    private readonly settings: FederatedClustersSettings,
  ) {}

  readonly handlers: ListWatchHandlers = {
    replace: (items) => this.#replace(this.objects, items, (name) => this.#reconcile(name)),
    event: (type, object) => this.#event(this.objects, type, object, (name) => this.#reconcile(name)),
    error: (error) => this.settings.logger.warn({ err: error.message }, 'FederatedClusters watch'),
  };

  readonly secretHandlers: ListWatchHandlers = {
    replace: (items) => {
      const first = !this.#secretsListed;
      this.#secretsListed = true;
      this.#replace(this.#secrets, items, (name) => this.#secretChanged(name));
      if (first) for (const name of this.objects.keys()) this.#reconcile(name);
    },
    event: (type, object) => this.#event(this.#secrets, type, object, (name) => this.#secretChanged(name)),
    error: (error) => this.settings.logger.warn({ err: error.message }, 'Secrets watch'),
  };

  /** A member's status as its watch reports it. */
  observe(status: ClusterStatus): void {
    this.#statuses.set(status.name, { status, at: new Date() });
    this.settings.changed(status.name);
  }

  /** What the FederatedCluster's status should say now: the member's status, with the problem, if any; undefined before either is known. */
  statusOf(
    name: string,
  ): { readonly status: ClusterStatus; readonly lastProbe?: Date; readonly topology?: FederatedClusterSpec['topology'] } | undefined {
    const problem = this.#problems.get(name);
    const seen = this.#statuses.get(name);
    if (problem === undefined) return seen && { status: seen.status, lastProbe: seen.at, topology: this.#topologies.get(name) };
    const meta = this.objects.get(name)?.['metadata'] as Fields | undefined;
    const labels = (meta?.['labels'] ?? {}) as Record<string, string>;
    const status: ClusterStatus = seen
      ? { ...seen.status, reason: `${problem} (watched with the last good credentials)` }
      : { name, zones: [], region: '', labels, health: 'Offline', reason: problem };
    return { status, lastProbe: seen?.at };
  }

  /** Resolves when every update started so far is done. */
  async settled(): Promise<void> {
    await Promise.all(this.#updating.values());
  }

  #replace(map: Map<string, Fields>, items: readonly unknown[], changed: (name: string) => void): void {
    const before = new Set(map.keys());
    map.clear();
    for (const item of items) {
      const name = objectRef(item).name;
      if (name !== undefined) map.set(name, item as Fields);
    }
    for (const name of new Set([...before, ...map.keys()])) changed(name);
  }

  #event(map: Map<string, Fields>, type: string, object: unknown, changed: (name: string) => void): void {
    const name = objectRef(object).name;
    if (name === undefined) return;
    if (type === 'DELETED') map.delete(name);
    else if (!isOlder(object, map.get(name))) map.set(name, object as Fields);
    changed(name);
  }

  /** Keeps what the server answered to a status write, unless a newer version came meanwhile. */
  written(name: string, object: unknown): void {
    if (this.objects.has(name) && !isOlder(object, this.objects.get(name))) this.objects.set(name, object as Fields);
  }

  #secretChanged(secret: string): void {
    for (const [name, object] of this.objects) {
      const ref = ((object['spec'] as Fields | undefined)?.['secretRef'] as Fields | undefined)?.['name'];
      if (ref === secret) this.#reconcile(name);
    }
  }

  #reconcile(name: string): void {
    if (!this.#secretsListed) return;
    const previous = this.#updating.get(name) ?? Promise.resolve();
    const next = previous.then(() => this.#apply(name));
    this.#updating.set(name, next);
    void next.finally(() => {
      if (this.#updating.get(name) === next) this.#updating.delete(name);
    });
  }

  async #apply(name: string): Promise<void> {
    const object = this.objects.get(name);
    if (object === undefined) {
      this.#problems.delete(name);
      this.#statuses.delete(name);
      this.#topologies.delete(name);
      if (this.#members.delete(name)) await this.clusters.removeCluster(name);
      return;
    }
    const problemBefore = this.#problems.get(name);
    const topologyBefore = this.#topologies.get(name);
    try {
      const source = this.#source(object);
      const member = this.#members.get(name);
      this.#problems.delete(name);
      this.#topologies.set(name, source.topology);
      if (source.ignoredTopology && !sameTopology(source.topology, topologyBefore))
        this.settings.logger.warn({ cluster: name, err: source.ignoredTopology.message }, 'FederatedCluster topology override ignored');
      if (member?.fingerprint === source.fingerprint) return;
      this.#members.set(name, { fingerprint: source.fingerprint });
      if (member === undefined) this.clusters.addCluster(source.cluster);
      else await this.clusters.updateCluster(source.cluster);
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      this.#problems.set(name, problem);
      this.settings.logger.warn({ cluster: name, err: problem }, 'FederatedCluster cannot join');
    } finally {
      if (this.#problems.get(name) !== problemBefore || !sameTopology(this.#topologies.get(name), topologyBefore))
        this.settings.changed(name);
    }
  }

  #source(object: Fields) {
    const { spec, secret, cluster, ignoredTopology } = federatedMember(
      object,
      this.settings.namespace,
      (name) => this.#secrets.get(name) as MemberSecret | undefined,
    );
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([spec.server, spec.labels, spec.topology, secret.data]))
      .digest('hex');
    return { fingerprint, cluster, topology: spec.topology, ignoredTopology };
  }
}

const sameTopology = (a: FederatedClusterSpec['topology'], b: FederatedClusterSpec['topology']): boolean =>
  JSON.stringify(a) === JSON.stringify(b);
