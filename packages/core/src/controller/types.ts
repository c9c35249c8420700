// The controller's options, events and ports.
import type { ValidationError } from '../errors.js';
import type { FederatedService } from '../placement/placement.js';
import type { Policy } from '../zone/policy.js';
import type { RetryPolicy } from '../zone/retry.js';
import type { ResyncPeriod } from './resync.js';
import type {
  Change,
  ClusterHealth,
  DnsProvider,
  DnsZone,
  Federation,
  LoadBalancerIngress,
  Logger,
  MemberClusters,
  RecordConflict,
  ShardAction,
} from '../types.js';

/**
 * Leader election: several controller replicas may run; only the leader writes. The
 * kubernetes package implements it with a `coordination.k8s.io` Lease.
 */
export interface LeaderElection {
  /**
   * Campaigns until stopped. `onChange(true)` when this replica starts leading,
   * `onChange(false)` when it stops (lease lost or not renewed in time). Stopping a leader
   * releases the lease so that a standby takes over at once.
   */
  campaign(onChange: (leading: boolean) => void): { stop(): Promise<void> };
}

export interface ControllerOptions {
  readonly federation: Federation;
  /** Written into ownership records and created Services; two federations sharing a zone need different ids. */
  readonly ownerId: string;
  /**
   * The prefix of ownership marker names: the marker of `x.example.com.` is a TXT at
   * `<markerPrefix>x.example.com.`. Default `_fedsvc.`; `_`, then 1 to 6 lower-case letters, digits
   * or `-`, then a dot. Names marked under another prefix are not this federation's.
   */
  readonly markerPrefix?: string;
  readonly clusters: MemberClusters;
  readonly dns: { readonly provider: DnsProvider; readonly zone: DnsZone };
  /**
   * Federated services to serve from the start, all of them: records of any other service are
   * removed, and its shards in the member clusters (created ones deleted, adopted ones
   * released). Without it, those are removed only once `resync()` is called (see there).
   */
  readonly services?: readonly FederatedService[];
  /** Events within this window are planned together: 0 to 2^31−1 ms. Default 50 ms; a lone event is planned at once. */
  readonly coalesceMs?: number;
  /**
   * Period of the full resync that repairs drift made by others: from 1 ms to 2^31−1 ms (what
   * a timer can wait), or `false` for none (then only `resync()` reads the zone anew). Default
   * 5 minutes.
   */
  readonly resyncMs?: number | false;
  /** Passes running at once. Default 4. */
  readonly concurrency?: number;
  /** Reconcile passes per second against the DNS zone. Default 10. */
  readonly zoneRateLimit?: number;
  readonly failStatic?: {
    /**
     * Share of a service's last good healthy shards that may be withdrawn because their clusters
     * went Offline; past it, they all stay as last seen. From 0 to 1; default 0.5.
     */
    readonly maxWithdrawFraction?: number;
  };
  /**
   * Resolves load-balancer hostnames (AWS ELB); each is resolved again after the federation's
   * record TTL (at least every second). A failed lookup keeps the last addresses and is tried
   * again within seconds. Hostnames the DNS provider can alias (its `canAlias`) are not
   * resolved: they are written as ALIAS targets; but a service whose global name is routed
   * (`nearest`, `weighted`) has them resolved too, for that name's members, which hold addresses
   * only (without a resolver it answers as with `all`). Without either, a shard whose load balancer
   * has only a hostname has no address (a warning is logged once per hostname);
   * `dnsResolver()` resolves through the host's DNS servers.
   */
  readonly resolveHostname?: (hostname: string) => Promise<readonly string[]>;
  readonly leaderElection?: LeaderElection;
  /** Plan only: nothing is written to clusters or DNS; `records-planned` says what would be. */
  readonly dryRun?: boolean;
  readonly logger?: Logger;
  /** Retry of one DNS request (passed to reconcileZone). */
  readonly retry?: Partial<RetryPolicy>;
  /**
   * Retry of a whole failed pass for a service: the first wait `baseMs` (default 500 ms),
   * doubling up to `maxMs` (default 60 s), each wait between half and all of its step.
   */
  readonly backoff?: { readonly baseMs?: number; readonly maxMs?: number };
  /** Waits (DNS request retries); tests pass a fast one. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1) for jitter; tests pass a seeded one. Default Math.random. */
  readonly random?: () => number;

  // ---- what the controller may do to the zone, and where -----------------------------------
  /**
   * What passes may do to the zone, as external-dns's policies: `sync` (default) creates,
   * updates and deletes; `upsert-only` never deletes (a deleted service's records stay);
   * `create-only` only creates. A name whose change needs one the policy forbids (an A set
   * becoming a CNAME needs the A deleted) is left as it is, with a warning. A dry run shows the
   * changes the policy lets through.
   */
  readonly policy?: Policy;
  /**
   * DNS names (in any case, with or without the trailing dot) under which the controller
   * writes: records at names outside every one of them are neither planned into the zone nor
   * touched, and a service's names outside are reported (`outside-domain-filter`), not written.
   * Each must be inside the DNS zone and hold names of the federation. Default: the whole zone.
   */
  readonly domainFilter?: readonly string[];
  /**
   * The deadline of every call into an injected port or function: `resolveHostname`,
   * `clusters.applyShard`, the DNS provider's `zones`, `records`, `applyChanges` and
   * `zoneVersion`, and the `stop()` of the clusters' watch and of the leader election's
   * campaign. A call past it counts as failed (a lookup keeps the last addresses, a shard or
   * DNS request fails its pass, which is retried; a DNS request is a `transient` ProviderError),
   * and `stop()` goes on without it, so that nothing a port never answers hangs a pass or
   * `stop()`. From 1 ms to 2^31−1 ms; default 30 s. A shard action's deadline runs from when
   * its write starts, not while it waits its turn (see `shardWritesPerCluster`).
   */
  readonly callTimeoutMs?: number;
  /**
   * Shard writes (`clusters.applyShard`) in flight to one member cluster at once, across every
   * pass; the others wait their turn, first come first served, each cluster in its own line so
   * that none waits behind a slow one. A first sync places every shard of every service at once:
   * unbounded, that is thousands of requests (and sockets) together against each API server. A
   * write past `callTimeoutMs` no longer counts. Writes still waiting when the controller stops or
   * loses the lease are not started (their services fail, retryably). A positive integer;
   * default 16.
   */
  readonly shardWritesPerCluster?: number;
}

/** Service key in events: `namespace/name`. */
export type ServiceKey = string;

export interface ControllerEvents {
  'shard-health-changed': [event: { service: ServiceKey; cluster: string; healthy: boolean }];
  'cluster-ready': [event: { cluster: string }];
  'cluster-offline': [event: { cluster: string; reason?: string }];
  /** A pass wrote changes for a service. `latencyMs`: from the first event that asked for it to the zone holding it. */
  'records-applied': [event: { service: ServiceKey; changes: readonly Change[]; latencyMs: number }];
  /** Dry run: what a pass would write and which shard actions it would take. */
  'records-planned': [event: { service: ServiceKey; changes: readonly Change[]; shardActions: readonly ShardAction[] }];
  /**
   * `reason`: a ProviderError kind, `cluster` (a shard could not be placed), `invalid-input` or
   * `error`. `permanent`: retrying cannot fix it (see {@link PermanentFailure}); such a failure
   * is told once, logged at error level, and not retried on a backoff. Otherwise (false) the
   * service is retried with backoff, and each failed try is told.
   */
  'apply-failed': [event: { service: ServiceKey; reason: string; error: Error; cluster?: string; permanent: boolean }];
  /** Every pass for a service, changes or not: what gauges need. */
  'service-synced': [event: { service: ServiceKey; healthyShards: number; shards: number }];
  'fail-static-engaged': [event: { service: ServiceKey; clusters: readonly string[] }];
  'fail-static-released': [event: { service: ServiceKey }];
  'leader-acquired': [];
  'leader-lost': [];
  /** Something a cluster sent could not be used. */
  'cluster-error': [event: { cluster: string; error: Error }];
  /** A periodic resync read nothing: the zone's version (`version`) had not moved since this controller last read or wrote it. */
  'resync-skipped': [event: { version: string }];
  /** A pass planned names of the service outside `domainFilter`: they were not written. */
  'outside-domain-filter': [event: { service: ServiceKey; names: readonly string[] }];
  /**
   * A cluster is left out of DNS, its shards' addresses and its zones and region with it: its
   * topology is malformed (a zone or region that is not a DNS-1123 label) or clashes with
   * another cluster's (a zone in two regions; with the `zone` name format, a zone named like a
   * region). Of two clashing clusters the one whose name sorts later is left out, so that
   * every replica leaves out the same one. `error` names the field and value. Told again when
   * the reason changes.
   */
  'cluster-excluded': [event: { cluster: string; error: ValidationError }];
  /** A cluster left out of DNS is planned again: its topology no longer clashes. */
  'cluster-included': [event: { cluster: string }];
  /**
   * A shard's load-balancer address is left out of DNS: not an address, or one no public record
   * may carry (unspecified, loopback, link-local, multicast, broadcast, IPv4-mapped IPv6). The
   * shard's other addresses, and the other shards, are planned as they are. Told once per
   * service, cluster and address.
   */
  'address-refused': [event: { service: ServiceKey; cluster: string } & RefusedAddress];
  /**
   * A shard action succeeded in a member cluster: the federation `created` the shard,
   * `adopted` a Service someone else made (its first conform), `conformed` one it holds,
   * `deleted` it, or `released` an adopted one (its federation annotations removed). Not told in
   * a dry run.
   */
  'shard-changed': [event: { service: ServiceKey; cluster: string; action: ShardChange }];
  /**
   * A deleted service is forgotten: its shards are gone from every cluster that may hold one
   * (adopted ones released) and its records are withdrawn.
   */
  'service-deleted': [event: { service: ServiceKey }];
  /**
   * A pass left names of the service alone because records the federation does not own hold
   * them (see {@link RecordConflict}). Told when the set of conflicts changes to a non-empty one,
   * not at every pass; `status().dns` says when they are gone.
   */
  'records-conflict': [event: { service: ServiceKey; conflicts: readonly RecordConflict[] }];
}

/**
 * A service's failure that retrying cannot fix (`permanentFailures()`): a
 * malformed input (`invalid-input`), or a ProviderError of kind `invalid`, `denied` or
 * `not-found`. The service is not retried on a backoff: it is passed again when it is applied
 * or deleted, when its clusters or shards change, at every periodic resync and at `resync()`.
 */
export interface PermanentFailure {
  /** The service whose pass failed. */
  readonly service: ServiceKey;
  /** As in `apply-failed`. */
  readonly reason: string;
  /** The cluster that refused the shard, when a cluster did; absent otherwise. */
  readonly cluster?: string;
  /** What failed, as `apply-failed` told it. */
  readonly error: Error;
}

/** What a `shard-changed` event says was done to a shard. */
export type ShardChange = 'created' | 'adopted' | 'conformed' | 'deleted' | 'released';

/** The controller's periodic resync, for `resyncStatus()`. */
export interface ResyncStatusView extends ResyncPeriod {
  /**
   * Periodic resyncs so far: `read` read the whole zone, `skipped` read nothing because the
   * zone's version had not moved (providers with `zoneVersion` only).
   */
  readonly resyncs: { readonly read: number; readonly skipped: number };
}

/** An address left out of DNS, and why. */
export interface RefusedAddress {
  readonly address: string;
  /** Why, e.g. `is a loopback address (127.0.0.0/8): no public record may carry it`. */
  readonly reason: string;
  /** The load-balancer hostname it was resolved from, when it was. */
  readonly hostname?: string;
}

export interface ClusterView {
  readonly cluster: string;
  readonly health: ClusterHealth;
  readonly reason?: string;
  readonly shard: boolean;
  /**
   * Present when `shard` is: `created` when the Service carries this federation's created-by
   * mark, `adopted` otherwise (someone else made it).
   */
  readonly origin?: 'created' | 'adopted';
  readonly readyEndpoints: number;
  readonly ingress: readonly LoadBalancerIngress[];
  readonly healthy: boolean;
  /** Why the cluster is left out of DNS (see the `cluster-excluded` event); absent when it is not. */
  readonly excluded?: string;
  /** The shard's addresses left out of DNS, each with why (see the `address-refused` event); empty when none. */
  readonly refusedAddresses: readonly RefusedAddress[];
}

/** The federated Service's status: union of ingress, and each cluster's view. */
export interface ServiceStatusView {
  readonly namespace: string;
  readonly name: string;
  readonly loadBalancer: { readonly ingress: readonly LoadBalancerIngress[] };
  readonly clusters: readonly ClusterView[];
  /** Offline clusters whose last good shard is kept in DNS. */
  readonly failStatic: readonly string[];
  /** The service's records: whether the zone holds what was planned, and the names it answers to. */
  readonly dns: ServiceDnsView;
  /**
   * Present while a deleted service is not yet forgotten (see the `service-deleted` event);
   * `waitingFor`: the clusters out of sight (Offline) that may still hold a shard, sorted.
   */
  readonly deleting?: { readonly waitingFor: readonly string[] };
}

/** The DNS side of a service's status. */
export interface ServiceDnsView {
  /**
   * `pending`: the service as last applied (changed, not merely applied again) has not been
   * through a pass that wrote its records yet, or the controller runs dry; `in-sync`: the last
   * pass wrote every name it planned; `failed`: the last pass could not write them, or left
   * some alone (`reason` says why).
   */
  readonly state: 'in-sync' | 'pending' | 'failed';
  /**
   * When `failed`: the ProviderError kind, `conflict` (names held by records the federation does
   * not own), `outside-domain-filter`, `invalid-input` or `error`. Absent otherwise.
   */
  readonly reason?: string;
  /** When `failed`: what happened and what to do, for a person. Absent otherwise. */
  readonly message?: string;
  /**
   * The DNS names (lower-case FQDNs) the service answers to, as last planned and written: those
   * in conflict or outside the domain filter left out, sorted. Empty before the first pass and
   * once deleted.
   */
  readonly names: readonly string[];
}
