// The config as the commands use it: typed, defaults filled in.
import type { TrafficPolicyType } from '@fedsvc/core';
import type { ProviderName } from './fields.js';

/** The whole config; durations in milliseconds. Every field is documented in `FIELDS`. */
export interface FedsvcConfig {
  readonly host: { readonly context?: string; readonly inCluster: boolean; readonly kubeconfig?: string; readonly namespace: string };
  readonly members: {
    readonly contexts: readonly string[];
    readonly kubeconfig?: string;
    readonly federatedClusters: boolean;
    readonly requestTimeoutMs: number;
    readonly syncTimeoutMs: number;
    readonly pageSize: number;
    readonly healthPeriodMs: number;
    readonly probeTimeoutMs: number;
    readonly failureThreshold: number;
    readonly successThreshold: number;
  };
  readonly services: { readonly files: readonly string[] };
  readonly federation: {
    readonly name?: string;
    readonly domain?: string;
    readonly ttl: number;
    readonly zoneNameFormat: 'zone' | 'zone.region';
    readonly trafficPolicy: {
      readonly type: TrafficPolicyType;
      readonly regions: readonly string[];
      readonly locations?: Readonly<Record<string, string | number>>;
      readonly weights?: Readonly<Record<string, string | number>>;
    };
  };
  readonly dns: {
    readonly provider?: ProviderName;
    readonly zone?: string;
    readonly zoneId?: string;
    readonly route53: {
      readonly region?: string;
      readonly endpoint?: string;
      readonly hostedZoneIds: readonly string[];
      readonly aliases: boolean;
    };
    readonly google: { readonly projectId?: string; readonly keyFilename?: string; readonly apiEndpoint?: string };
    readonly rfc2136: {
      readonly server?: string;
      readonly port: number;
      readonly tsigName?: string;
      readonly tsigAlgorithm: string;
      readonly tsigSecretFile?: string;
    };
  };
  readonly ownerId?: string;
  readonly resyncIntervalMs: number;
  readonly leaderElection: {
    readonly enabled: boolean;
    readonly name: string;
    readonly identity?: string;
    readonly leaseDurationMs: number;
    readonly renewDeadlineMs: number;
    readonly retryPeriodMs: number;
  };
  /** Absent when the value given was refused. */
  readonly log: { readonly level?: string; readonly format?: 'auto' | 'json' | 'pretty' };
  readonly http: { readonly listen: string };
}

/** The typed config of checked field values (see readFields). */
export function configOf(values: ReadonlyMap<string, unknown>): FedsvcConfig {
  // Each value was checked against its field's kind, and every field with a default has one.
  const v = <T>(path: string): T => values.get(path) as T;
  return {
    host: { context: v('host.context'), inCluster: v('host.inCluster'), kubeconfig: v('host.kubeconfig'), namespace: v('host.namespace') },
    members: {
      contexts: v('members.contexts'),
      kubeconfig: v('members.kubeconfig'),
      federatedClusters: v('members.federatedClusters'),
      requestTimeoutMs: v('members.requestTimeout'),
      syncTimeoutMs: v('members.syncTimeout'),
      pageSize: v('members.pageSize'),
      healthPeriodMs: v('members.healthPeriod'),
      probeTimeoutMs: v('members.probeTimeout'),
      failureThreshold: v('members.failureThreshold'),
      successThreshold: v('members.successThreshold'),
    },
    services: { files: v('services.files') },
    federation: {
      name: v('federation.name'),
      domain: v('federation.domain'),
      ttl: v('federation.ttl'),
      zoneNameFormat: v('federation.zoneNameFormat'),
      trafficPolicy: {
        type: v('federation.trafficPolicy.type'),
        regions: v('federation.trafficPolicy.regions'),
        locations: v('federation.trafficPolicy.locations'),
        weights: v('federation.trafficPolicy.weights'),
      },
    },
    dns: {
      provider: v('dns.provider'),
      zone: v('dns.zone'),
      zoneId: v('dns.zoneId'),
      route53: {
        region: v('dns.route53.region'),
        endpoint: v('dns.route53.endpoint'),
        hostedZoneIds: v('dns.route53.hostedZoneIds'),
        aliases: v('dns.route53.aliases'),
      },
      google: { projectId: v('dns.google.projectId'), keyFilename: v('dns.google.keyFilename'), apiEndpoint: v('dns.google.apiEndpoint') },
      rfc2136: {
        server: v('dns.rfc2136.server'),
        port: v('dns.rfc2136.port'),
        tsigName: v('dns.rfc2136.tsigName'),
        tsigAlgorithm: v('dns.rfc2136.tsigAlgorithm'),
        tsigSecretFile: v('dns.rfc2136.tsigSecretFile'),
      },
    },
    ownerId: v('ownerId'),
    resyncIntervalMs: v('resyncInterval'),
    leaderElection: {
      enabled: v('leaderElection.enabled'),
      name: v('leaderElection.name'),
      identity: v('leaderElection.identity'),
      leaseDurationMs: v('leaderElection.leaseDuration'),
      renewDeadlineMs: v('leaderElection.renewDeadline'),
      retryPeriodMs: v('leaderElection.retryPeriod'),
    },
    log: { level: v('log.level'), format: v('log.format') },
    http: { listen: v('http.listen') },
  };
}
