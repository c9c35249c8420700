// The federation's intent read from its host cluster: FederatedServices drive the controller,
// FederatedClusters (credentials in Secrets) are its member clusters, and what the controller
// sees is written back as their status.
import type { FederationController } from '@fedsvc/core';
import type { ClusterEvent, MemberClusters } from '@fedsvc/core/provider';
import { createKubernetesClusters } from '../clusters.js';
import { type ListWatchOptions, startListWatch } from '../list-watch.js';
import { Coalescer } from './coalescer.js';
import { EventRecorder } from './events.js';
import { FederatedClusters } from './federated-clusters.js';
import { FederatedServices, splitKey } from './federated-services.js';
import { GatedClusters } from './gated-clusters.js';
import { HostApi, isNotFound } from './host-api.js';
import { subscribeOccurrences } from './occurrences.js';
import { type HostFederationOptions, type ResolvedHostOptions, resolveHostOptions } from './options.js';
import { federatedClusterStatus } from '../federation/cluster-status.js';
import { statusChanged } from '../federation/status-changed.js';
import { TokenBucket } from './token-bucket.js';

/** The federation's member clusters as its FederatedClusters name them; see {@link createHostFederation}. */
export interface HostMemberClusters extends MemberClusters {
  /** The member clusters' names, in the order they joined. */
  readonly clusters: readonly string[];
}

export interface HostFederation {
  /**
   * The member clusters to give the controller (`createController({ clusters })`): those the
   * FederatedClusters name, watched once the host's lists are in, so the controller plans nothing
   * before it knows the federation's services and clusters.
   */
  readonly clusters: HostMemberClusters;
  /**
   * Lists and watches the host cluster and drives `controller` (created with `clusters`) until
   * stopped; start the controller after this.
   */
  run(controller: FederationController): { stop(): Promise<void> };
}

/**
 * The federation's own resources in a host cluster, driving a controller: every valid
 * `FederatedService` is applied, one deleted is deleted (its `fedsvc.io/shards` finalizer held
 * until its shards and records are gone), `resync()` once the host's lists are in (so that shards
 * and records of services that no longer exist go), and every `FederatedCluster` whose Secret is
 * usable is a member cluster (a changed Secret is picked up without a restart). Status is
 * written back by server-side apply on the status subresource, only when what a person would
 * see changed, coalesced per object and rate-limited.
 *
 * @throws ValidationError (from `@fedsvc/core`) when an option is malformed, naming the field.
 * @example
 * ```ts
 * const host = createHostFederation({ context: 'federation-cluster', namespace: 'fedsvc-system' });
 * const controller = createController({ federation, ownerId: 'prod-federation', clusters: host.clusters, dns });
 * const running = host.run(controller);
 * controller.start();
 * // on shutdown
 * await controller.stop();
 * await running.stop();
 * ```
 */
export function createHostFederation(options: HostFederationOptions): HostFederation {
  const resolved = resolveHostOptions(options);
  const members = createKubernetesClusters({ ...options.members, clusters: [] });
  let observe: (event: ClusterEvent) => void = () => {};
  const clusters = new GatedClusters(members, (event) => observe(event));
  let running = false;
  return {
    clusters,
    run(controller) {
      if (running) throw new Error('the host federation is running already');
      running = true;
      const run = new HostRun(resolved, members, clusters, controller);
      observe = (event) => run.observe(event);
      return { stop: () => run.stop() };
    },
  };
}

class HostRun {
  readonly federatedClusters: FederatedClusters;
  readonly #services: FederatedServices;
  readonly #api: HostApi;
  readonly #writes: TokenBucket;
  readonly #serviceStatus: Coalescer<string>;
  readonly #clusterStatus: Coalescer<string>;
  readonly #finalizers: Coalescer<string>;
  readonly #watches: { stop(): Promise<void> }[];
  readonly #unsubscribe: () => void;
  readonly #events: EventRecorder;
  /** The member clusters have all been heard from: statuses show what they hold, not an empty start. */
  #membersSynced = false;

  constructor(
    options: ResolvedHostOptions,
    members: ReturnType<typeof createKubernetesClusters>,
    clusters: GatedClusters,
    private readonly controller: FederationController,
  ) {
    const { members: settings } = options;
    const logger = settings.logger;
    this.#api = new HostApi(options.kubeConfig, settings);
    this.#writes = new TokenBucket(options.writes);
    const coalescer = (windowMs: number, write: (key: string, signal: AbortSignal) => Promise<void>) =>
      new Coalescer<string>({ windowMs, backoff: settings.backoff, logger, write });
    this.#serviceStatus = coalescer(options.statusCoalesceMs, (key, signal) => this.#writeServiceStatus(key, signal));
    this.#clusterStatus = coalescer(options.statusCoalesceMs, (key, signal) => this.#writeClusterStatus(key, signal));
    this.#finalizers = coalescer(1, (key, signal) => this.#writeFinalizers(key, signal));
    this.#services = new FederatedServices(controller, {
      logger,
      statusDue: (key) => this.#serviceStatus.mark(key),
      finalizerDue: (key) => this.#finalizers.mark(key),
    });
    this.federatedClusters = new FederatedClusters(members, {
      namespace: options.namespace,
      logger,
      changed: (name) => this.#clusterStatus.mark(name),
    });
    this.#events = new EventRecorder(this.#api, new TokenBucket(options.events), logger);
    const told = subscribeOccurrences(controller, (key, occurrence) => {
      const object = this.#services.objects.get(key);
      if (object !== undefined) this.#events.record(object, occurrence);
    });
    const statuses = this.#subscribe();
    this.#unsubscribe = () => {
      told();
      statuses();
    };
    const listWatch: ListWatchOptions = {
      backoff: settings.backoff,
      logger,
      cluster: 'host',
      requestTimeoutMs: settings.requestTimeoutMs,
      minWatchTimeoutSeconds: settings.minWatchTimeoutSeconds,
      watchIdleTimeoutMs: settings.watchIdleTimeoutMs,
    };
    const synced = new HostSync(3, async () => {
      await this.federatedClusters.settled();
      clusters.hostSynced();
      controller.resync();
    });
    this.#watches = [
      startListWatch(this.#api.secrets(options.namespace), synced.after(this.federatedClusters.secretHandlers), listWatch),
      startListWatch(this.#api.federatedClusters(), synced.after(this.federatedClusters.handlers), listWatch),
      startListWatch(this.#api.federatedServices(options.serviceNamespace), synced.after(this.#services.handlers), listWatch),
    ];
  }

  /** An event of the member clusters, before the controller gets it. */
  observe(event: ClusterEvent): void {
    if (event.type === 'cluster') this.federatedClusters.observe(event.cluster);
    if (event.type !== 'synced') return;
    this.#membersSynced = true;
    for (const key of this.#services.objects.keys()) this.#serviceStatus.mark(key);
  }

  async stop(): Promise<void> {
    this.#unsubscribe();
    await Promise.all(this.#watches.map((watch) => watch.stop()));
    await Promise.all([this.#serviceStatus.stop(), this.#clusterStatus.stop(), this.#finalizers.stop(), this.#events.stop()]);
  }

  /** Statuses due after what the controller tells; the finalizer due once a deleted service is forgotten. */
  #subscribe(): () => void {
    const { controller } = this;
    const service = ({ service }: { service: string }): void => this.#serviceStatus.mark(service);
    const every = (): void => {
      for (const key of this.#services.objects.keys()) this.#serviceStatus.mark(key);
    };
    const forgotten = ({ service }: { service: string }): void => this.#services.forgotten(service);
    const perService = [
      'service-synced',
      'records-applied',
      'apply-failed',
      'shard-health-changed',
      'fail-static-engaged',
      'fail-static-released',
      'outside-domain-filter',
      'shard-changed',
      'records-conflict',
    ] as const;
    const perCluster = ['cluster-ready', 'cluster-offline', 'cluster-excluded', 'cluster-included'] as const;
    for (const event of perService) controller.on(event, service);
    for (const event of perCluster) controller.on(event, every);
    controller.on('service-deleted', forgotten);
    return () => {
      for (const event of perService) controller.off(event, service);
      for (const event of perCluster) controller.off(event, every);
      controller.off('service-deleted', forgotten);
    };
  }

  async #writeServiceStatus(key: string, signal: AbortSignal): Promise<void> {
    const due = (): object | undefined => {
      if (!this.#membersSynced && !this.#services.invalid(key)) return undefined;
      const status = this.#services.statusOf(key, new Date());
      return status !== undefined && statusChanged(this.#services.objects.get(key)?.['status'], status) ? status : undefined;
    };
    if (due() === undefined) return;
    await this.#writes.take(signal);
    const status = due();
    if (status === undefined) return;
    const { namespace, name } = splitKey(key);
    try {
      this.#services.written(key, await this.#api.applyStatus({ kind: 'FederatedService', namespace, name }, status));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async #writeClusterStatus(name: string, signal: AbortSignal): Promise<void> {
    const due = (): object | undefined => {
      const seen = this.federatedClusters.statusOf(name);
      const object = this.federatedClusters.objects.get(name);
      if (seen === undefined || object === undefined) return undefined;
      const status = federatedClusterStatus(seen.status, seen.lastProbe, object['status'], new Date(), seen.topology);
      return statusChanged(object['status'], status) ? status : undefined;
    };
    if (due() === undefined) return;
    await this.#writes.take(signal);
    const status = due();
    if (status === undefined) return;
    try {
      const written = await this.#api.applyStatus({ kind: 'FederatedCluster', namespace: undefined, name }, status);
      this.federatedClusters.written(name, written);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async #writeFinalizers(key: string, signal: AbortSignal): Promise<void> {
    const wanted = this.#services.finalizersWanted(key);
    if (wanted === undefined) return;
    await this.#writes.take(signal);
    const object = this.#services.objects.get(key);
    const resourceVersion = (object?.['metadata'] as Record<string, unknown> | undefined)?.['resourceVersion'];
    const finalizers = this.#services.finalizersWanted(key);
    if (finalizers === undefined || typeof resourceVersion !== 'string') return;
    const { namespace, name } = splitKey(key);
    try {
      this.#services.written(key, await this.#api.setFinalizers(namespace, name, finalizers, resourceVersion));
    } catch (error) {
      // Gone: nothing to hold. Written by someone since it was read (409): tried again after a
      // backoff, from the version the watch has brought by then.
      if (!isNotFound(error)) throw error;
    }
  }
}

/** Calls `synced` once each of `lists` list-watches has listed once. */
class HostSync {
  #left: number;

  constructor(
    lists: number,
    private readonly synced: () => Promise<void>,
  ) {
    this.#left = lists;
  }

  after<T extends { replace(items: readonly unknown[]): void }>(handlers: T): T {
    let listed = false;
    return {
      ...handlers,
      replace: (items: readonly unknown[]) => {
        handlers.replace(items);
        if (listed) return;
        listed = true;
        this.#left -= 1;
        if (this.#left === 0) void this.synced();
      },
    };
  }
}
