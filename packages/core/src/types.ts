// The shared vocabulary of fedsvc. Every package speaks these shapes; nothing here does I/O.

/** Record types the federation writes. A zone listing may hold any other type as well. */
export type RecordType = 'A' | 'AAAA' | 'CNAME' | 'TXT' | 'ALIAS';

/**
 * One DNS record set: every record of one type at one name.
 * `name` is lower-case and fully qualified (trailing dot). `rrdatas` are in presentation form:
 * A dotted quad, AAAA in RFC 5952 canonical form, CNAME a lower-case FQDN with trailing dot,
 * TXT one or more quoted character-strings (`"heritage=fedsvc,owner=x"`).
 * ALIAS is not a DNS type: the name answers the addresses of every target, where a target is a
 * load-balancer hostname (lower-case FQDN) or an address. Only a provider with `canAlias`
 * writes it, its own way (Route 53: weighted alias records). `ttl` is its addresses' TTL; a
 * hostname answers with its own, so a set of hostnames alone has no TTL to compare and a
 * provider may report it as 0.
 * Records read from a provider may have any type, hence the parameter.
 */
export interface RecordSet<T extends string = RecordType> {
  readonly name: string;
  readonly type: T;
  readonly ttl: number;
  /** For a routed set: the union of its members' rrdatas, in the order a plain set keeps them. */
  readonly rrdatas: readonly string[];
  /**
   * Present on a routed record set only: how the provider picks which member answers a query.
   * A plain set has neither `routing` nor `members`.
   */
  readonly routing?: Routing;
  /**
   * A routed set's members, at least one, sorted by `id` (as `Array.prototype.sort` orders
   * strings), each id once. Present exactly when `routing` is. A routed set is written, compared
   * and replaced whole: a change to one member is an `update` of the set.
   */
  readonly members?: readonly RoutedMember[];
}

/**
 * How a routed record set answers: `nearest`, the member whose `location` is nearest the client
 * (Route 53 latency records, Cloud DNS `geo`); `weighted`, a member at random in proportion to
 * its `weight` (Route 53 weighted records, Cloud DNS `wrr`).
 */
export type Routing = 'nearest' | 'weighted';

/** One member of a routed record set: what it answers, and where or how often. */
export interface RoutedMember {
  /**
   * Unique within the set: the region for `nearest`, the cluster for `weighted` (Route 53's
   * `SetIdentifier`).
   */
  readonly id: string;
  /** `nearest` only: the provider's name of the location this member answers for. */
  readonly location?: string;
  /** `weighted` only: an integer from 0 to the provider's {@link RoutingLimits.maxWeight}. */
  readonly weight?: number;
  /** Presentation form, as a plain set's. */
  readonly rrdatas: readonly string[];
}

/** What a provider that writes routed record sets accepts in them. */
export interface RoutingLimits {
  /**
   * The provider's location for a cluster's region when the region is one of the provider's own
   * names (Route 53: an AWS region; Cloud DNS: a Google Cloud region), else `undefined`: the
   * `nearest` policy's `locations` must then name it.
   */
  locationOf(region: string): string | undefined;
  /** Whether the provider accepts `location` as a member's location (checks `locations` given by option). */
  isLocation(location: string): boolean;
  /** The largest weight a member may carry; weights are integers from 0 (Route 53: 255). */
  readonly maxWeight: number;
  /** The most members one routed set may hold (Route 53: 100 weighted records per name and type). */
  readonly maxMembers: number;
}

/** One step of a change set. An update carries the record set it replaces, exactly as read. */
export type Change =
  | { readonly kind: 'create'; readonly record: RecordSet }
  | { readonly kind: 'update'; readonly before: RecordSet; readonly record: RecordSet }
  | { readonly kind: 'delete'; readonly record: RecordSet };

/** A desired name that is held by records the federation does not own; it is left alone. */
export interface RecordConflict {
  readonly name: string;
  /** Types found at the name that block the desired record set. */
  readonly types: readonly string[];
  /** The owner id found in the ownership record, or null when the records are unmarked (a person's). */
  readonly owner: string | null;
  /**
   * Set when nothing at the name blocks it, but the desired record set is a CNAME to a name that
   * is itself in conflict: written, it would dangle or lead to someone else's records.
   */
  readonly target?: string;
}

/**
 * What turns a zone's records into the desired ones. `changes` is ordered: applied in order
 * (and split by `batchChanges`), no CNAME ever points at a name that does not exist.
 */
export interface ChangeSet {
  readonly changes: readonly Change[];
  readonly conflicts: readonly RecordConflict[];
}

// ---- Federation inputs -------------------------------------------------------------------

export type ZoneNameFormat = 'zone' | 'zone.region';

/**
 * How the global name answers (the zone and region names answer as always):
 * - `all` (the default): every healthy shard's addresses.
 * - `failover`: the healthy shards of the first of `regions` that has any, then the next; when
 *   none of them has one, every healthy shard (as `all`), so that the global name goes dark only
 *   when every shard is down. A plain record set: every provider writes it.
 * - `nearest`: each client gets the healthy shards of the region nearest to it, answered by the
 *   provider from the client's location. `locations` maps a cluster's region to the provider's
 *   location; a region it does not name maps to the provider's own name for it
 *   ({@link RoutingLimits.locationOf}), and one that maps to neither is a ValidationError.
 * - `weighted`: each healthy shard answers in proportion to its ready endpoints, or to
 *   `weights[cluster]` (a positive integer) for the clusters named there, scaled into the
 *   provider's range when the largest is above it.
 *
 * `nearest` and `weighted` plan the global name as a routed record set, which only some
 * providers write (a provider's `trafficPolicies` and `routing`).
 */
export type TrafficPolicy =
  | { readonly type: 'all' }
  | { readonly type: 'failover'; readonly regions: readonly string[] }
  | { readonly type: 'nearest'; readonly locations?: Readonly<Record<string, string>> }
  | { readonly type: 'weighted'; readonly weights?: Readonly<Record<string, number>> };

/** The name of a traffic policy: `all`, `failover`, `nearest` or `weighted`. */
export type TrafficPolicyType = TrafficPolicy['type'];

export interface Federation {
  readonly name: string;
  /** DNS domain, with or without the trailing dot. */
  readonly domain: string;
  /** Default TTL of the federation's records, seconds. Default 180. */
  readonly ttl?: number;
  /** `zone`: `…svc.us-central1-a.example.com.` (the guide's form, default); `zone.region`: `…svc.us-central1-a.us-central1.example.com.` */
  readonly zoneNameFormat?: ZoneNameFormat;
  /** How the global names of the federation's services answer. Default `{ type: 'all' }`. */
  readonly trafficPolicy?: TrafficPolicy;
}

export interface ServiceRef {
  readonly namespace: string;
  readonly name: string;
  /** Overrides the federation's TTL for this service's records. */
  readonly ttl?: number;
  /** Overrides the federation's traffic policy for this service. Default: the federation's. */
  readonly trafficPolicy?: TrafficPolicy;
}

/** A member cluster as planning sees it. */
export interface Cluster {
  readonly name: string;
  /** Every zone the cluster's nodes span. */
  readonly zones: readonly string[];
  readonly region: string;
  readonly ready: boolean;
}

/** The Service of one federated service in one cluster, as planning sees it. */
export interface Shard {
  readonly cluster: string;
  /** Load-balancer (or external) IPv4/IPv6 addresses, hostnames resolved to theirs. */
  readonly addresses: readonly string[];
  /**
   * Load-balancer hostnames published as they are, as ALIAS targets, rather than resolved: a
   * name with any of them gets one ALIAS record set holding them and the addresses.
   */
  readonly hostnames?: readonly string[];
  /**
   * The addresses `hostnames` resolve to, for the one name that cannot alias them: a global name
   * routed `nearest` or `weighted`, whose members each answer one region's or one cluster's
   * targets as one record (Route 53 holds one alias target in a latency or weighted record).
   * Read only beside `hostnames`. Default: none.
   */
  readonly hostnameAddresses?: readonly string[];
  readonly readyEndpoints: number;
}

export interface ServicePlanInput {
  readonly federation: Federation;
  readonly service: ServiceRef;
  readonly clusters: readonly Cluster[];
  readonly shards: readonly Shard[];
  /**
   * What the DNS provider's routed record sets accept (its {@link DnsProvider.routing}): needed
   * when a service's traffic policy is `nearest` or `weighted`, and read only then. Default: none,
   * and such a policy is refused with a ValidationError.
   */
  readonly routing?: RoutingLimits;
}

export interface FederationPlanInput {
  readonly federation: Federation;
  readonly clusters: readonly Cluster[];
  readonly services: readonly { readonly service: ServiceRef; readonly shards: readonly Shard[] }[];
  /**
   * What the DNS provider's routed record sets accept (its {@link DnsProvider.routing}): needed
   * when a service's traffic policy is `nearest` or `weighted`, and read only then. Default: none,
   * and such a policy is refused with a ValidationError.
   */
  readonly routing?: RoutingLimits;
}

// ---- The DNS provider port ---------------------------------------------------------------

export interface DnsZone {
  /** The provider's id of the zone (Route 53 hosted zone id, Cloud DNS managed zone name, …). */
  readonly id: string;
  /** Lower-case FQDN with trailing dot. */
  readonly dnsName: string;
}

/**
 * What one write request may carry. Core splits change sets to fit. Costs: a create or delete
 * counts one change and its rrdatas; an update counts two changes (a deletion and an addition)
 * and the rrdatas of both sides. A routed record set counts as one set holding its `rrdatas`
 * (the union of its members'); a provider that counts it otherwise says so in `requestCost`.
 */
export interface ProviderLimits {
  readonly maxChangesPerRequest: number;
  readonly maxRrdatasPerRequest: number;
  /** Sum of the lengths of every rrdata in the request. */
  readonly maxRrdataCharsPerRequest: number;
  /**
   * True when the provider applies a request all or nothing. `reconcileZone` (and so the
   * controller) writes only to providers that do, and refuses any other with a ValidationError
   * before reading or writing: a name's record sets and their ownership marker go in one request,
   * and applied change by change a failure part-way could leave a marker naming a type someone
   * else then writes (taken for ours and overwritten), or a name emptied between the deletion of
   * its A set and the creation of its CNAME (the CNAMEs to it leading nowhere).
   */
  readonly atomic: boolean;
}

/** What a request (or a name group) costs against a provider's limits. */
export interface RequestCost {
  /** Changes as the provider counts them: an update is two. */
  readonly changes: number;
  readonly rrdatas: number;
  /** Characters of rrdata. */
  readonly chars: number;
}

/** The port every DNS backend implements. Adapters translate; they decide nothing. */
export interface DnsProvider {
  /** Short name used in messages: `memory`, `route53`, `google`, `rfc2136`. */
  readonly name: string;
  readonly limits: ProviderLimits;
  /** Every zone the credentials can see. */
  zones(): Promise<readonly DnsZone[]>;
  /** Every record set the zone holds, all pages read. */
  records(zone: DnsZone): Promise<readonly RecordSet<string>[]>;
  /**
   * Applies one request's worth of changes (already fitted to `limits`), in order.
   * Deletes and updates must match the zone's current record set exactly, or the provider
   * answers a `ProviderError` of kind `conflict`.
   */
  applyChanges(zone: DnsZone, changes: readonly Change[]): Promise<void>;
  /**
   * Present when the provider writes ALIAS record sets: whether `hostname` (lower-case FQDN) can
   * be an alias target (Route 53: an AWS load balancer). Others are resolved to addresses.
   */
  readonly canAlias?: (hostname: string) => boolean;
  /**
   * What a change costs against `limits`, for a provider that counts some record sets
   * differently from core (an update is both sides; every rrdata and its characters count).
   * Route 53 with aliases: a dual-stack load balancer is two alias records. A change that costs
   * no `changes` is no change to the provider (Route 53: an ALIAS update that differs only in
   * what Route 53 does not store): it is not sent, and the report neither counts nor lists it.
   */
  readonly requestCost?: (change: Change) => RequestCost;
  /**
   * Present when the provider can tell in about one request whether anyone changed the zone: a
   * token that moves whenever the zone does (RFC 2136: its SOA serial; Cloud DNS: the id of its
   * newest change). Core asks for it before each full read of the zone and after each of its own
   * writes, and skips a periodic full read while the token has not moved since. The token given
   * right after a write should be that write's own where the provider knows it (Cloud DNS: the
   * change just created), so that a change by anyone else right after ours is still seen.
   */
  readonly zoneVersion?: (zone: DnsZone) => Promise<string>;
  /**
   * Present when full reads of a zone draw on a request budget shared with other work: the
   * shortest interval, in milliseconds, between two full reads of `zone` that keeps them within
   * the provider's share of that budget, judged from the last read (Route 53: the pages it took
   * over the share of the account's request rate given to listing). Core stretches its periodic
   * resync of the zone to at least this, and says so.
   */
  readonly readInterval?: (zone: DnsZone) => number;
  /**
   * The traffic policies the provider writes (see {@link TrafficPolicy}). Default, when absent:
   * `['all', 'failover']`, the plain record sets every provider writes; `nearest` and `weighted`
   * need routed record sets answered by the client's location or by weight, which only a
   * provider that says so writes. The controller refuses, when it is created and when a service
   * is applied, a policy its provider does not list.
   */
  readonly trafficPolicies?: readonly TrafficPolicyType[];
  /**
   * Present on a provider whose `trafficPolicies` list `nearest` or `weighted`: what its routed
   * record sets accept. Such a provider also reads its routed records back as routed record sets.
   */
  readonly routing?: RoutingLimits;
}

export type ProviderErrorKind =
  /** Rate limited; retry later (Route 53 Throttling, HTTP 429). */
  | 'throttled'
  /** Temporary failure; retry (5xx, PriorRequestNotComplete, connection reset). */
  | 'transient'
  /** The zone changed between our read and our write (precondition failed, record mismatch). */
  | 'conflict'
  /** The provider rejected the request as invalid; retrying the same request will not help. */
  | 'invalid'
  /** Credentials missing or not allowed. */
  | 'denied'
  /** The zone does not exist. */
  | 'not-found';

// ---- Member clusters ---------------------------------------------------------------------

export type ClusterHealth = 'Ready' | 'NotReady' | 'Offline';

/** A member cluster as observed: its topology and health, with a reason when not Ready. */
export interface ClusterStatus {
  readonly name: string;
  readonly zones: readonly string[];
  readonly region: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly health: ClusterHealth;
  readonly reason?: string;
}

/** A load-balancer ingress entry, as in a Service's `status.loadBalancer.ingress`. */
export interface LoadBalancerIngress {
  readonly ip?: string;
  readonly hostname?: string;
}

/** The parts of a Kubernetes Service the federation reads and writes (plain JSON, as on the wire). */
export interface ServiceManifest {
  readonly apiVersion: 'v1';
  readonly kind: 'Service';
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  /** The Service spec as in the Kubernetes API (`type`, `selector`, `ports`, …). */
  readonly spec: Readonly<Record<string, unknown>>;
}

/** What a member cluster holds for one federated service: its Service and its ready endpoints. */
export interface ShardStatus {
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
  /** The Service as the cluster holds it (metadata and spec; status is below). */
  readonly manifest: ServiceManifest;
  readonly clusterIP?: string;
  readonly ingress: readonly LoadBalancerIngress[];
  /** Ready endpoints summed over the Service's EndpointSlices. */
  readonly readyEndpoints: number;
}

/** A change seen in the member clusters. Watching starts with one event per existing object. */
export type ClusterEvent =
  | { readonly type: 'cluster'; readonly cluster: ClusterStatus }
  | { readonly type: 'cluster-removed'; readonly name: string }
  | { readonly type: 'shard'; readonly shard: ShardStatus }
  | { readonly type: 'shard-removed'; readonly cluster: string; readonly namespace: string; readonly name: string }
  /** Something a cluster sent could not be used (bad object, garbage answer); other clusters go on. */
  | { readonly type: 'error'; readonly cluster: string; readonly error: Error }
  /**
   * Sent once per watch, when every member cluster has reported its status with its shards, or
   * was found unreachable, or the implementation stopped waiting for it. Until then the
   * controller plans nothing: a cluster not heard from yet would look like one without shards,
   * and its services' records would be withdrawn at every restart.
   */
  | { readonly type: 'synced' };

/** Placement's decision for one cluster. */
export type ShardAction =
  | { readonly kind: 'create'; readonly cluster: string; readonly manifest: ServiceManifest }
  /** Adopt an existing Service and make it conform: `fields` are the JSON paths that change. */
  | { readonly kind: 'conform'; readonly cluster: string; readonly manifest: ServiceManifest; readonly fields: readonly string[] }
  | { readonly kind: 'leave'; readonly cluster: string }
  | { readonly kind: 'delete'; readonly cluster: string; readonly namespace: string; readonly name: string }
  /**
   * Let go of a Service the federation adopted: remove its `fedsvc.io/adopted-by` and
   * `fedsvc.io/applied` annotations and nothing else (the Service stays, with every field as it is).
   */
  | { readonly kind: 'release'; readonly cluster: string; readonly namespace: string; readonly name: string };

/** The member-clusters port: the kubernetes package implements it, and an in-memory one ships for tests. */
export interface MemberClusters {
  /** Starts watching every member cluster; `onEvent` gets every change until `stop`. */
  watch(onEvent: (event: ClusterEvent) => void): { stop(): Promise<void> };
  /** Carries out one placement decision in one cluster (server-side apply for create/conform). */
  applyShard(action: ShardAction): Promise<void>;
}

/** A logger compatible with pino's call shapes. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
