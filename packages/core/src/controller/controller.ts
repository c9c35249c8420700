// The federation controller: watches member clusters, places shards, and keeps one DNS zone
// in step with the plan. Event-driven with a short coalescing window, plus a periodic full
// resync; passes run on a bounded queue, DNS passes under a per-zone rate limit.
import { EventEmitter } from 'eventemitter3';
import PQueue from 'p-queue';
import { ProviderError, ValidationError } from '../errors.js';
import { normalizeName } from '../dns/names.js';
import { ownershipSubject, validateOwnerId } from '../dns/ownership.js';
import { createdBy, placeShards, selectorMatches, validateSelector, type FederatedService } from '../placement/placement.js';
import { planServiceRecords, recordNames } from '../planning/plan.js';
import { reconcileZone, UnwrittenRecordsError, type ReconcileReport } from '../zone/reconcile.js';
import { aggregateServiceStatus } from '../planning/status.js';
import type {
  Change, ClusterEvent, ClusterStatus, RecordSet, Shard, ShardAction, ShardStatus,
} from '../types.js';
import { decideFailStatic } from './fail-static.js';
import { HostnameCache } from './hostnames.js';
import type { ControllerEvents, ControllerOptions, ServiceKey, ServiceStatusView } from './types.js';

const DEFAULTS = {
  coalesceMs: 50,
  resyncMs: 5 * 60_000,
  concurrency: 4,
  zoneRateLimit: 10,
  maxWithdrawFraction: 0.5,
  backoffBaseMs: 500,
  backoffMaxMs: 60_000,
};

const keyOf = (namespace: string, name: string): ServiceKey => `${namespace}/${name}`;

interface Deleting {
  readonly service: FederatedService;
  readonly deleteAdopted: boolean;
}

export function createController(options: ControllerOptions): FederationController {
  return new FederationController(options);
}

export class FederationController extends EventEmitter<ControllerEvents> {
  readonly #options: ControllerOptions;
  readonly #coalesceMs: number;
  readonly #resyncMs: number;
  readonly #maxWithdraw: number;
  readonly #domain: string;
  readonly #work: PQueue;
  readonly #zoneQueue: PQueue;
  readonly #hostnames: HostnameCache | undefined;

  #state: 'new' | 'running' | 'stopped' = 'new';
  #leading = false;
  /** The member clusters have all been heard from ('synced'): nothing is planned before. */
  #synced = false;
  /** Hostnames already warned about as neither resolvable nor aliasable. */
  readonly #warned = new Set<string>();
  /** Goes up at every change of leader: a pass started in an earlier term writes nothing more. */
  #term = 0;
  /**
   * The host has given its whole list of services (`services`, or a call to `resync()`): only
   * then may a pass delete the records of services this controller does not know.
   */
  #servicesComplete: boolean;
  #watch: { stop(): Promise<void> } | undefined;
  #campaign: { stop(): Promise<void> } | undefined;
  #resyncTimer: ReturnType<typeof setInterval> | undefined;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #lastFlush = -Infinity;

  readonly #clusters = new Map<string, ClusterStatus>();
  readonly #shards = new Map<ServiceKey, Map<string, ShardStatus>>();
  readonly #services = new Map<ServiceKey, FederatedService>();
  readonly #deleting = new Map<ServiceKey, Deleting>();
  readonly #lastGood = new Map<ServiceKey, Map<string, Shard>>();
  /** Per service, the clusters seen (Ready or NotReady) when it was planned. */
  readonly #seen = new Map<ServiceKey, Set<string>>();
  readonly #held = new Map<ServiceKey, readonly string[]>();
  /**
   * The zone's records by service, as last read and since written, so that a pass for one
   * service reads nothing. Unknown (undefined) until the first read, and again after a failed
   * pass or a change of leader; a full resync reads the zone anew, which repairs drift.
   */
  #zone: Map<ServiceKey, RecordSet<string>[]> | undefined;
  /** Services waiting for a pass, with when they were first asked for. */
  readonly #dirty = new Map<ServiceKey, number>();
  #sweep = false;
  readonly #running = new Set<ServiceKey>();
  readonly #retries = new Map<ServiceKey, { attempt: number; timer: ReturnType<typeof setTimeout> | undefined }>();
  #idleWaiters: (() => void)[] = [];

  constructor(options: ControllerOptions) {
    super();
    this.#options = options;
    // Validates the federation (name, domain) at the boundary.
    recordNames(options.federation, { namespace: 'x', name: 'x' });
    this.#domain = normalizeName(options.federation.domain);
    validateOwnerId(options.ownerId);
    this.#coalesceMs = nonNegative('coalesceMs', options.coalesceMs ?? DEFAULTS.coalesceMs);
    this.#resyncMs = positive('resyncMs', options.resyncMs ?? DEFAULTS.resyncMs);
    const concurrency = positiveInteger('concurrency', options.concurrency ?? DEFAULTS.concurrency);
    const zoneRateLimit = positiveInteger('zoneRateLimit', options.zoneRateLimit ?? DEFAULTS.zoneRateLimit);
    this.#maxWithdraw = options.failStatic?.maxWithdrawFraction ?? DEFAULTS.maxWithdrawFraction;
    if (!(this.#maxWithdraw >= 0 && this.#maxWithdraw <= 1)) {
      throw new ValidationError('failStatic.maxWithdrawFraction', this.#maxWithdraw, 'must be a number from 0 to 1');
    }
    nonNegative('backoff.baseMs', options.backoff?.baseMs ?? DEFAULTS.backoffBaseMs);
    nonNegative('backoff.maxMs', options.backoff?.maxMs ?? DEFAULTS.backoffMaxMs);
    this.#work = new PQueue({ concurrency });
    // One pass at a time writes to the zone, so that the controller's picture of it stays exact.
    this.#zoneQueue = new PQueue({ concurrency: 1, intervalCap: zoneRateLimit, interval: 1000 });
    const ttlMs = (options.federation.ttl ?? 180) * 1000;
    this.#hostnames = options.resolveHostname
      ? new HostnameCache(options.resolveHostname, ttlMs, (host) => this.#servicesUsing(host).length > 0,
        (host) => this.#mark(this.#servicesUsing(host)), options.logger)
      : undefined;
    for (const [i, service] of (options.services ?? []).entries()) this.#register(service, `services[${i}]`);
    this.#servicesComplete = options.services !== undefined;
  }

  // ---- lifecycle --------------------------------------------------------------------------

  /** Starts watching the member clusters (and campaigning, with leader election). */
  start(): void {
    if (this.#state !== 'new') throw new Error(`the controller was already ${this.#state === 'running' ? 'started' : 'stopped'}`);
    this.#state = 'running';
    this.#watch = this.#options.clusters.watch((event) => this.#onEvent(event));
    if (this.#options.leaderElection) {
      this.#campaign = this.#options.leaderElection.campaign((leading) => this.#setLeading(leading));
    } else {
      this.#setLeading(true);
    }
    this.#resyncTimer = setInterval(() => {
      // A MemberClusters implementation that never says 'synced' would leave the controller idle without a word.
      if (!this.#synced) this.#options.logger?.warn({}, "the member clusters have not said 'synced' yet: nothing is planned until they do");
      this.#resync();
    }, this.#resyncMs);
    this.#resyncTimer.unref?.();
  }

  /**
   * Stops watching; drops the passes not started, lets those under way finish while still
   * holding the lease (and the hostnames they resolved), and only then stops campaigning (which
   * releases it), so that two replicas never write at once.
   */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    clearInterval(this.#resyncTimer);
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    for (const retry of this.#retries.values()) clearTimeout(retry.timer);
    this.#retries.clear();
    this.#work.clear();
    await this.#watch?.stop();
    await this.#work.onIdle();
    this.#hostnames?.stop();
    await this.#campaign?.stop();
    this.#checkIdle();
  }

  /** True while this replica writes (always, without leader election). */
  get leading(): boolean {
    return this.#leading;
  }

  /** Resolves when nothing is waiting, running or scheduled for retry. */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve);
      this.#checkIdle();
    });
  }

  // ---- federated services -----------------------------------------------------------------

  /** Creates or changes a federated service: placed in every selected cluster, its records kept. */
  applyService(service: FederatedService): void {
    this.#register(service, 'service');
    this.#mark([keyOf(service.manifest.metadata.namespace, service.manifest.metadata.name)]);
  }

  /** Deletes the shards the federation created (adopted ones too when asked) and every record of the service. */
  deleteService(namespace: string, name: string, options: { deleteAdopted?: boolean } = {}): void {
    recordNames(this.#options.federation, { namespace, name });
    const key = keyOf(namespace, name);
    const service = this.#services.get(key) ?? this.#deleting.get(key)?.service ?? {
      manifest: { apiVersion: 'v1', kind: 'Service', metadata: { namespace, name }, spec: {} },
    };
    this.#services.delete(key);
    this.#deleting.set(key, { service, deleteAdopted: options.deleteAdopted === true });
    this.#mark([key]);
  }

  /**
   * Reads the zone anew, plans every service again, and removes the records of services this
   * controller does not know. Calling it says the host has applied every service it has (say,
   * once its own watch has synced): until then, or unless `services` was given, records of
   * unknown services are left alone, so that a restart never deletes what is not registered yet.
   */
  resync(): void {
    this.#servicesComplete = true;
    this.#resync();
  }

  #resync(): void {
    this.#sweep = true;
    this.#mark([...this.#services.keys(), ...this.#deleting.keys()]);
  }

  status(namespace: string, name: string): ServiceStatusView {
    const key = keyOf(namespace, name);
    const shards = this.#shards.get(key) ?? new Map<string, ShardStatus>();
    const clusters = [...this.#clusters.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((cluster) => {
      const shard = shards.get(cluster.name);
      return {
        cluster: cluster.name,
        health: cluster.health,
        ...(cluster.reason === undefined ? {} : { reason: cluster.reason }),
        shard: shard !== undefined,
        readyEndpoints: shard?.readyEndpoints ?? 0,
        ingress: shard?.ingress ?? [],
        healthy: shard !== undefined && this.#healthy(shard),
      };
    });
    const present = [...shards.values()].filter((shard) => this.#clusters.has(shard.cluster));
    return { namespace, name, loadBalancer: aggregateServiceStatus(present).loadBalancer, clusters, failStatic: this.#held.get(key) ?? [] };
  }

  // ---- events from the clusters -----------------------------------------------------------

  #onEvent(event: ClusterEvent): void {
    if (this.#state !== 'running') return;
    switch (event.type) {
      case 'cluster': {
        const { cluster } = event;
        const before = this.#clusters.get(cluster.name);
        const healthyBefore = this.#healthyShardsIn(cluster.name);
        this.#clusters.set(cluster.name, cluster);
        if (cluster.health === 'Ready' && before?.health !== 'Ready') this.emit('cluster-ready', { cluster: cluster.name });
        if (cluster.health === 'Offline' && before?.health !== 'Offline') {
          this.emit('cluster-offline', { cluster: cluster.name, ...(cluster.reason === undefined ? {} : { reason: cluster.reason }) });
        }
        this.#reportHealthFlips(cluster.name, healthyBefore);
        this.#mark(this.#allServices());
        return;
      }
      case 'cluster-removed': {
        const healthyBefore = this.#healthyShardsIn(event.name);
        this.#clusters.delete(event.name);
        for (const shards of this.#shards.values()) shards.delete(event.name);
        for (const lastGood of this.#lastGood.values()) lastGood.delete(event.name);
        for (const seen of this.#seen.values()) seen.delete(event.name);
        for (const key of healthyBefore) this.emit('shard-health-changed', { service: key, cluster: event.name, healthy: false });
        this.#mark(this.#allServices());
        return;
      }
      case 'shard':
      case 'shard-removed': {
        const ref = event.type === 'shard' ? event.shard : event;
        const key = keyOf(ref.namespace, ref.name);
        let shards = this.#shards.get(key);
        if (!shards) this.#shards.set(key, shards = new Map());
        const before = shards.get(ref.cluster);
        if (event.type === 'shard') shards.set(ref.cluster, event.shard);
        else if (shards.delete(ref.cluster) && shards.size === 0) this.#shards.delete(key);
        const wasHealthy = before !== undefined && this.#healthy(before);
        const isHealthy = event.type === 'shard' && this.#healthy(event.shard);
        if (wasHealthy !== isHealthy) this.emit('shard-health-changed', { service: key, cluster: ref.cluster, healthy: isHealthy });
        if (this.#services.has(key) || this.#deleting.has(key)) this.#mark([key]);
        return;
      }
      case 'error':
        this.#options.logger?.warn({ cluster: event.cluster, error: event.error.message }, 'unusable data from member cluster');
        this.emit('cluster-error', { cluster: event.cluster, error: event.error });
        return;
      case 'synced':
        this.#synced = true;
        this.#scheduleFlush();
    }
  }

  #healthy(shard: ShardStatus): boolean {
    return this.#clusters.get(shard.cluster)?.health === 'Ready' && shard.readyEndpoints > 0 && shard.ingress.length > 0;
  }

  #healthyShardsIn(cluster: string): ServiceKey[] {
    const keys: ServiceKey[] = [];
    for (const [key, shards] of this.#shards) {
      const shard = shards.get(cluster);
      if (shard && this.#healthy(shard)) keys.push(key);
    }
    return keys;
  }

  #reportHealthFlips(cluster: string, healthyBefore: readonly ServiceKey[]): void {
    const before = new Set(healthyBefore);
    const after = new Set(this.#healthyShardsIn(cluster));
    for (const key of before) if (!after.has(key)) this.emit('shard-health-changed', { service: key, cluster, healthy: false });
    for (const key of after) if (!before.has(key)) this.emit('shard-health-changed', { service: key, cluster, healthy: true });
  }

  #setLeading(leading: boolean): void {
    // Losing the lease counts while stopping too: the passes still draining must write no more.
    if (leading === this.#leading || (leading && this.#state !== 'running')) return;
    this.#leading = leading;
    this.#term++;
    // Another replica may have written meanwhile.
    this.#zone = undefined;
    this.emit(leading ? 'leader-acquired' : 'leader-lost');
    this.#options.logger?.info({ leading }, leading ? 'leading' : 'standing by');
    if (leading) this.#resync();
    else this.#checkIdle();
  }

  // ---- scheduling -------------------------------------------------------------------------

  #allServices(): ServiceKey[] {
    return [...this.#services.keys(), ...this.#deleting.keys()];
  }

  #servicesUsing(hostname: string): ServiceKey[] {
    const keys: ServiceKey[] = [];
    for (const [key, shards] of this.#shards) {
      if (!this.#services.has(key)) continue;
      for (const shard of shards.values()) if (shard.ingress.some((entry) => entry.hostname === hostname)) keys.push(key);
    }
    return keys;
  }

  #mark(keys: Iterable<ServiceKey>): void {
    const now = performance.now();
    for (const key of keys) if (!this.#dirty.has(key)) this.#dirty.set(key, now);
    this.#scheduleFlush();
  }

  /** A lone event is planned on the next turn; events within the window after a pass wait for its end. */
  #scheduleFlush(): void {
    if (this.#flushTimer !== undefined || this.#state !== 'running' || !this.#leading || !this.#synced) return;
    if (this.#dirty.size === 0 && !this.#sweep) return;
    const delay = Math.max(0, this.#lastFlush + this.#coalesceMs - performance.now());
    this.#flushTimer = setTimeout(() => this.#flush(), delay);
  }

  #flush(): void {
    this.#flushTimer = undefined;
    if (this.#state !== 'running' || !this.#leading) return;
    this.#lastFlush = performance.now();
    const batch = new Map<ServiceKey, number>();
    for (const [key, since] of this.#dirty) {
      if (this.#running.has(key)) continue;
      batch.set(key, since);
      this.#dirty.delete(key);
      this.#running.add(key);
    }
    const sweep = this.#sweep;
    this.#sweep = false;
    if (batch.size === 0 && !sweep) return;
    const term = this.#term;
    void this.#work.add(() => this.#pass(batch, sweep, term)).finally(() => {
      for (const key of batch.keys()) this.#running.delete(key);
      this.#scheduleFlush();
      this.#checkIdle();
    });
  }

  #scheduleRetry(key: ServiceKey): void {
    if (this.#state !== 'running') return;
    const retry = this.#retries.get(key) ?? { attempt: 0, timer: undefined };
    retry.attempt++;
    const base = this.#options.backoff?.baseMs ?? DEFAULTS.backoffBaseMs;
    const max = this.#options.backoff?.maxMs ?? DEFAULTS.backoffMaxMs;
    const random = this.#options.random ?? Math.random;
    const delay = Math.min(max, base * 2 ** Math.min(retry.attempt - 1, 30)) * (0.5 + random() / 2);
    clearTimeout(retry.timer);
    retry.timer = setTimeout(() => {
      retry.timer = undefined;
      this.#mark([key]);
    }, delay);
    this.#retries.set(key, retry);
  }

  #checkIdle(): void {
    const retrying = [...this.#retries.values()].some((retry) => retry.timer !== undefined);
    const busy = this.#state === 'running' && this.#leading
      && (this.#dirty.size > 0 || this.#sweep || this.#running.size > 0 || this.#flushTimer !== undefined || retrying);
    if (busy) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  // ---- one pass ---------------------------------------------------------------------------

  /**
   * Places the batch's services and writes their records. A pass queued or running when this
   * replica stops leading writes nothing more: the next leader reads the zone and does it.
   */
  async #pass(batch: ReadonlyMap<ServiceKey, number>, sweep: boolean, term: number): Promise<void> {
    const current = () => term === this.#term;
    if (!current()) return;
    const failed = new Set<ServiceKey>();
    const fail = (service: ServiceKey, reason: string, error: Error, cluster?: string) => {
      failed.add(service);
      this.#options.logger?.warn({ service, reason, cluster, error: error.message }, 'apply failed');
      this.emit('apply-failed', { service, reason, error, ...(cluster === undefined ? {} : { cluster }) });
    };

    const shardActions = new Map<ServiceKey, ShardAction[]>();
    await Promise.all([...batch.keys()].map(async (key) => {
      const actions = this.#place(key);
      shardActions.set(key, actions);
      if (this.#options.dryRun) return;
      await Promise.all(actions.map((action) => this.#options.clusters.applyShard(action).catch((error: unknown) => {
        fail(key, 'cluster', asError(error), action.cluster);
      })));
    }));

    if (this.#hostnames) await this.#hostnames.ensure(this.#hostnamesOf(batch.keys()));
    const desired: RecordSet[] = [];
    const inPass = new Set<ServiceKey>();
    for (const key of batch.keys()) {
      try {
        if (this.#services.has(key)) {
          const planned = this.#plan(key);
          // Out of the pass's scope, the service's records stay as the zone holds them.
          if (planned === undefined) continue;
          desired.push(...planned);
        }
        inPass.add(key);
      } catch (error) {
        fail(key, error instanceof ValidationError ? 'invalid-input' : 'error', asError(error));
      }
    }

    if (inPass.size > 0 || sweep) {
      const orphans = sweep && this.#servicesComplete;
      const inScope = (key: ServiceKey): boolean => inPass.has(key)
        || (orphans && !this.#services.has(key) && !this.#deleting.has(key) && !this.#running.has(key));
      const scope = (name: string): boolean => {
        const key = this.#serviceOfName(name);
        return key !== undefined && inScope(key);
      };
      try {
        const report = await this.#zoneQueue.add(async () => {
          if (!current()) throw new LeadershipLost();
          const zone = sweep ? undefined : this.#zone;
          const known = zone && [...inPass].flatMap((key) => zone.get(key) ?? []);
          const { provider } = this.#options.dns;
          try {
            const done = await reconcileZone({
              // Checked before every write: a pass must not write on once another replica leads.
              provider: {
                name: provider.name,
                limits: provider.limits,
                zones: () => provider.zones(),
                records: (dnsZone) => provider.records(dnsZone),
                applyChanges: (dnsZone, changes) => (current() ? provider.applyChanges(dnsZone, changes) : Promise.reject(new LeadershipLost())),
                ...(provider.canAlias ? { canAlias: provider.canAlias.bind(provider) } : {}),
                ...(provider.requestCost ? { requestCost: provider.requestCost.bind(provider) } : {}),
              },
              zone: this.#options.dns.zone,
              desired,
              ownerId: this.#options.ownerId,
              scope,
              ...(known ? { current: known } : {}),
              ...(this.#options.dryRun ? { dryRun: true } : {}),
              ...(this.#options.retry ? { retry: this.#options.retry } : {}),
              ...(this.#options.sleep ? { sleep: this.#options.sleep } : {}),
              ...(this.#options.random ? { random: this.#options.random } : {}),
              ...(this.#options.logger ? { logger: this.#options.logger } : {}),
            });
            if (current()) this.#remember(done, inScope);
            return done;
          } catch (error) {
            if (current()) this.#zone = undefined;
            throw error;
          }
        });
        this.#announce(report, inPass, batch, sweep, shardActions);
      } catch (error) {
        if (!current()) return;
        const reason = error instanceof ProviderError ? error.kind : error instanceof ValidationError ? 'invalid-input' : 'error';
        // Record sets the provider refused fail their own services only; the others were written.
        const unwritten = error instanceof UnwrittenRecordsError
          ? new Set(error.unwritten.map((ref) => this.#serviceOfName(ownershipSubject(normalizeName(ref.name)))))
          : undefined;
        for (const key of inPass) if (!unwritten || unwritten.has(key)) fail(key, reason, asError(error));
        if (error instanceof UnwrittenRecordsError) this.#announce(error.report, new Set([...inPass].filter((key) => !failed.has(key))), batch, sweep, shardActions);
      }
    }

    for (const key of batch.keys()) {
      if (failed.has(key)) {
        this.#scheduleRetry(key);
        continue;
      }
      const retry = this.#retries.get(key);
      clearTimeout(retry?.timer);
      this.#retries.delete(key);
      const shards = [...(this.#shards.get(key)?.values() ?? [])];
      this.emit('service-synced', { service: key, healthyShards: shards.filter((shard) => this.#healthy(shard)).length, shards: shards.length });
      const deleting = this.#deleting.get(key);
      // A cluster out of sight may still hold a shard we created: the service is forgotten only
      // once every cluster has been seen without one.
      const outOfSight = [...this.#clusters.values()].some((cluster) => cluster.health === 'Offline');
      if (deleting && !this.#options.dryRun && !outOfSight && (shardActions.get(key) ?? []).length === 0
        && !shards.some((shard) => deleting.deleteAdopted || createdBy(shard.manifest, this.#options.ownerId))) {
        this.#deleting.delete(key);
        this.#lastGood.delete(key);
        this.#seen.delete(key);
        this.#held.delete(key);
      }
    }
  }

  /** Tells, per service, what a pass wrote (or, in a dry run, would write). */
  #announce(report: ReconcileReport, inPass: ReadonlySet<ServiceKey>, batch: ReadonlyMap<ServiceKey, number>, sweep: boolean,
    shardActions: ReadonlyMap<ServiceKey, ShardAction[]>): void {
    const now = performance.now();
    const byService = new Map<ServiceKey, Change[]>();
    for (const change of report.changes) {
      const key = this.#serviceOfName(ownershipSubject(normalizeName(change.record.name)));
      if (key === undefined) continue;
      const list = byService.get(key);
      if (list) list.push(change);
      else byService.set(key, [change]);
    }
    for (const conflict of report.conflicts) {
      this.#options.logger?.warn({ name: conflict.name, owner: conflict.owner, types: conflict.types, target: conflict.target }, 'name held by records the federation does not own; left alone');
    }
    for (const key of inPass) {
      const changes = byService.get(key) ?? [];
      if (this.#options.dryRun) {
        this.emit('records-planned', { service: key, changes, shardActions: shardActions.get(key) ?? [] });
      } else if (changes.length > 0) {
        this.emit('records-applied', { service: key, changes, latencyMs: now - (batch.get(key) ?? now) });
      }
    }
    if (sweep && !this.#options.dryRun) {
      for (const [key, changes] of byService) if (!inPass.has(key)) this.emit('records-applied', { service: key, changes, latencyMs: 0 });
    }
  }

  /** Keeps what a pass read and wrote: the whole zone when it read it, then its own services' records. */
  #remember(report: ReconcileReport, inScope: (key: ServiceKey) => boolean): void {
    if (report.read) this.#zone = this.#byService(report.read);
    const zone = this.#zone;
    if (!zone) return;
    if (!report.records) {
      this.#zone = undefined;
      return;
    }
    for (const key of [...zone.keys()]) if (inScope(key)) zone.delete(key);
    for (const [key, records] of this.#byService(report.records)) zone.set(key, records);
  }

  #byService(records: readonly RecordSet<string>[]): Map<ServiceKey, RecordSet<string>[]> {
    const out = new Map<ServiceKey, RecordSet<string>[]>();
    for (const record of records) {
      const key = this.#serviceOfName(ownershipSubject(record.name));
      if (key === undefined) continue;
      const list = out.get(key);
      if (list) list.push(record);
      else out.set(key, [record]);
    }
    return out;
  }

  /** The shard actions a service needs now (leave excluded). */
  #place(key: ServiceKey): ShardAction[] {
    const deleting = this.#deleting.get(key);
    const service = this.#services.get(key) ?? deleting?.service;
    if (!service) return [];
    const existing = [...(this.#shards.get(key)?.values() ?? [])].filter((shard) => this.#clusters.has(shard.cluster));
    const created = new Set(existing.filter((shard) => createdBy(shard.manifest, this.#options.ownerId)).map((shard) => shard.cluster));
    return placeShards({
      service,
      clusters: [...this.#clusters.values()],
      existing,
      created,
      ownerId: this.#options.ownerId,
      deleting: deleting !== undefined,
      deleteAdopted: deleting?.deleteAdopted === true,
    }).filter((action) => action.kind !== 'leave');
  }

  /**
   * The service's records, with fail static applied to clusters out of sight; undefined when
   * they must stay as the zone holds them.
   */
  #plan(key: ServiceKey): RecordSet[] | undefined {
    const service = this.#services.get(key)!;
    const { namespace, name } = service.manifest.metadata;
    // A Service of the same name in a cluster the federated service does not select is not one of its shards.
    const clusters = [...this.#clusters.values()].filter((cluster) => selectorMatches(service.clusterSelector, cluster.labels));
    const members = new Set(clusters.map((cluster) => cluster.name));
    const shards: Shard[] = [...(this.#shards.get(key)?.values() ?? [])]
      .filter((shard) => members.has(shard.cluster))
      .map((shard) => ({ cluster: shard.cluster, readyEndpoints: shard.readyEndpoints, ...this.#targets(shard) }));
    const decision = decideFailStatic({
      clusters, shards, lastGood: this.#lastGood.get(key) ?? new Map(), seen: this.#seen.get(key) ?? new Set(), maxWithdrawFraction: this.#maxWithdraw,
    });
    this.#lastGood.set(key, decision.lastGood);
    this.#seen.set(key, decision.seen);
    const before = this.#held.get(key) ?? [];
    if (decision.held.length > 0) {
      this.#held.set(key, decision.held);
      if (decision.held.join() !== before.join()) {
        this.#options.logger?.warn({ service: key, clusters: decision.held }, 'fail static: keeping the last good addresses of clusters out of sight');
        this.emit('fail-static-engaged', { service: key, clusters: decision.held });
      }
    } else if (before.length > 0) {
      this.#held.delete(key);
      this.emit('fail-static-released', { service: key });
    }
    if (decision.keepRecords) return undefined;
    // Every zone and region of the federation gets the service's names, the clusters it does not
    // select included (they serve none of it). A cluster without a known topology cannot be
    // placed in DNS; it is left out until it has one.
    const judged = new Map(decision.clusters.map((cluster) => [cluster.name, cluster]));
    const placed = [...this.#clusters.values()].filter((cluster) => cluster.zones.length > 0 && cluster.region !== '')
      .map((cluster) => judged.get(cluster.name) ?? { name: cluster.name, zones: cluster.zones, region: cluster.region, ready: false });
    const named = new Set(placed.map((cluster) => cluster.name));
    return planServiceRecords({
      federation: this.#options.federation, service: { namespace, name }, clusters: placed, shards: decision.shards.filter((shard) => named.has(shard.cluster)),
    });
  }

  /** A shard's ingress as the planner takes it: hostnames the provider can alias, the rest resolved. */
  #targets(shard: ShardStatus): { addresses: string[]; hostnames?: string[] } {
    const addresses: string[] = [];
    const hostnames: string[] = [];
    for (const entry of shard.ingress) {
      if (entry.ip !== undefined) addresses.push(entry.ip);
      else if (entry.hostname !== undefined && this.#aliased(entry.hostname)) hostnames.push(entry.hostname);
      else if (entry.hostname !== undefined && this.#hostnames) addresses.push(...this.#hostnames.addresses(entry.hostname));
      else if (entry.hostname !== undefined) this.#unresolvable(entry.hostname);
    }
    return hostnames.length > 0 ? { addresses, hostnames } : { addresses };
  }

  /** A hostname nothing can turn into addresses: said once, since its shard silently serves nothing. */
  #unresolvable(hostname: string): void {
    if (this.#warned.has(hostname)) return;
    this.#warned.add(hostname);
    this.#options.logger?.warn({ hostname }, 'load-balancer hostname neither resolved (no resolveHostname) nor aliased by the DNS provider: its shard has no address');
  }

  #aliased(hostname: string): boolean {
    return this.#options.dns.provider.canAlias?.(normalizeName(hostname)) === true;
  }

  /** The hostnames to resolve: those the provider cannot alias. */
  #hostnamesOf(keys: Iterable<ServiceKey>): Set<string> {
    const hosts = new Set<string>();
    for (const key of keys) {
      for (const shard of this.#shards.get(key)?.values() ?? []) {
        for (const entry of shard.ingress) {
          if (entry.ip === undefined && entry.hostname !== undefined && !this.#aliased(entry.hostname)) hosts.add(entry.hostname);
        }
      }
    }
    return hosts;
  }

  /** `<service>.<namespace>.<federation>.svc.…<domain>` → `namespace/service`; other names → undefined. */
  #serviceOfName(raw: string): ServiceKey | undefined {
    // Providers may list names in their own spelling (case, trailing dot).
    const name = normalizeName(raw);
    if (!name.endsWith(`.${this.#domain}`)) return undefined;
    const labels = name.slice(0, name.length - this.#domain.length - 1).split('.');
    if (labels.length < 4 || labels[2] !== this.#options.federation.name || labels[3] !== 'svc') return undefined;
    return keyOf(labels[1]!, labels[0]!);
  }

  #register(service: FederatedService, field: string): void {
    const metadata = service?.manifest?.metadata;
    const manifest = service?.manifest;
    if (manifest?.apiVersion !== 'v1' || manifest.kind !== 'Service' || typeof metadata !== 'object' || metadata === null
      || typeof manifest.spec !== 'object' || manifest.spec === null || Array.isArray(manifest.spec)) {
      throw new ValidationError(`${field}.manifest`, manifest, 'must be a v1 Service with metadata and spec');
    }
    validateSelector(service.clusterSelector, `${field}.clusterSelector`);
    try {
      recordNames(this.#options.federation, { namespace: metadata.namespace, name: metadata.name });
    } catch (error) {
      if (error instanceof ValidationError) throw new ValidationError(`${field}.manifest.metadata.${error.field.replace(/^service\./, '')}`, error.value, error.reason);
      throw error;
    }
    const key = keyOf(metadata.namespace, metadata.name);
    this.#services.set(key, service);
    this.#deleting.delete(key);
  }
}

/** Ends a pass whose replica stopped leading; never reported as a failure. */
class LeadershipLost extends Error {
  constructor() {
    super('this replica no longer leads');
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function nonNegative(field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new ValidationError(field, value, 'must be a finite number, 0 or more');
  return value;
}

function positive(field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new ValidationError(field, value, 'must be a finite number above 0');
  return value;
}

function positiveInteger(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new ValidationError(field, value, 'must be an integer of at least 1');
  return value;
}
