// The config checked whole before anything starts: each part is built by the library that owns
// it (core's controller, the DNS adapter, @fedsvc/kubernetes), one at a time so that every
// problem is reported at once. Nothing here makes a request.
import {
  type DnsProvider,
  type Federation,
  type FederatedService,
  type LeaderElection,
  type Logger,
  type MemberClusters,
  type TrafficPolicy,
  ValidationError,
  createController,
} from '@fedsvc/core';
import type { HostFederation } from '@fedsvc/kubernetes';
import { type MemberSource, memberClusters, leaseElection } from './clusters.js';
import { type FedsvcConfig, configOf } from './config.js';
import { dnsProvider } from './provider.js';
import { collect, required } from './problems.js';
import { type ConfigSources, readFields } from './read.js';
import { type ServiceFromFile, serviceFiles } from './services.js';
import { parseListen } from '../http.js';

/** What the commands run on: every part built and checked. */
export interface Setup {
  readonly config: FedsvcConfig;
  readonly federation: Federation;
  readonly ownerId: string;
  readonly provider: DnsProvider;
  /** The zone's DNS name, and its id when the config gives one. */
  readonly zone: { readonly dnsName: string; readonly id?: string };
  readonly clusters: MemberSource['clusters'];
  /** The host source of resource mode (`members.federatedClusters`): it gives the services; absent otherwise. */
  readonly host?: HostFederation;
  /** Absent when leader election is off. */
  readonly leaderElection?: LeaderElection;
  readonly services: readonly FederatedService[];
}

/** Which parts a command needs: `plan`, `records` and `check` never campaign. */
export interface SetupNeeds {
  readonly clusters: boolean;
  readonly leaderElection: boolean;
}

/** The config fails: every problem, each naming the field and the value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly ValidationError[]) {
    super(
      `the config has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  ${p.message}`).join('\n')}`,
    );
  }
}

const noClusters: MemberClusters = { watch: () => ({ stop: async () => {} }), applyShard: async () => {} };
const noProvider: DnsProvider = {
  name: 'config-check',
  limits: { maxChangesPerRequest: 1, maxRrdatasPerRequest: 1, maxRrdataCharsPerRequest: 1, atomic: true },
  zones: async () => [],
  records: async () => [],
  applyChanges: async () => {},
};
/** A provider that answers what `provider` writes, and makes no request. */
const writesOf = ({ name, trafficPolicies, routing }: DnsProvider): DnsProvider => ({ ...noProvider, name, trafficPolicies, routing });

const GOOD = { federation: { name: 'fedsvc', domain: 'example.com' }, ownerId: 'fedsvc', zone: 'example.com.' };

/**
 * The federation's traffic policy as the config gives it, for createController to check: only
 * the fields given, so that one of another policy is named; weights from a flag or variable are
 * text until here. Unchecked: createController checks it (controllerProblems).
 */
function trafficPolicyOf(config: FedsvcConfig): TrafficPolicy {
  const { type, regions, locations, weights } = config.federation.trafficPolicy;
  const number = (value: string | number) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);
  const given = {
    type,
    // A failover policy always names its list, so that an empty one is refused as such.
    ...(type === 'failover' || regions.length > 0 ? { regions } : {}),
    ...(locations === undefined ? {} : { locations }),
    ...(weights === undefined ? {} : { weights: Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, number(v)])) }),
  };
  return given as TrafficPolicy;
}

/**
 * createController's own checks, one field at a time over settings known good: every bad field
 * is reported. The traffic policy is checked against what `provider` writes (skipped when the
 * provider could not be built: its problems are reported already).
 */
function controllerProblems(config: FedsvcConfig, provider: DnsProvider | undefined, problems: ValidationError[]): Federation | undefined {
  const { name, domain, ttl, zoneNameFormat } = config.federation;
  const trafficPolicy = trafficPolicyOf(config);
  const before = problems.length;
  required(problems, 'federation.name', name, "the federation's name");
  required(problems, 'federation.domain', domain, 'the DNS domain of its names');
  required(problems, 'ownerId', config.ownerId, 'the owner id of its records');
  const defined = (federation: Partial<Federation>) => Object.fromEntries(Object.entries(federation).filter(([, v]) => v !== undefined));
  const check = (overrides: {
    federation?: Partial<Federation>;
    ownerId?: string;
    zone?: string;
    resyncMs?: number;
    provider?: DnsProvider;
  }) =>
    collect(problems, [['resyncMs', 'resyncInterval']], () =>
      createController({
        federation: { ...GOOD.federation, ...defined(overrides.federation ?? {}) },
        ownerId: overrides.ownerId ?? GOOD.ownerId,
        clusters: noClusters,
        dns: { provider: overrides.provider ?? noProvider, zone: { id: 'config-check', dnsName: overrides.zone ?? GOOD.zone } },
        resyncMs: overrides.resyncMs,
      }),
    );
  check({ federation: { name } });
  // The domain against the config's zone: core checks that the zone holds it.
  if (domain !== undefined) check({ federation: { domain }, zone: config.dns.zone ?? domain });
  check({ federation: { ttl, zoneNameFormat } });
  check({ ownerId: config.ownerId });
  check({ resyncMs: config.resyncIntervalMs });
  if (provider !== undefined) {
    check({ federation: { trafficPolicy }, provider: writesOf(provider) });
  }
  if (problems.length > before || name === undefined || domain === undefined) return undefined;
  return { name, domain, ttl, zoneNameFormat, trafficPolicy };
}

/** Each service checked as the controller will take it; a bad one is named by its file. */
function serviceProblems(
  federation: Federation,
  provider: DnsProvider,
  ownerId: string,
  services: readonly ServiceFromFile[],
  problems: ValidationError[],
): void {
  const controller = createController({
    federation,
    ownerId,
    clusters: noClusters,
    dns: { provider: writesOf(provider), zone: { id: 'config-check', dnsName: federation.domain } },
  });
  for (const { service, field } of services) collect(problems, [['service', `${field}: service`]], () => controller.applyService(service));
}

/**
 * Reads and checks the whole config and builds every part from it; `loggerOf` makes the
 * parts' logger from the config's log settings.
 *
 * @throws ConfigError with every problem found, each naming the field and the value.
 */
export async function setUp(sources: ConfigSources, needs: SetupNeeds, loggerOf: (config: FedsvcConfig) => Logger): Promise<Setup> {
  const { values, problems: read } = await readFields(sources);
  const problems = [...read];
  const config = configOf(values);
  const logger = loggerOf(config);
  const provider = await dnsProvider(config, problems);
  const federation = controllerProblems(config, provider, problems);
  const members = needs.clusters ? await memberClusters(config, logger, problems) : undefined;
  const leaderElection = needs.leaderElection ? await leaseElection(config, logger, problems) : undefined;
  const services = await serviceFiles(config.services.files, problems);
  if (config.members.federatedClusters && config.services.files.length > 0)
    problems.push(
      new ValidationError(
        'services.files',
        config.services.files,
        'must be empty with members.federatedClusters: the services are the FederatedService resources',
      ),
    );
  collect(problems, [], () => parseListen(config.http.listen));
  if (federation && provider && config.ownerId !== undefined) serviceProblems(federation, provider, config.ownerId, services, problems);
  if (problems.length > 0 || !federation || !provider || config.ownerId === undefined || config.dns.zone === undefined)
    throw new ConfigError(problems);
  return {
    config,
    federation,
    ownerId: config.ownerId,
    provider,
    zone: { dnsName: config.dns.zone, ...(config.dns.zoneId === undefined ? {} : { id: config.dns.zoneId }) },
    // Absent only when not needed: the commands that need them asked for them.
    clusters: members?.clusters as MemberSource['clusters'],
    ...(members?.host === undefined ? {} : { host: members.host }),
    ...(leaderElection === undefined ? {} : { leaderElection }),
    services: services.map(({ service }) => service),
  };
}
