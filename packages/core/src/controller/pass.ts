// One pass over a batch of services: place their shards, plan their records (fail static
// applied), write the zone, and tell what happened. A pass queued or running when this replica
// stops leading writes nothing more: the next leader reads the zone and does it.
import type { EventEmitter } from 'eventemitter3';
import { ProviderError, ValidationError } from '../errors.js';
import { normalizeName } from '../dns/names.js';
import { ownershipSubject } from '../dns/ownership.js';
import { isRouted } from '../planning/traffic-policy.js';
import { ours } from '../placement/manifest.js';
import { reconcilePlanned } from '../zone/reconcile.js';
import { UnwrittenRecordsError, type ReconcileReport } from '../zone/report.js';
import type { Change, DnsProvider, DnsZone, Logger, RecordConflict, RecordSet, ShardAction, ShardStatus } from '../types.js';
import { allShards, shardIn, type ClusterState } from './cluster-state.js';
import { failureKey, retryable } from './failures.js';
import { fencedProvider, LeadershipLost } from './fenced-provider.js';
import type { HostnameCache } from './hostnames.js';
import type { Settings } from './options.js';
import { conflictsKey, failedRecords, shardChange, writtenRecords } from './outcomes.js';
import { judgeService, type PlacedFrom, placedAsWritten, placementView, placeService, planRecords } from './plan-service.js';
import type { Scheduler } from './scheduler.js';
import type { ShardWork, ShardWrites } from './shard-writes.js';
import { served, type ServiceRecord } from './services.js';
import { hostnamesToResolve, type PlannedTargets } from './targets.js';
import type { Echoes } from './echoes.js';
import type { ControllerEvents, ControllerOptions, PermanentFailure, ServiceKey } from './types.js';
import type { ZoneCache } from './zone-cache.js';

/** What a pass reads and acts on: the controller's parts, shared with it. */
export interface PassContext {
  readonly options: ControllerOptions;
  readonly settings: Settings;
  readonly world: ClusterState;
  readonly services: Map<ServiceKey, ServiceRecord>;
  readonly zone: ZoneCache;
  readonly scheduler: Scheduler;
  readonly hostnames: HostnameCache | undefined;
  /** The shard writes, bounded per member cluster and shared by every pass. */
  readonly shardWrites: ShardWrites;
  readonly emit: EventEmitter<ControllerEvents>['emit'];
  /** The service a record name belongs to, if any. */
  readonly serviceOf: (name: string) => ServiceKey | undefined;
  /** A shard's addresses and aliased hostnames as planned. */
  readonly targets: (shard: ShardStatus) => PlannedTargets;
  readonly aliased: (hostname: string) => boolean;
  /** The service's shard writes are about to start: their echoes ask for no pass while this one places it. */
  readonly writing: (service: ServiceKey, actions: readonly ShardAction[]) => void;
  /**
   * The services' shard writes have settled: the echoes heard so far are reduced, and later ones
   * ask for a pass. Answers the echoes heard.
   */
  readonly placed: (services: Iterable<ServiceKey>) => Echoes;
  /**
   * A shard write of the service failed: the echoes of its other writes ask for a pass again, as
   * any shard event does, and that pass tries the failed one again without waiting for a retry.
   */
  readonly writeFailed: (service: ServiceKey) => void;
  /** Judges the shards of these services again, once their hostnames were resolved. */
  readonly rejudge: (services: Iterable<ServiceKey>) => void;
  /** The current leadership term. */
  readonly term: () => number;
  /** Whether the host has given every service it has, so that records of others may go. */
  readonly servicesComplete: () => boolean;
  /** Called after each pass that read the whole zone. */
  readonly zoneRead: () => void;
  /** The member clusters left out of DNS, each with why. */
  readonly excluded: () => ReadonlyMap<string, ValidationError>;
  /**
   * Each service's failures retrying cannot fix, from its last pass that met any (until one
   * succeeds): told once, and not retried on a backoff.
   */
  readonly permanent: Map<ServiceKey, readonly PermanentFailure[]>;
}

/** `heldBack`: the service's records were left out only because of others' (see `retryable`). */
type Fail = (service: ServiceKey, reason: string, error: Error, cluster?: string, heldBack?: boolean) => void;

/** What the parts of one pass share. */
interface Batch {
  readonly since: ReadonlyMap<ServiceKey, number>;
  readonly sweep: boolean;
  readonly current: () => boolean;
  /** The services that failed, and those of them to retry with backoff. */
  readonly failed: Set<ServiceKey>;
  readonly retry: Set<ServiceKey>;
  /** The failures retrying cannot fix, per service. */
  readonly permanent: Map<ServiceKey, PermanentFailure[]>;
  readonly fail: Fail;
  readonly shardActions: Map<ServiceKey, ShardAction[]>;
  /** What each service with shard actions was placed from. */
  readonly placedFrom: Map<ServiceKey, PlacedFrom>;
  /** Each served service's records as planned; absent when they stay as the zone holds them. */
  readonly planned: Map<ServiceKey, RecordSet[]>;
  /** Names planned outside the domain filter, per service. */
  readonly outside: Map<ServiceKey, string[]>;
}

/**
 * Resolves with the services that failed for a reason retrying may fix, or undefined when this
 * replica stopped leading meanwhile.
 */
export async function runPass(
  ctx: PassContext,
  since: ReadonlyMap<ServiceKey, number>,
  sweep: boolean,
  term: number,
): Promise<ReadonlySet<ServiceKey> | undefined> {
  const current = () => term === ctx.term();
  if (!current()) return undefined;
  const failed = new Set<ServiceKey>();
  const retry = new Set<ServiceKey>();
  const permanent = new Map<ServiceKey, PermanentFailure[]>();
  const fail = failer(ctx, failed, retry, permanent);
  const batch: Batch = {
    since,
    sweep,
    current,
    failed,
    retry,
    permanent,
    fail,
    shardActions: new Map(),
    placedFrom: new Map(),
    planned: new Map(),
    outside: new Map(),
  };
  let echoes: Echoes;
  try {
    await placeBatch(ctx, batch);
  } finally {
    echoes = ctx.placed(since.keys());
  }
  rememberPlacements(ctx, batch, echoes);
  if (ctx.hostnames) {
    const hosts = new Set<string>();
    for (const key of since.keys()) {
      for (const host of hostnamesToResolve(allShards(ctx.world.shards.get(key)), ctx.aliased, routesGlobal(ctx, key))) hosts.add(host);
    }
    await ctx.hostnames.ensure(hosts);
    // A pass that lost the lease while resolving tells nothing more; the next leader judges anew.
    if (current()) ctx.rejudge(since.keys());
  }
  const { desired, inPass } = planBatch(ctx, batch);
  if ((inPass.size > 0 || sweep) && !(await writeZone(ctx, batch, desired, inPass))) return undefined;
  finish(ctx, batch);
  return retry;
}

/** Whether the service's global name is a routed record set (`nearest`, `weighted`): its hostnames are resolved even where aliased. */
function routesGlobal(ctx: PassContext, key: ServiceKey): boolean {
  return isRouted(ctx.services.get(key)?.service.trafficPolicy ?? ctx.options.federation.trafficPolicy);
}

/**
 * Tells a service's failure: each try's when retrying may fix it (a warning), once when it
 * cannot (an error; the same failure met again at a later pass is only a debug line).
 */
function failer(ctx: PassContext, failed: Set<ServiceKey>, retry: Set<ServiceKey>, permanent: Map<ServiceKey, PermanentFailure[]>): Fail {
  const { logger } = ctx.options;
  return (service, reason, error, cluster, heldBack) => {
    failed.add(service);
    if (retryable(error, heldBack)) {
      retry.add(service);
      logger?.warn({ service, reason, cluster, error: error.message }, 'apply failed');
      ctx.emit('apply-failed', { service, reason, error, cluster, permanent: false });
      return;
    }
    const failure: PermanentFailure = { service, reason, error, ...(cluster === undefined ? {} : { cluster }) };
    permanent.set(service, [...(permanent.get(service) ?? []), failure]);
    const key = failureKey(reason, error, cluster);
    if (ctx.permanent.get(service)?.some((told) => failureKey(told.reason, told.error, told.cluster) === key)) {
      logger?.debug({ service, reason, cluster, error: error.message }, 'apply failed again as before');
      return;
    }
    logger?.error(
      { service, reason, cluster, error: error.message },
      'apply failed, and retrying cannot fix it: the service is passed again when it or its clusters change, or at the next resync',
    );
    ctx.emit('apply-failed', { service, reason, error, cluster, permanent: true });
  };
}

/**
 * Places the batch's shards: each service's actions go to the shard writes shared by every pass,
 * and each is told as it settles (a change against the shard held before it, or a failure).
 */
function placeBatch(ctx: PassContext, batch: Batch): Promise<void> {
  const view = placementView(ctx.world.clusters);
  const placing = new Placing(ctx, batch);
  for (const key of batch.since.keys()) {
    const record = ctx.services.get(key);
    const actions = record ? placeService(ctx.world, key, record, ctx.options.ownerId, view) : [];
    batch.shardActions.set(key, actions);
    if (ctx.options.dryRun || !record || actions.length === 0) continue;
    placing.pending += actions.length;
    batch.placedFrom.set(key, { service: record.service, view, before: ctx.world.shards.get(key), actions });
    ctx.writing(key, actions);
    ctx.shardWrites.carryOut(new ServiceShards(placing, key, actions, heldBefore(ctx, key, actions)));
  }
  return placing.done();
}

/**
 * A service whose shard writes all succeeded and came back as written is remembered as placed
 * (placedAsWritten): the next pass places it again only if something changed since.
 */
function rememberPlacements(ctx: PassContext, batch: Batch, echoes: Echoes): void {
  for (const [key, from] of batch.placedFrom) {
    const record = ctx.services.get(key);
    if (record === undefined || batch.failed.has(key) || record.service !== from.service) continue;
    record.placed = placedAsWritten(ctx.world, key, from, (cluster) => echoes.of(key, cluster));
  }
}

/** The shards a conform acts on, as held before it: what it did is told against them (see `shardChange`). */
function heldBefore(ctx: PassContext, key: ServiceKey, actions: readonly ShardAction[]): (ShardStatus | undefined)[] | undefined {
  if (!actions.some((action) => action.kind === 'conform')) return undefined;
  const split = ctx.world.shards.get(key);
  return actions.map((action) => (action.kind === 'conform' ? shardIn(split, action.cluster) : undefined));
}

/** A pass's shard actions not settled yet; done once every one is. */
class Placing {
  pending = 0;
  #resolve: (() => void) | undefined;

  constructor(
    readonly ctx: PassContext,
    readonly batch: Batch,
  ) {}

  done(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((resolve) => (this.#resolve = resolve));
  }

  settledOne(): void {
    if (--this.pending === 0) this.#resolve?.();
  }
}

/** One service's shard actions in a pass: each outcome told as it comes. */
class ServiceShards implements ShardWork {
  constructor(
    readonly placing: Placing,
    readonly key: ServiceKey,
    readonly actions: readonly ShardAction[],
    readonly held: readonly (ShardStatus | undefined)[] | undefined,
  ) {}

  settled(index: number, error: Error | undefined): void {
    const { ctx, batch } = this.placing;
    const action = this.actions[index]!;
    if (error) {
      ctx.writeFailed(this.key);
      batch.fail(this.key, 'cluster', error, action.cluster);
    } else {
      const change = shardChange(action, this.held?.[index], ctx.options.ownerId);
      if (change) ctx.emit('shard-changed', { service: this.key, cluster: action.cluster, action: change });
    }
    this.placing.settledOne();
  }
}

/** The records the batch's services want, and the services whose names the pass may touch. */
function planBatch(ctx: PassContext, batch: Batch): { desired: RecordSet[]; inPass: Set<ServiceKey> } {
  const desired: RecordSet[] = [];
  const inPass = new Set<ServiceKey>();
  for (const key of batch.since.keys()) {
    try {
      const record = ctx.services.get(key);
      if (served(record)) {
        const planned = planOne(ctx, key, record);
        // Out of the pass's scope, the service's records stay as the zone holds them.
        if (planned === undefined) continue;
        desired.push(...planned);
        batch.planned.set(key, planned);
      }
      inPass.add(key);
    } catch (error) {
      const reason = error instanceof ValidationError ? 'invalid-input' : 'error';
      failRecords(ctx, key, reason, asError(error));
      batch.fail(key, reason, asError(error));
    }
  }
  return { desired, inPass };
}

/** One service's records, fail static applied and told; undefined when they must stay as the zone holds them. */
function planOne(ctx: PassContext, key: ServiceKey, record: ServiceRecord): RecordSet[] | undefined {
  const input = {
    federation: ctx.options.federation,
    world: ctx.world,
    key,
    record,
    maxWithdrawFraction: ctx.settings.maxWithdrawFraction,
    targets: ctx.targets,
    excluded: ctx.excluded(),
    routing: ctx.settings.writablePolicies.routing,
  };
  const decision = judgeService(input);
  const before = record.held;
  record.lastGood = decision.lastGood;
  record.seen = decision.seen;
  record.held = decision.held;
  if (decision.held.length > 0 && decision.held.join() !== before.join()) {
    ctx.options.logger?.warn(
      { service: key, clusters: decision.held },
      'fail static: keeping the last good addresses of clusters out of sight',
    );
    ctx.emit('fail-static-engaged', { service: key, clusters: decision.held });
  } else if (decision.held.length === 0 && before.length > 0) {
    ctx.emit('fail-static-released', { service: key });
  }
  return decision.keepRecords ? undefined : planRecords(input, decision);
}

/** Writes the zone; false when this replica stopped leading meanwhile. */
async function writeZone(ctx: PassContext, batch: Batch, desired: RecordSet[], inPass: ReadonlySet<ServiceKey>): Promise<boolean> {
  const orphans = batch.sweep && ctx.servicesComplete();
  const inScope = (key: ServiceKey): boolean => inPass.has(key) || (orphans && !ctx.services.has(key) && !ctx.scheduler.running(key));
  const filter = ctx.settings.inDomainFilter;
  const scope = (name: string): boolean => {
    const key = ctx.serviceOf(name);
    return key !== undefined && inScope(key) && (filter === undefined || filter(name));
  };
  if (filter) reportOutsideFilter(ctx, batch, desired, filter);
  // Every set planned is of a service in the pass: only the domain filter keeps any out of scope.
  const written = filter ? desired.filter((record) => filter(record.name)) : desired;
  try {
    const report = await ctx.scheduler.zone(async () => {
      if (!batch.current()) throw new LeadershipLost();
      try {
        return await reconcileKnown(ctx, batch, { desired: written, scope, inScope, inPass });
      } catch (error) {
        if (batch.current()) ctx.zone.forget();
        throw error;
      }
    });
    announce(ctx, batch, report, inPass);
  } catch (error) {
    if (!batch.current()) return false;
    const reason = error instanceof ProviderError ? error.kind : error instanceof ValidationError ? 'invalid-input' : 'error';
    // Record sets the provider refused fail their own services only; the others were written.
    const unwritten = error instanceof UnwrittenRecordsError ? new Set(error.unwritten.map((ref) => ctx.serviceOf(ref.name))) : undefined;
    const refused = error instanceof UnwrittenRecordsError ? new Set(error.refused.map((ref) => ctx.serviceOf(ref.name))) : undefined;
    for (const key of inPass) {
      if (unwritten && !unwritten.has(key)) continue;
      failRecords(ctx, key, reason, asError(error));
      batch.fail(key, reason, asError(error), undefined, refused !== undefined && !refused.has(key));
    }
    if (error instanceof UnwrittenRecordsError)
      announce(ctx, batch, error.report, new Set([...inPass].filter((key) => !batch.failed.has(key))));
  }
  return true;
}

/**
 * One reconcile of the zone, and what the controller then knows of it: the records, and the
 * zone's version they are known at. The version is asked before a full read (so that a change
 * made between the two shows as a moved version later) and after the pass's own writes. A pass
 * that re-read after a conflict leaves the version unknown: someone else is writing.
 */
async function reconcileKnown(
  ctx: PassContext,
  batch: Batch,
  pass: {
    readonly desired: RecordSet[];
    readonly scope: (name: string) => boolean;
    readonly inScope: (key: ServiceKey) => boolean;
    readonly inPass: ReadonlySet<ServiceKey>;
  },
): Promise<ReconcileReport> {
  const provider = fencedProvider(ctx.options.dns.provider, batch.current, ctx.settings.callTimeoutMs);
  const { zone } = ctx.options.dns;
  const current = batch.sweep ? undefined : withinFilter(ctx, ctx.zone.records(pass.inPass));
  const known = ctx.zone.version;
  const before = current === undefined ? await zoneVersion(provider, zone, ctx.options.logger) : undefined;
  const done = await reconcilePlanned({
    provider,
    zone,
    desired: pass.desired,
    ownerId: ctx.options.ownerId,
    markerPrefix: ctx.settings.markerPrefix,
    scope: pass.scope,
    current,
    dryRun: ctx.options.dryRun,
    policy: ctx.settings.policy,
    retry: ctx.options.retry,
    sleep: ctx.options.sleep,
    random: ctx.options.random,
    logger: ctx.options.logger,
  });
  if (!batch.current()) return done;
  const version =
    done.replans > 0 ? undefined : done.writes > 0 ? await zoneVersion(provider, zone, ctx.options.logger) : done.read ? before : known;
  ctx.zone.remember(done, pass.inScope, version);
  if (done.read) ctx.zoneRead();
  return done;
}

/**
 * The cached records the domain filter lets a pass touch: reconcilePlanned trusts what it is given
 * to be within scope, and the cache holds a service's records wherever they are.
 */
function withinFilter(ctx: PassContext, records: RecordSet<string>[] | undefined): RecordSet<string>[] | undefined {
  const filter = ctx.settings.inDomainFilter;
  if (!records || !filter) return records;
  return records.filter((record) => filter(ownershipSubject(normalizeName(record.name), ctx.settings.markerPrefix)));
}

/** The zone's version, or undefined when the provider has none or the request failed (the next resync then reads). */
async function zoneVersion(provider: DnsProvider, zone: DnsZone, logger: Logger | undefined): Promise<string | undefined> {
  if (!provider.zoneVersion) return undefined;
  try {
    return await provider.zoneVersion(zone);
  } catch (error) {
    logger?.debug(
      { zone: zone.dnsName, error: asError(error).message },
      "could not read the zone's version; the next resync reads the zone",
    );
    return undefined;
  }
}

/** Tells, per service, the names a pass planned outside the domain filter: they are not written. */
function reportOutsideFilter(ctx: PassContext, batch: Batch, desired: readonly RecordSet[], filter: (name: string) => boolean): void {
  const outside = new Map<ServiceKey, Set<string>>();
  for (const record of desired) {
    if (filter(record.name)) continue;
    const key = ctx.serviceOf(record.name);
    if (key === undefined) continue;
    const names = outside.get(key);
    if (names) names.add(record.name);
    else outside.set(key, new Set([record.name]));
  }
  for (const [service, names] of outside) {
    ctx.options.logger?.debug({ service, names: [...names] }, 'names outside the domain filter; not written');
    ctx.emit('outside-domain-filter', { service, names: [...names] });
    batch.outside.set(service, [...names]);
  }
}

/** Tells, per service, what a pass wrote (or, in a dry run, would write). */
function announce(ctx: PassContext, batch: Batch, report: ReconcileReport, inPass: ReadonlySet<ServiceKey>): void {
  const now = performance.now();
  const byService = new Map<ServiceKey, Change[]>();
  for (const change of report.changes) {
    const key = ctx.serviceOf(change.record.name);
    if (key === undefined) continue;
    const list = byService.get(key);
    if (list) list.push(change);
    else byService.set(key, [change]);
  }
  const conflicts = new Map<ServiceKey, RecordConflict[]>();
  for (const conflict of report.conflicts) {
    ctx.options.logger?.warn(
      { name: conflict.name, owner: conflict.owner, types: conflict.types, target: conflict.target },
      'name held by records the federation does not own; left alone',
    );
    const key = ctx.serviceOf(conflict.name);
    if (key !== undefined) conflicts.set(key, [...(conflicts.get(key) ?? []), conflict]);
  }
  for (const key of inPass) {
    const record = ctx.services.get(key);
    if (record) tellRecords(ctx, batch, key, record, conflicts.get(key) ?? []);
    const changes = byService.get(key) ?? [];
    if (ctx.options.dryRun) {
      ctx.emit('records-planned', { service: key, changes, shardActions: batch.shardActions.get(key) ?? [] });
    } else if (changes.length > 0) {
      ctx.emit('records-applied', { service: key, changes, latencyMs: now - (batch.since.get(key) ?? now) });
    }
  }
  if (batch.sweep && !ctx.options.dryRun) {
    for (const [key, changes] of byService) if (!inPass.has(key)) ctx.emit('records-applied', { service: key, changes, latencyMs: 0 });
  }
}

/** Keeps what the pass made of a service's records, and tells a new set of conflicts. */
function tellRecords(ctx: PassContext, batch: Batch, key: ServiceKey, record: ServiceRecord, conflicts: readonly RecordConflict[]): void {
  const told = conflictsKey(conflicts);
  if (told !== record.toldConflicts && conflicts.length > 0) ctx.emit('records-conflict', { service: key, conflicts });
  record.toldConflicts = told;
  if (ctx.options.dryRun) return;
  const planned = batch.planned.get(key);
  // Records fail static keeps as the zone holds them are as they were.
  if (planned === undefined && served(record)) return;
  record.dns = writtenRecords(planned ?? [], conflicts, batch.outside.get(key) ?? []);
}

/** Keeps that a pass could not write a service's records: before `apply-failed` tells it, so that status says it too. */
function failRecords(ctx: PassContext, key: ServiceKey, reason: string, error: Error): void {
  const record = ctx.services.get(key);
  if (record && !ctx.options.dryRun) record.dns = failedRecords(record.dns, reason, error);
}

/**
 * Keeps each service's failures retrying cannot fix; tells each service that did not fail that
 * it is synced; forgets a deleted one once nothing of it is left.
 */
function finish(ctx: PassContext, batch: Batch): void {
  for (const key of batch.since.keys()) {
    const permanent = batch.permanent.get(key);
    // A pass that failed only for reasons retrying may fix says nothing of the failures before.
    if (permanent) ctx.permanent.set(key, permanent);
    else if (!batch.failed.has(key) && ctx.permanent.delete(key))
      ctx.options.logger?.info({ service: key }, 'service synced again after a failure retrying could not fix');
  }
  // A cluster out of sight may still hold a shard we created: the service is forgotten only
  // once every cluster has been seen without one.
  const outOfSight = [...ctx.world.clusters.values()].some((cluster) => cluster.health === 'Offline');
  for (const key of batch.since.keys()) {
    if (batch.failed.has(key)) continue;
    const split = ctx.world.shards.get(key);
    const shards = allShards(split);
    ctx.emit('service-synced', { service: key, healthyShards: split?.healthy.size ?? 0, shards: shards.length });
    const deleting = ctx.services.get(key)?.deleting;
    if (
      deleting &&
      !ctx.options.dryRun &&
      !outOfSight &&
      (batch.shardActions.get(key) ?? []).length === 0 &&
      !shards.some((shard) => deleting.deleteAdopted || ours(shard.manifest, ctx.options.ownerId))
    ) {
      ctx.services.delete(key);
      ctx.emit('service-deleted', { service: key });
    }
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
