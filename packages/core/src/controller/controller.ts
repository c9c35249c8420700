// The federation controller: watches member clusters, places shards, and keeps one DNS zone
// in step with the plan. Event-driven with a short coalescing window, plus a periodic full
// resync. This module holds the controller's state and wires its parts: options.ts, the
// clusters' state (cluster-state.ts, a pure reducer; notify.ts tells and schedules its steps),
// services.ts, targets.ts, the scheduler, one pass (pass.ts) and the zone cache.
import { EventEmitter } from 'eventemitter3';
import { ValidationError } from '../errors.js';
import { ours } from '../placement/manifest.js';
import type { FederatedService } from '../placement/placement.js';
import { type isShardHealthy, recordNames } from '../planning/plan.js';
import type { ClusterEvent, ShardStatus } from '../types.js';
import {
  allShards,
  commitClusterStep,
  emptyClusterState,
  judgeAll,
  keyOf,
  type ClusterStep,
  type JudgeHealth,
  type StateEvent,
} from './cluster-state.js';
import { reduceClusterEvents } from './cluster-burst.js';
import { withDeadline } from './deadline.js';
import { WrittenShards } from './echoes.js';
import { ClusterExclusions } from './exclusions.js';
import type { HostnameCache } from './hostnames.js';
import { controllerSettings, type Settings } from './options.js';
import { runPass, type PassContext } from './pass.js';
import { PeriodicResync } from './periodic-resync.js';
import { deliverNotifications } from './notify.js';
import { Scheduler } from './scheduler.js';
import { forgetCluster, markDeleted, registerService, serviceOfName, servicesUsing, type ServiceRecord } from './services.js';
import { ShardWriteDropped, ShardWrites } from './shard-writes.js';
import { serviceStatus } from './status-view.js';
import { hostnameResolution, plannedTargets, shardHealth, shardTargets, type PlannedTargets, type Resolution } from './targets.js';
import type { ControllerEvents, ControllerOptions, PermanentFailure, ResyncStatusView, ServiceKey, ServiceStatusView } from './types.js';
import { warnUnresolvedRouting } from './traffic-policies.js';
import { ZoneCache } from './zone-cache.js';

/**
 * Makes a controller for one federation and one DNS zone; nothing runs until `start()`.
 *
 * @example
 * ```ts
 * const controller = createController({
 *   federation: { name: 'myfederation', domain: 'example.com' },
 *   ownerId: 'prod-federation',
 *   clusters, // MemberClusters, e.g. createKubernetesClusters(…) from @fedsvc/kubernetes
 *   dns: { provider, zone },
 *   services: [{ manifest: nginxService }],
 * });
 * controller.on('apply-failed', (event) => console.warn(event.service, event.reason));
 * controller.start();
 * ```
 * @throws {@link ValidationError} naming the first bad option: the federation, `ownerId`, a
 * port or injected function not of its shape (`clusters`, `dns`, `logger`, `leaderElection`,
 * `resolveHostname`), a federation domain outside `dns.zone`, a number out of range (a `retry`
 * policy, a timer value outside 1 ms to 2^31−1 ms), `services` not an array, or one of them,
 * `policy`, `markerPrefix`, or an entry of `domainFilter`; a traffic policy the provider does
 * not write, or a `nearest` location it does not accept; a provider listing `nearest` or
 * `weighted` without valid `routing`.
 */
export function createController(options: ControllerOptions): FederationController {
  return new FederationController(options);
}

/** See {@link createController}. Events: {@link ControllerEvents}. */
export class FederationController extends EventEmitter<ControllerEvents> {
  readonly #options: ControllerOptions;
  readonly #settings: Settings;
  readonly #world = emptyClusterState();
  /**
   * The clusters' events not yet reduced: those that arrive together (a watch's listing, the
   * shards a pass creates) are reduced in one step, at the end of the turn or before anything
   * reads the clusters' state.
   */
  #heard: StateEvent[] = [];
  /** The shards the passes placing a service are writing: their echoes ask for no pass (echoes.ts). */
  readonly #written = new WrittenShards();
  readonly #services = new Map<ServiceKey, ServiceRecord>();
  /** The service a record name (or its ownership marker) belongs to, if any. */
  readonly #serviceOf = (name: string): ServiceKey | undefined =>
    serviceOfName(this.#options.federation, name, this.#settings.markerPrefix);
  readonly #scheduler: Scheduler;
  readonly #zone: ZoneCache;
  readonly #hostnames: HostnameCache | undefined;
  readonly #resolution: Resolution;
  /** A shard's targets as a pass plans them. */
  readonly #targets: (shard: ShardStatus) => PlannedTargets;
  /** The planner's rule of shard health, over the shard's targets as a pass plans them. */
  readonly #judge: JudgeHealth;
  /** Clusters left out of DNS: their topology is malformed or clashes with another's. */
  readonly #exclusions: ClusterExclusions;
  /** Each service's failures retrying cannot fix (see `permanentFailures()`). */
  readonly #permanent = new Map<ServiceKey, readonly PermanentFailure[]>();
  /** Every pass's shard writes, bounded per member cluster. */
  readonly #shardWrites: ShardWrites;

  #state: 'new' | 'running' | 'stopped' = 'new';
  #leading = false;
  /** The member clusters have all been heard from ('synced'): nothing is planned before. */
  #synced = false;
  /** Goes up at every change of leader: a pass started in an earlier term writes nothing more. */
  #term = 0;
  /**
   * The host has given its whole list of services (`services`, or a call to `resync()`): only
   * then may a pass delete the records of services this controller does not know.
   */
  #servicesComplete: boolean;
  #watch: { stop(): Promise<void> } | undefined;
  #campaign: { stop(): Promise<void> } | undefined;
  readonly #periodic: PeriodicResync;

  /** @throws {@link ValidationError} as {@link createController}. */
  constructor(options: ControllerOptions) {
    super();
    this.#options = options;
    this.#settings = controllerSettings(options);
    const gate = () => ({ running: this.#state === 'running', leading: this.#leading, synced: this.#synced, term: this.#term });
    this.#scheduler = new Scheduler({ ...this.#settings, random: options.random ?? Math.random }, gate, (batch, sweep, term) =>
      runPass(this.#passContext(), batch, sweep, term),
    );
    this.#zone = new ZoneCache(this.#serviceOf);
    this.#shardWrites = new ShardWrites(
      (action) => options.clusters.applyShard(action),
      this.#settings.shardWritesPerCluster,
      this.#settings.callTimeoutMs,
    );
    this.#periodic = new PeriodicResync({
      provider: options.dns.provider,
      zone: options.dns.zone,
      logger: options.logger,
      resyncMs: this.#settings.resyncMs,
      callTimeoutMs: this.#settings.callTimeoutMs,
      scheduler: this.#scheduler,
      cache: this.#zone,
      running: () => this.#state === 'running',
      leading: () => this.#leading,
      synced: () => this.#synced,
      term: () => this.#term,
      sweep: () => this.#resync(),
      parked: () => this.#permanent.keys(),
      emit: (...args) => this.emit(...args),
    });
    ({ hostnames: this.#hostnames, resolution: this.#resolution } = hostnameResolution(
      options,
      this.#settings.hostnameTtlMs,
      this.#settings.callTimeoutMs,
      (host) => servicesUsing(this.#services, this.#world, host),
      (keys) => this.#scheduler.mark(keys),
    ));
    this.#targets = plannedTargets(this.#resolution, options.logger, (shard, refused) => {
      const service = keyOf(shard.namespace, shard.name);
      options.logger?.warn({ service, cluster: shard.cluster, ...refused }, 'load-balancer address left out of DNS');
      this.emit('address-refused', { service, cluster: shard.cluster, ...refused });
    });
    this.#judge = shardHealth(this.#resolution);
    this.#exclusions = new ClusterExclusions(options.federation, {
      excluded: (cluster, error) => {
        options.logger?.warn({ cluster, field: error.field, value: error.value, error: error.message }, 'cluster left out of DNS');
        this.emit('cluster-excluded', { cluster, error });
      },
      included: (cluster) => {
        options.logger?.info({ cluster }, 'cluster back in DNS');
        this.emit('cluster-included', { cluster });
      },
    });
    for (const [i, service] of (options.services ?? []).entries()) this.#register(service, `services[${i}]`);
    this.#servicesComplete = options.services !== undefined;
  }

  // ---- lifecycle --------------------------------------------------------------------------

  /**
   * Starts watching the member clusters (and campaigning, with leader election). Nothing is
   * planned before the clusters say they are all synced.
   *
   * @throws Error when the controller was already started or stopped: a controller runs once.
   */
  start(): void {
    if (this.#state !== 'new') throw new Error(`the controller was already ${this.#state === 'running' ? 'started' : 'stopped'}`);
    this.#state = 'running';
    this.#watch = this.#options.clusters.watch((event) => this.#onEvent(event));
    if (this.#options.leaderElection) {
      this.#campaign = this.#options.leaderElection.campaign((leading) => this.#setLeading(leading));
    } else {
      this.#setLeading(true);
    }
    this.#periodic.start();
  }

  /**
   * Stops watching; drops the passes not started and the shard writes still waiting their turn
   * (their services fail, retryably), lets the passes under way finish while still
   * holding the lease (and the hostnames they resolved), and only then stops campaigning (which
   * releases it), so that two replicas never write at once. Calling it again does nothing.
   * Every call into a port is bounded by `callTimeoutMs`, so stopping ends even when a port
   * never answers: the passes under way end within their calls' deadlines, and a watch or
   * campaign whose own `stop()` never settles is left behind with a warning.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => void controller.stop().then(() => process.exit(0)));
   * ```
   */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#reduceHeard();
    this.#state = 'stopped';
    this.#periodic.stop();
    this.#scheduler.halt();
    // Writes waiting their turn are not started: the passes under way end within their writes' deadlines.
    this.#shardWrites.stop();
    await this.#bounded('clusters.watch().stop', this.#watch);
    await this.#scheduler.drained();
    this.#hostnames?.stop();
    await this.#bounded('leaderElection.campaign().stop', this.#campaign);
    this.#scheduler.checkIdle();
  }

  /** Stops a port's watch or campaign, waiting at most `callTimeoutMs`: stop() must end whatever the port does. */
  async #bounded(what: string, running: { stop(): Promise<void> } | undefined): Promise<void> {
    if (!running) return;
    await withDeadline(() => running.stop(), this.#settings.callTimeoutMs, what).catch((error: unknown) => {
      this.#options.logger?.warn({ error: (error as Error)?.message ?? String(error) }, `${what} failed; stopping anyway`);
    });
  }

  /** True while this replica writes (always, without leader election). */
  get leading(): boolean {
    return this.#leading;
  }

  /**
   * Resolves when nothing is waiting, running or scheduled for retry (at once when stopped or
   * standing by). A service whose pass failed for a reason retrying cannot fix is settled: it
   * waits for a change, not a retry (see {@link permanentFailures}).
   *
   * @example
   * ```ts
   * controller.applyService(service);
   * await controller.idle(); // the zone now holds the service's records, or `apply-failed` said why not
   * ```
   */
  idle(): Promise<void> {
    this.#reduceHeard();
    return this.#scheduler.idle();
  }

  // ---- federated services -----------------------------------------------------------------

  /**
   * Creates or changes a federated service: placed in every selected cluster, its records kept.
   *
   * @example
   * ```ts
   * controller.applyService({ manifest: nginxService, clusterSelector: { matchLabels: { tier: 'edge' } } });
   * ```
   * @throws {@link ValidationError} when the manifest is not a v1 Service with metadata and
   * spec, holds something that is not JSON data (a BigInt, a function, a cycle, a getter that
   * throws), the selector, the `clusters` list (or both given), an override, the `ttl` or the
   * `trafficPolicy` is malformed, the DNS provider does not write that traffic policy (or does
   * not accept a `nearest` location it names), or the
   * names make an invalid record name. The manifest
   * is kept as a copy: changing the object afterwards changes nothing until it is applied again.
   */
  applyService(service: FederatedService): void {
    this.#scheduler.mark([this.#register(service, 'service')]);
  }

  #register(service: FederatedService, field: string): ServiceKey {
    const key = registerService(this.#services, this.#options.federation, service, field, this.#settings.writablePolicies);
    // Once per service: a host relists its services at every resync.
    const record = this.#services.get(key)!;
    if (!record.toldUnresolvedRouting)
      record.toldUnresolvedRouting = warnUnresolvedRouting(record.service.trafficPolicy, `${field}.trafficPolicy`, this.#options);
    return key;
  }

  /**
   * Deletes the shards the federation created, releases those it adopted (removes its
   * `fedsvc.io/adopted-by` and `fedsvc.io/applied` annotations, nothing else), or deletes them
   * too with `deleteAdopted` (default false), and withdraws every record of the service. The
   * service is forgotten (`service-deleted`) once no cluster out of sight may still hold a shard.
   *
   * @example
   * ```ts
   * controller.deleteService('mynamespace', 'nginx', { deleteAdopted: true });
   * ```
   * @throws {@link ValidationError} when an argument is not of its type, or the names make an
   * invalid record name.
   */
  deleteService(namespace: string, name: string, options: { deleteAdopted?: boolean } = {}): void {
    if (typeof namespace !== 'string') throw new ValidationError('namespace', namespace, 'must be a string');
    if (typeof name !== 'string') throw new ValidationError('name', name, 'must be a string');
    if (typeof options !== 'object' || options === null) throw new ValidationError('options', options, 'must be an object');
    if (options.deleteAdopted !== undefined && typeof options.deleteAdopted !== 'boolean')
      throw new ValidationError('options.deleteAdopted', options.deleteAdopted, 'must be a boolean');
    recordNames(this.#options.federation, { namespace, name });
    this.#scheduler.mark([markDeleted(this.#services, namespace, name, options.deleteAdopted === true)]);
  }

  /**
   * Reads the zone anew, plans every service again, and removes the records of services this
   * controller does not know, and their shards: those this owner created are deleted, those it
   * adopted released, as by `deleteService`. Calling it says the host has applied every service
   * it has (say, once its own watch has synced): until then, or unless `services` was given,
   * records and shards of unknown services are left alone, so that a restart never deletes what
   * is not registered yet.
   *
   * @example
   * ```ts
   * for (const service of await listFederatedServices()) controller.applyService(service);
   * controller.resync(); // now records of services not listed may go
   * ```
   */
  resync(): void {
    this.#servicesComplete = true;
    this.#resync();
  }

  /**
   * The federated service's status: each cluster's health and shard (`healthy` as in
   * {@link isShardHealthy}; `excluded` when the cluster is left out of DNS; `origin`, created or
   * adopted), the union of load-balancer ingress, the clusters fail static holds, the state of
   * its records and the names it answers to (`dns`), and, while a deleted service is being
   * removed, the clusters it waits for (`deleting`).
   *
   * @example
   * ```ts
   * const { clusters } = controller.status('mynamespace', 'nginx');
   * console.log(clusters.filter((c) => c.healthy).map((c) => c.cluster));
   * ```
   */
  status(namespace: string, name: string): ServiceStatusView {
    this.#reduceHeard();
    const key = keyOf(namespace, name);
    return serviceStatus(
      this.#world,
      key,
      { namespace, name },
      this.#services.get(key),
      this.#options.ownerId,
      this.#exclusions.excluded,
      (shard) => shardTargets(shard, this.#resolution).refused,
    );
  }

  /**
   * The periodic resync: its period, stretched to what the provider's request budget allows
   * (`readInterval`), why, and how many resyncs read the zone or skipped the read.
   *
   * @example
   * ```ts
   * const { periodMs, reason } = controller.resyncStatus();
   * if (reason === 'provider-read-interval') console.log(`the zone is read every ${periodMs / 1000} s`);
   * ```
   */
  resyncStatus(): ResyncStatusView {
    return this.#periodic.status;
  }

  /**
   * The failures retrying cannot fix, of each service's last pass that met any, sorted by
   * service (empty when none, and while standing by): each was told once by `apply-failed` with
   * `permanent: true` and logged at error level. Such a service is not retried on a backoff; it
   * is passed again when it is applied or deleted, when its clusters or shards change, at every
   * periodic resync and at `resync()`, and leaves this list once a pass succeeds (or meets
   * other failures retrying cannot fix, which replace these).
   *
   * @example
   * ```ts
   * await controller.idle();
   * for (const { service, reason, error } of controller.permanentFailures()) console.error(service, reason, error.message);
   * ```
   */
  permanentFailures(): readonly PermanentFailure[] {
    return [...this.#permanent.keys()].sort().flatMap((key) => this.#permanent.get(key) ?? []);
  }

  #resync(): void {
    this.#markOrphans();
    this.#scheduler.sweep(this.#services.keys());
  }

  /**
   * Once the host has given every service it has and the clusters have been heard from, a
   * service holding shards this owner created or adopted that the host did not give is gone:
   * it is deleted as if `deleteService` had been called (created shards deleted, adopted ones
   * released). Shards of other owners are not this controller's to judge.
   */
  #markOrphans(): void {
    if (!this.#servicesComplete || !this.#synced) return;
    const orphans: ServiceKey[] = [];
    for (const [key, split] of this.#world.shards) {
      if (this.#services.has(key)) continue;
      const shard = allShards(split).find((held) => ours(held.manifest, this.#options.ownerId));
      if (shard) orphans.push(markDeleted(this.#services, shard.namespace, shard.name, false));
    }
    if (orphans.length === 0) return;
    this.#options.logger?.info({ services: orphans }, 'shards of services no longer federated: removing them');
    this.#scheduler.mark(orphans);
  }

  // ---- events from the clusters -----------------------------------------------------------

  #onEvent(event: ClusterEvent): void {
    if (this.#state !== 'running') return;
    switch (event.type) {
      case 'error':
        this.#reduceHeard();
        this.#options.logger?.warn({ cluster: event.cluster, error: event.error.message }, 'unusable data from member cluster');
        this.emit('cluster-error', { cluster: event.cluster, error: event.error });
        return;
      case 'synced':
        this.#reduceHeard();
        this.#synced = true;
        this.#markOrphans();
        this.#scheduler.wake();
        return;
      case 'cluster-removed':
        forgetCluster(this.#services.values(), event.name);
        this.#hear(event);
        return;
      case 'cluster':
      case 'shard':
      case 'shard-removed':
        this.#hear(event);
        return;
    }
    // An implementation in plain JavaScript may send a type the port does not have: it says nothing to act on.
  }

  #hear(event: StateEvent): void {
    this.#heard.push(event);
    if (this.#heard.length === 1) queueMicrotask(() => this.#reduceHeard());
  }

  /** Reduces the events heard so far in one step. */
  #reduceHeard(): void {
    if (this.#heard.length === 0) return;
    const events = this.#heard;
    this.#heard = [];
    this.#commit(reduceClusterEvents(this.#world, events, this.#judge, this.#written));
  }

  /** Takes a step of the clusters' state, and tells and schedules what it says. */
  #commit(step: ClusterStep): void {
    commitClusterStep(this.#world, step);
    this.#exclusions.update(this.#world.clusters);
    deliverNotifications(step.notifications, this, this.#scheduler, this.#services);
  }

  #setLeading(leading: boolean): void {
    // Losing the lease counts while stopping too: the passes still draining must write no more.
    if (leading === this.#leading || (leading && this.#state !== 'running')) return;
    this.#leading = leading;
    this.#term++;
    // Another replica may have written meanwhile.
    this.#zone.forget();
    // The leader's passes say what fails now; a failure found again after a takeover is told again.
    this.#permanent.clear();
    this.emit(leading ? 'leader-acquired' : 'leader-lost');
    this.#options.logger?.info({ leading }, leading ? 'leading' : 'standing by');
    if (leading) this.#resync();
    else {
      this.#shardWrites.drop(new ShardWriteDropped('shard write not started: this replica no longer leads'));
      this.#scheduler.checkIdle();
    }
  }

  // ---- what a pass works with -------------------------------------------------------------

  #passContext(): PassContext {
    this.#reduceHeard();
    return {
      options: this.#options,
      settings: this.#settings,
      world: this.#world,
      services: this.#services,
      zone: this.#zone,
      scheduler: this.#scheduler,
      hostnames: this.#hostnames,
      shardWrites: this.#shardWrites,
      emit: (event, ...args) => this.emit(event, ...args),
      serviceOf: this.#serviceOf,
      targets: this.#targets,
      aliased: this.#resolution.aliased,
      writing: (service, actions) => this.#written.writing(service, actions),
      placed: (services) => {
        this.#reduceHeard();
        return this.#written.forget(services);
      },
      writeFailed: (service) => void this.#written.forget([service]),
      rejudge: (services) => {
        this.#reduceHeard();
        this.#commit(judgeAll(this.#world, this.#judge, { services }));
      },
      term: () => this.#term,
      servicesComplete: () => this.#servicesComplete,
      zoneRead: () => this.#periodic.zoneRead(),
      excluded: () => this.#exclusions.excluded,
      permanent: this.#permanent,
    };
  }
}
