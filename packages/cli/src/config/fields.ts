// Every field of the config file, once: its type, default and meaning. The flags, the
// environment variables and the reference in the README are all derived from this table.
import { TRAFFIC_POLICY_TYPES } from '@fedsvc/core';

/**
 * How a field's text (from a flag or the environment) or YAML value is read. A `map` is a YAML
 * mapping, or `key=value` pairs separated by commas in a flag or variable.
 */
export type FieldKind = 'string' | 'integer' | 'boolean' | 'duration' | 'list' | 'choice' | 'map';

/** One field of the config file. */
export interface FieldSpec {
  /** Its path in the file, e.g. `dns.rfc2136.server`. */
  readonly path: string;
  readonly kind: FieldKind;
  /** The values a `choice` field takes. */
  readonly choices?: readonly string[];
  /** Its value when no file, variable or flag gives one (a duration in milliseconds); absent: none. */
  readonly default?: string | number | boolean | readonly string[];
  /** What it means, for `--help` and the README. */
  readonly doc: string;
  /** Never taken from the command line: a secret on a command line is visible to every user of the machine. */
  readonly noFlag?: boolean;
}

/** The DNS providers the config names. */
export const PROVIDERS = ['route53', 'google', 'rfc2136', 'memory'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;

/** The config file's fields, in the order the README lists them. */
export const FIELDS: readonly FieldSpec[] = [
  { path: 'host.context', kind: 'string', doc: 'kubeconfig context of the host cluster (holds the Lease)' },
  {
    path: 'host.inCluster',
    kind: 'boolean',
    default: false,
    doc: "the host cluster is the one this pod runs in (its service account's token)",
  },
  { path: 'host.kubeconfig', kind: 'string', doc: 'kubeconfig file of host.context (default $KUBECONFIG, then ~/.kube/config)' },
  {
    path: 'host.namespace',
    kind: 'string',
    default: 'fedsvc-system',
    doc: "namespace of the Lease in the host cluster, and of the FederatedClusters' Secrets in resource mode",
  },
  {
    path: 'members.contexts',
    kind: 'list',
    default: [],
    doc: 'member clusters, by kubeconfig context (comma-separated in the environment), when not in resource mode',
  },
  { path: 'members.kubeconfig', kind: 'string', doc: 'kubeconfig file of members.contexts (default $KUBECONFIG, then ~/.kube/config)' },
  {
    path: 'members.federatedClusters',
    kind: 'boolean',
    default: false,
    doc: 'resource mode: the member clusters are the FederatedClusters and the services the FederatedServices of the host cluster (then members.contexts and services.files stay empty)',
  },
  {
    path: 'members.requestTimeout',
    kind: 'duration',
    default: 10_000,
    doc: "deadline of each request to a member's API server but watches (shard writes, list pages); past it, the request fails as if the cluster were unreachable",
  },
  {
    path: 'members.syncTimeout',
    kind: 'duration',
    default: 60_000,
    doc: 'how long the first sync waits for every member cluster to be heard from before it goes on, the silent ones named in a warning and joining when heard',
  },
  { path: 'members.pageSize', kind: 'integer', default: 500, doc: "items per page of a member's lists" },
  { path: 'members.healthPeriod', kind: 'duration', default: 5_000, doc: "period of each member's readiness probe while it is well" },
  { path: 'members.probeTimeout', kind: 'duration', default: 2_000, doc: 'a probe not answered within this fails' },
  {
    path: 'members.failureThreshold',
    kind: 'integer',
    default: 3,
    doc: 'probes failed in a row before a Ready member is NotReady or Offline',
  },
  { path: 'members.successThreshold', kind: 'integer', default: 2, doc: 'probes passed in a row before a member is Ready again' },
  {
    path: 'services.files',
    kind: 'list',
    default: [],
    doc: 'files of services to federate: v1 Service manifests or FederatedServices (YAML, several documents allowed), when not in resource mode',
  },
  { path: 'federation.name', kind: 'string', doc: "the federation's name, a DNS label (required)" },
  { path: 'federation.domain', kind: 'string', doc: 'the DNS domain of its names, inside dns.zone (required)' },
  { path: 'federation.ttl', kind: 'integer', default: 180, doc: "TTL of the federation's records, seconds" },
  {
    path: 'federation.zoneNameFormat',
    kind: 'choice',
    choices: ['zone', 'zone.region'],
    default: 'zone',
    doc: 'zone names: `zone` (…svc.us-central1-a.example.com.) or `zone.region`',
  },
  {
    path: 'federation.trafficPolicy.type',
    kind: 'choice',
    choices: TRAFFIC_POLICY_TYPES,
    default: 'all',
    doc: "how the global names answer: all (every healthy shard), failover (the regions in order), nearest (the client's nearest region) or weighted (by ready endpoints); a FederatedService's spec.dns.trafficPolicy overrides it",
  },
  {
    path: 'federation.trafficPolicy.regions',
    kind: 'list',
    default: [],
    doc: 'failover only: the regions, first choice first',
  },
  {
    path: 'federation.trafficPolicy.locations',
    kind: 'map',
    doc: "nearest only: region=location for each region that is not one of the provider's own location names",
  },
  {
    path: 'federation.trafficPolicy.weights',
    kind: 'map',
    doc: 'weighted only: cluster=weight (a positive integer) for the clusters not weighed by their ready endpoints',
  },
  { path: 'dns.provider', kind: 'choice', choices: PROVIDERS, doc: 'the DNS provider (required)' },
  { path: 'dns.zone', kind: 'string', doc: 'DNS name of the zone the records go in (required)' },
  { path: 'dns.zoneId', kind: 'string', doc: 'id of the zone, when several the provider sees share its name' },
  { path: 'dns.route53.region', kind: 'string', doc: "AWS region of the client (default: the SDK's, e.g. $AWS_REGION)" },
  { path: 'dns.route53.endpoint', kind: 'string', doc: "Route 53 endpoint URL (default: AWS's)" },
  {
    path: 'dns.route53.hostedZoneIds',
    kind: 'list',
    default: [],
    doc: 'only these hosted zones (for credentials without ListHostedZones)',
  },
  { path: 'dns.route53.aliases', kind: 'boolean', default: false, doc: 'write AWS load-balancer hostnames as alias targets' },
  { path: 'dns.google.projectId', kind: 'string', doc: "project of the managed zones (default: the credentials')" },
  { path: 'dns.google.keyFilename', kind: 'string', doc: 'service-account key file (default: Application Default Credentials)' },
  { path: 'dns.google.apiEndpoint', kind: 'string', doc: 'Cloud DNS API host or URL (default dns.googleapis.com)' },
  { path: 'dns.rfc2136.server', kind: 'string', doc: 'address of the primary server that takes updates' },
  { path: 'dns.rfc2136.port', kind: 'integer', default: 53, doc: "the server's port" },
  { path: 'dns.rfc2136.tsigName', kind: 'string', doc: 'name of the TSIG key' },
  { path: 'dns.rfc2136.tsigAlgorithm', kind: 'string', default: 'hmac-sha256', doc: 'hmac-sha256, hmac-sha512 or hmac-sha1' },
  { path: 'dns.rfc2136.tsigSecretFile', kind: 'string', doc: "file holding the TSIG key's base64 secret" },
  { path: 'ownerId', kind: 'string', doc: 'owner id written into ownership records and created Services (required)' },
  { path: 'resyncInterval', kind: 'duration', default: 300_000, doc: 'period of the full resync that repairs drift (e.g. 30s, 5m)' },
  {
    path: 'leaderElection.enabled',
    kind: 'boolean',
    default: true,
    doc: 'campaign for a Lease in the host cluster; only the leader writes',
  },
  { path: 'leaderElection.name', kind: 'string', default: 'fedsvc', doc: 'name of the Lease' },
  { path: 'leaderElection.identity', kind: 'string', doc: "this replica's identity (default $POD_NAME, then hostname-pid)" },
  {
    path: 'leaderElection.leaseDuration',
    kind: 'duration',
    default: 15_000,
    doc: 'how long a Lease stays with a holder that stopped renewing',
  },
  {
    path: 'leaderElection.renewDeadline',
    kind: 'duration',
    default: 10_000,
    doc: 'a leader that could not renew for this long steps down',
  },
  { path: 'leaderElection.retryPeriod', kind: 'duration', default: 2_000, doc: 'period of acquire and renew attempts' },
  { path: 'log.level', kind: 'choice', choices: LOG_LEVELS, default: 'info', doc: 'lowest level logged' },
  { path: 'log.format', kind: 'choice', choices: LOG_FORMATS, default: 'auto', doc: 'json, pretty, or auto (pretty when a terminal)' },
  { path: 'http.listen', kind: 'string', default: ':8080', doc: 'address of /healthz, /readyz and /metrics (host:port; :port for all)' },
];

/** `dns.rfc2136.tsigName` → `--dns-rfc2136-tsig-name`. */
export function flagOf(path: string): string {
  return `--${path.replace(/\./g, '-').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** `dns.rfc2136.tsigName` → `FEDSVC_DNS_RFC2136_TSIG_NAME`. */
export function envOf(path: string): string {
  return `FEDSVC_${path
    .replace(/\./g, '_')
    .replace(/[A-Z]/g, (c) => `_${c}`)
    .toUpperCase()}`;
}
