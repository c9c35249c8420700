// The DNS provider the config names, built by its adapter, which checks its options. Only the
// adapter named is loaded: the cloud SDKs take seconds to load.
import { readFile } from 'node:fs/promises';
import { type DnsProvider, ValidationError } from '@fedsvc/core';
import type { TsigAlgorithm } from '@fedsvc/dns-rfc2136';
import type { FedsvcConfig } from './config.js';
import { collectAsync, required } from './problems.js';

/** A credentials file, read now: one that cannot be read is a config problem, not a failure later. */
async function readCredentials(field: string, path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    throw new ValidationError(field, path, `cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

async function rfc2136(config: FedsvcConfig): Promise<DnsProvider> {
  const { rfc2136: options, zone } = config.dns;
  const secret = await readCredentials('dns.rfc2136.tsigSecretFile', options.tsigSecretFile);
  if (secret === undefined) throw new ValidationError('dns.rfc2136.tsigSecretFile', undefined, 'must name the file of the TSIG secret');
  const { createRfc2136Provider } = await import('@fedsvc/dns-rfc2136');
  return createRfc2136Provider({
    server: { host: options.server ?? '', port: options.port },
    zones: [zone ?? ''],
    tsig: { name: options.tsigName ?? '', algorithm: options.tsigAlgorithm as TsigAlgorithm, secret },
  });
}

async function google(config: FedsvcConfig): Promise<DnsProvider> {
  const { keyFilename, projectId, apiEndpoint } = config.dns.google;
  await readCredentials('dns.google.keyFilename', keyFilename);
  const { createGoogleProvider } = await import('@fedsvc/dns-google');
  return createGoogleProvider({ keyFilename, projectId, apiEndpoint });
}

async function route53(config: FedsvcConfig): Promise<DnsProvider> {
  const { region, endpoint, hostedZoneIds, aliases } = config.dns.route53;
  if (endpoint !== undefined && !URL.canParse(endpoint)) throw new ValidationError('dns.route53.endpoint', endpoint, 'must be a URL');
  const { createRoute53Provider } = await import('@fedsvc/dns-route53');
  return createRoute53Provider({
    clientConfig: { ...(region === undefined ? {} : { region }), ...(endpoint === undefined ? {} : { endpoint }), maxAttempts: 1 },
    hostedZoneIds: hostedZoneIds.length > 0 ? hostedZoneIds : undefined,
    aliases,
  });
}

/**
 * The provider, or undefined with its problems added (fields named as in the config). No
 * request is made: the zone and the credentials are tried at start and by `fedsvc check`.
 */
export async function dnsProvider(config: FedsvcConfig, problems: ValidationError[]): Promise<DnsProvider | undefined> {
  const { provider, zone, zoneId } = config.dns;
  required(problems, 'dns.zone', zone, 'the DNS name of the zone');
  if (provider === undefined) {
    required(problems, 'dns.provider', provider, 'route53, google, rfc2136 or memory');
    return undefined;
  }
  const renames = {
    route53: [
      ['clientConfig', 'dns.route53'],
      ['hostedZoneIds', 'dns.route53.hostedZoneIds'],
      ['aliases', 'dns.route53.aliases'],
    ],
    google: [
      ['projectId', 'dns.google.projectId'],
      ['keyFilename', 'dns.google.keyFilename'],
      ['apiEndpoint', 'dns.google.apiEndpoint'],
    ],
    rfc2136: [
      ['server.host', 'dns.rfc2136.server'],
      ['server.port', 'dns.rfc2136.port'],
      ['zones[0]', 'dns.zone'],
      ['tsig.name', 'dns.rfc2136.tsigName'],
      ['tsig.algorithm', 'dns.rfc2136.tsigAlgorithm'],
      ['tsig.secret', 'dns.rfc2136.tsigSecretFile'],
    ],
    memory: [['zones[0]', 'dns.zone']],
  } as const;
  return collectAsync(problems, renames[provider], async () => {
    switch (provider) {
      case 'rfc2136':
        return rfc2136(config);
      case 'google':
        return google(config);
      case 'route53':
        return route53(config);
      case 'memory': {
        // An empty zone in this process: for trying a config out, never for production.
        const { createMemoryProvider } = await import('@fedsvc/dns-memory');
        return createMemoryProvider({ zones: [{ dnsName: zone ?? 'invalid.', id: zoneId ?? zone ?? 'invalid.' }] });
      }
    }
  });
}
