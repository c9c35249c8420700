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
const GOOD = { federation: { name: 'fedsvc', domain: 'example.com' }, ownerId: 'fedsvc', zone: 'example.com.' };

/** createController's own checks, one field at a time over settings known good: every bad field is reported. */
function controllerProblems(config: FedsvcConfig, problems: ValidationError[]): Federation | undefined {
  const { name, domain, ttl, zoneNameFormat } = config.federation;
  const before = problems.length;
  required(problems, 'federation.name', name, "the federation's name");
  required(problems, 'federation.domain', domain, 'the DNS domain of its names');
  required(problems, 'ownerId', config.ownerId, 'the owner id of its records');
  const defined = (federation: Partial<Federation>) => Object.fromEntries(Object.entries(federation).filter(([, v]) => v !== undefined));
  const check = (overrides: { federation?: Partial<Federation>; ownerId?: string; zone?: string; resyncMs?: number }) =>
    collect(problems, [['resyncMs', 'resyncInterval']], () =>
      createController({
        federation: { ...GOOD.federation, ...defined(overrides.federation ?? {}) },
        ownerId: overrides.ownerId ?? GOOD.ownerId,
        clusters: noClusters,
        dns: { provider: noProvider, zone: { id: 'config-check', dnsName: overrides.zone ?? GOOD.zone } },
        resyncMs: overrides.resyncMs,
      }),
    );
  check({ federation: { name } });
  // The domain against the config's zone: core checks that the zone holds it.
  if (domain !== undefined) check({ federation: { domain }, zone: config.dns.zone ?? domain });
  check({ federation: { ttl, zoneNameFormat } });
  check({ ownerId: config.ownerId });
  check({ resyncMs: config.resyncIntervalMs });
  if (problems.length > before || name === undefined || domain === undefined) return undefined;
  return { name, domain, ttl, zoneNameFormat };
}

/** Each service checked as the controller will take it; a bad one is named by its file. */
function serviceProblems(federation: Federation, ownerId: string, services: readonly ServiceFromFile[], problems: ValidationError[]): void {
  const controller = createController({
    federation,
    ownerId,
    clusters: noClusters,
    dns: { provider: noProvider, zone: { id: 'config-check', dnsName: federation.domain } },
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
  const federation = controllerProblems(config, problems);
  const provider = await dnsProvider(config, problems);
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
  if (federation && config.ownerId !== undefined) serviceProblems(federation, config.ownerId, services, problems);
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
