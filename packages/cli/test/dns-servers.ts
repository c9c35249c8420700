// The DNS side of the test world, one per provider `fedsvc` is tested against: a real BIND 9, or
// the Route 53 and Cloud DNS wire servers of the adapters' `/testing` entries, each serving
// example.com with one record of another tool's (www). `fedsvc` reaches them through its config
// (and, for Route 53's credentials, the environment the AWS SDK reads), as an operator's would.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DnsProvider, RecordSet } from '@fedsvc/core';
import type { BindOptions } from '@fedsvc/dns-rfc2136/testing';

/** What the child's config and environment say to reach a server, or to be refused by it. */
export interface DnsAccess {
  /** The config's `dns` section. */
  readonly dns: Record<string, unknown>;
  /** Variables the child's environment adds. */
  readonly env: Record<string, string>;
}

/** One DNS server serving example.com., started for a test world. */
export interface DnsServer extends DnsAccess {
  /** Credentials the server refuses, and the config field they come from (absent: the environment). */
  readonly refused: DnsAccess & { readonly field?: string };
  /** The zone's record sets, read through the adapter. */
  zone(): Promise<readonly RecordSet<string>[]>;
  stop(): Promise<void>;
}

/** A provider `fedsvc` is tested against: its config name, how the tests call its server, and how to start one. */
export interface DnsBackend {
  readonly provider: 'rfc2136' | 'route53' | 'google';
  readonly label: string;
  /** `dir`: where its files (secrets, keys) go; removed by the caller. */
  start(dir: string): Promise<DnsServer>;
}

const ZONE = { id: 'example.com.', dnsName: 'example.com.' };

async function zoneOf(provider: DnsProvider): Promise<readonly RecordSet<string>[]> {
  const [zone] = (await provider.zones()).filter((candidate) => candidate.dnsName === ZONE.dnsName);
  return provider.records(zone ?? ZONE);
}

/** BIND 9; `updates: false` makes one that refuses every UPDATE. */
export const bindBackend = (options: Pick<BindOptions, 'updates'> = {}): DnsBackend => ({
  provider: 'rfc2136',
  label: options.updates === false ? 'BIND 9 refusing updates' : 'BIND 9',
  async start(dir) {
    const { startBind } = await import('@fedsvc/dns-rfc2136/testing');
    const { createRfc2136Provider } = await import('@fedsvc/dns-rfc2136');
    const server = await startBind({ zones: ['example.com'], records: ['www 300 IN A 192.0.2.1'], ...options });
    const secretFile = join(dir, 'tsig-secret');
    await writeFile(secretFile, `${server.key.secret}\n`, { mode: 0o600 });
    const wrongSecretFile = join(dir, 'tsig-secret-wrong');
    await writeFile(wrongSecretFile, `${Buffer.alloc(32, 7).toString('base64')}\n`, { mode: 0o600 });
    const rfc2136 = { server: server.host, port: server.port, tsigName: server.key.name, tsigAlgorithm: server.key.algorithm };
    const provider = createRfc2136Provider({ server: { host: server.host, port: server.port }, zones: ['example.com'], tsig: server.key });
    return {
      dns: { provider: 'rfc2136', zone: 'example.com.', rfc2136: { ...rfc2136, tsigSecretFile: secretFile } },
      env: {},
      refused: {
        dns: { provider: 'rfc2136', zone: 'example.com.', rfc2136: { ...rfc2136, tsigSecretFile: wrongSecretFile } },
        env: {},
        field: 'dns.rfc2136.tsigSecretFile',
      },
      zone: () => provider.records(ZONE),
      stop: () => server.stop(),
    };
  },
});

const route53: DnsBackend = {
  provider: 'route53',
  label: 'the Route 53 wire server',
  async start() {
    const { startRoute53Fixture, FIXTURE_CREDENTIALS } = await import('@fedsvc/dns-route53/testing');
    const { createRoute53Provider } = await import('@fedsvc/dns-route53');
    const server = await startRoute53Fixture();
    const hosted = server.createZone('example.com.');
    server.putRecordSet(hosted.id, { name: 'www.example.com.', type: 'A', ttl: 300, values: ['192.0.2.1'] });
    const dns = { provider: 'route53', zone: 'example.com.', route53: { region: 'us-east-1', endpoint: server.url } };
    const credentials = (accessKeyId: string) => ({
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: FIXTURE_CREDENTIALS.secretAccessKey,
    });
    const provider = createRoute53Provider({
      clientConfig: { endpoint: server.url, region: 'us-east-1', credentials: FIXTURE_CREDENTIALS },
    });
    return {
      dns,
      env: credentials(FIXTURE_CREDENTIALS.accessKeyId),
      refused: { dns, env: credentials('AKIDREFUSEDBYROUTE53') },
      zone: () => zoneOf(provider),
      stop: () => server.close(),
    };
  },
};

const google: DnsBackend = {
  provider: 'google',
  label: 'the Cloud DNS wire server',
  async start(dir) {
    const { startCloudDnsServer } = await import('@fedsvc/dns-google/testing');
    const { createGoogleProvider } = await import('@fedsvc/dns-google');
    const server = await startCloudDnsServer();
    server.createZone('example-com', 'example.com.');
    server.putRecordSet('example-com', { name: 'www.example.com.', type: 'A', ttl: 300, rrdatas: ['192.0.2.1'] });
    const keyFile = join(dir, 'google-credentials.json');
    await writeFile(keyFile, JSON.stringify(server.credentials), { mode: 0o600 });
    const wrongKeyFile = join(dir, 'google-credentials-refused.json');
    await writeFile(wrongKeyFile, JSON.stringify(server.wrongCredentials), { mode: 0o600 });
    const options = { projectId: server.projectId, apiEndpoint: server.url };
    const provider = createGoogleProvider({ ...options, credentials: server.credentials });
    return {
      dns: { provider: 'google', zone: 'example.com.', google: { ...options, keyFilename: keyFile } },
      env: {},
      refused: {
        dns: { provider: 'google', zone: 'example.com.', google: { ...options, keyFilename: wrongKeyFile } },
        env: {},
        field: 'dns.google.keyFilename',
      },
      zone: () => zoneOf(provider),
      stop: () => server.close(),
    };
  },
};

/** Every provider the CLI is tested against as a user runs it. */
export const DNS_BACKENDS: readonly DnsBackend[] = [bindBackend(), route53, google];
