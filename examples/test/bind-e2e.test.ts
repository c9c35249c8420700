// The guide's walkthrough against each real server (BIND 9, Knot DNS, PowerDNS): the controller
// drives 13 in-memory clusters and writes to the server through the RFC 2136 adapter; `dig` and
// Node's resolver then ask the server what a client would see. Without a server this fails
// saying how to install it.
import { execFile } from 'node:child_process';
import { promises as dns } from 'node:dns';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createController, ownershipRecord, type FederationController } from '@fedsvc/core';
import {
  MemoryClusters,
  guideClusterName as clusterOf,
  guideLoadBalancerAddresses as ADDRESSES,
  guideNginx,
  guideZones as ZONES,
  regionOfZone as regionOf,
} from '@fedsvc/core/testing';
import { createRfc2136Provider } from '@fedsvc/dns-rfc2136';
import { SERVER_KINDS, startBind, startDnsServer, type BindServer, type DnsServer } from '@fedsvc/dns-rfc2136/testing';
import { parseKeyFile } from '../bind/key-file.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const TTL = 5;
const OWNER = 'fedsvc-e2e';
const federation = { name: 'myfederation', domain: 'example.com', ttl: TTL };
const name = (place?: string) => `nginx.mynamespace.myfederation.svc.${place ? `${place}.` : ''}example.com.`;
/** Where the guide's pods became ready. */
const READY = ['us-central1-a', 'us-central1-b', 'us-central1-c', 'asia-east1-a', 'asia-east1-c', 'us-east1-b', 'us-east1-c', 'us-east1-d'];
const addressesOf = (zones: readonly string[]) => zones.map((zone) => ADDRESSES[zone]!).sort();

/** Someone else's records in the zone: a person's, and another federation's (with its marker). */
const OTHER_FEDERATION = 'shop.mynamespace.myfederation.svc.example.com.';
const foreign = [
  { name: 'www.example.com.', type: 'A', ttl: 300, rrdatas: ['192.0.2.1'] },
  { name: 'nginx.acme.example.com.', type: 'CNAME', ttl: 300, rrdatas: ['nginx.mynamespace.myfederation.svc.example.com.'] },
  { name: 'other.mynamespace.myfederation.svc.example.com.', type: 'A', ttl: 60, rrdatas: ['192.0.2.2'] },
  { name: OTHER_FEDERATION, type: 'A', ttl: 60, rrdatas: ['192.0.2.3'] },
  ownershipRecord(OTHER_FEDERATION, 'another-federation', 60, ['A']),
];
const zoneLines = foreign.flatMap((r) => r.rrdatas.map((rrdata) => `${r.name} ${r.ttl} IN ${r.type} ${rrdata}`));

interface Dig {
  chain: string[];
  addresses: string[];
}

describe.each(SERVER_KINDS)("the guide's walkthrough against a real %s", (kind) => {
  let bind: DnsServer;
  let clusters: MemoryClusters;
  let controller: FederationController;
  let resolver: dns.Resolver;
  const failures: string[] = [];

  /** `dig +short`: the CNAME chain the server walked, then the addresses it ended on. */
  async function dig(qname: string): Promise<Dig> {
    const { stdout } = await run(
      'dig',
      [`@${bind.host}`, '-p', String(bind.port), '+short', '+norecurse', '+time=2', '+tries=1', qname, 'A'],
      { timeout: 10_000 },
    );
    const lines = stdout.split('\n').filter((line) => line !== '');
    return { chain: lines.filter((line) => line.endsWith('.')), addresses: lines.filter((line) => !line.endsWith('.')).sort() };
  }

  /** Node's resolver: the name's CNAME target (if any) and the addresses its A query ends on. */
  async function resolve(qname: string): Promise<{ cname: string | undefined; addresses: string[]; ttls: number[] }> {
    const cname = await resolver.resolveCname(qname).then(
      (targets) => `${targets[0]}.`,
      (error: NodeJS.ErrnoException) => {
        if (error.code === dns.NODATA) return undefined;
        throw error;
      },
    );
    const answers = await resolver.resolve4(qname, { ttl: true });
    return { cname, addresses: answers.map((a) => a.address).sort(), ttls: answers.map((a) => a.ttl) };
  }

  /** The zone by a TSIG-signed AXFR with `dig -y`, SOA left out: `name type data` lines. */
  async function transfer(): Promise<string[]> {
    const { stdout } = await run(
      'dig',
      [
        '-y',
        `${bind.key.algorithm}:${bind.key.name}:${bind.key.secret}`,
        `@${bind.host}`,
        '-p',
        String(bind.port),
        'example.com.',
        'AXFR',
        '+nocmd',
        '+nostats',
        '+nocomments',
        '+time=5',
        '+tries=1',
      ],
      { timeout: 15_000 },
    );
    const records = stdout
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith(';'))
      .map((line) => line.split(/\s+/))
      .map(([n = '', , , type = '', ...data]) => ({ n, type, data: data.join(' ') }));
    expect(records.length).toBeGreaterThan(0);
    return records
      .filter((r) => r.type !== 'SOA' && r.type !== 'TSIG')
      .map((r) => `${r.n} ${r.type} ${r.data}`)
      .sort();
  }

  async function settle(): Promise<void> {
    await controller.idle();
    expect(failures).toEqual([]);
  }

  const setPods = (zones: readonly string[], ready: number) => {
    for (const zone of zones) clusters.setReadyEndpoints(clusterOf(zone), 'mynamespace', 'nginx', ready);
  };

  beforeAll(async () => {
    bind = await startDnsServer(kind, { zones: ['example.com'], records: zoneLines });
    resolver = new dns.Resolver({ timeout: 2_000, tries: 1 });
    resolver.setServers([`${bind.host}:${bind.port}`]);
    clusters = new MemoryClusters(
      ZONES.map((zone) => ({
        name: clusterOf(zone),
        zones: [zone],
        region: regionOf(zone),
        loadBalancerAddresses: [ADDRESSES[zone]!],
      })),
    );
    const provider = createRfc2136Provider({ server: { host: bind.host, port: bind.port }, zones: ['example.com'], tsig: bind.key });
    controller = createController({
      federation,
      ownerId: OWNER,
      clusters,
      dns: { provider, zone: { id: 'example.com.', dnsName: 'example.com.' } },
    });
    controller.on('apply-failed', (event) => failures.push(`${event.service}: ${event.reason}: ${event.error.message}`));
    controller.start();
    controller.applyService(guideNginx);
    await settle();
    setPods(READY, 1);
    await settle();
  }, 60_000);

  afterAll(async () => {
    await controller?.stop();
    await bind?.stop();
  });

  it("answers each zone with a healthy shard with that shard's address, over dig and Node's resolver", async () => {
    for (const zone of READY) {
      expect(await dig(name(zone))).toEqual({ chain: [], addresses: [ADDRESSES[zone]] });
      expect(await resolve(name(zone))).toEqual({ cname: undefined, addresses: [ADDRESSES[zone]], ttls: [TTL] });
    }
  });

  it('answers us-central1-f with the us-central1 addresses through its CNAME', async () => {
    const region = addressesOf(['us-central1-a', 'us-central1-b', 'us-central1-c']);
    expect(await dig(name('us-central1-f'))).toEqual({ chain: [name('us-central1')], addresses: region });
    expect(await resolve(name('us-central1-f'))).toMatchObject({ cname: name('us-central1'), addresses: region });
    expect(await dig(name('asia-east1-b'))).toEqual({
      chain: [name('asia-east1')],
      addresses: addressesOf(['asia-east1-a', 'asia-east1-c']),
    });
  });

  it('walks europe-west1-d to europe-west1 and lands on the global set', async () => {
    for (const zone of ['europe-west1-b', 'europe-west1-c', 'europe-west1-d']) {
      expect(await dig(name(zone))).toEqual({ chain: [name('europe-west1'), name()], addresses: addressesOf(READY) });
    }
    expect(await resolve(name('europe-west1-d'))).toMatchObject({ cname: name('europe-west1'), addresses: addressesOf(READY) });
    expect(await resolve(name('europe-west1'))).toMatchObject({ cname: name(), addresses: addressesOf(READY) });
  });

  it('answers the global name with every healthy shard', async () => {
    expect(await dig(name())).toEqual({ chain: [], addresses: addressesOf(READY) });
    expect(await resolve(name())).toEqual({ cname: undefined, addresses: addressesOf(READY), ttls: READY.map(() => TTL) });
  });

  it('moves a zone to its region when its pods go, and back when they return', async () => {
    setPods(['us-central1-a'], 0);
    await settle();
    const rest = addressesOf(['us-central1-b', 'us-central1-c']);
    expect(await dig(name('us-central1-a'))).toEqual({ chain: [name('us-central1')], addresses: rest });
    expect(await resolve(name('us-central1-a'))).toMatchObject({ cname: name('us-central1'), addresses: rest });
    expect(await dig(name('us-central1-f'))).toEqual({ chain: [name('us-central1')], addresses: rest });
    expect((await dig(name())).addresses).toEqual(addressesOf(READY.filter((zone) => zone !== 'us-central1-a')));

    setPods(['us-central1-b', 'us-central1-c'], 0);
    await settle();
    const left = addressesOf(READY.filter((zone) => regionOf(zone) !== 'us-central1'));
    expect(await dig(name('us-central1-a'))).toEqual({ chain: [name('us-central1'), name()], addresses: left });
    expect(await resolve(name('us-central1'))).toMatchObject({ cname: name(), addresses: left });

    setPods(['us-central1-a', 'us-central1-b', 'us-central1-c'], 1);
    await settle();
    expect(await dig(name('us-central1-a'))).toEqual({ chain: [], addresses: [ADDRESSES['us-central1-a']] });
    expect(await dig(name('us-central1'))).toEqual({
      chain: [],
      addresses: addressesOf(['us-central1-a', 'us-central1-b', 'us-central1-c']),
    });
    expect(await dig(name())).toEqual({ chain: [], addresses: addressesOf(READY) });
  });

  it('deleting the service leaves none of its records and every foreign record intact (signed AXFR with dig -y)', async () => {
    const before = await transfer();
    // 13 zones + 4 regions + global, each with its ownership marker.
    expect(before.filter((line) => line.startsWith('nginx.mynamespace.myfederation.svc.')).map((line) => line.split(' ')[0])).toEqual(
      expect.arrayContaining([name(), ...ZONES.map(name), ...['asia-east1', 'europe-west1', 'us-central1', 'us-east1'].map(name)]),
    );
    expect(before.filter((line) => line.startsWith(`_fedsvc.nginx.`)).length).toBe(18);

    controller.deleteService('mynamespace', 'nginx');
    await settle();
    const after = await transfer();
    const expected = [
      'example.com. NS localhost.',
      ...zoneLines.map((line) => {
        const [n = '', , , type = '', ...data] = line.split(' ');
        return `${n} ${type} ${data.join(' ')}`;
      }),
    ].sort();
    expect(after).toEqual(expected);
    expect(await dig(name())).toEqual({ chain: [], addresses: [] });
  });
});

describe('examples/bind', () => {
  let bind: BindServer | undefined;
  let keyDirectory: string | undefined;

  afterAll(async () => {
    await bind?.stop();
    if (keyDirectory) await rm(keyDirectory, { recursive: true, force: true });
  });

  function example(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', '--conditions=@fedsvc/source', 'examples/bind/index.ts', ...args],
        { cwd: root, timeout: 90_000, env: { ...withoutSettings(process.env), ...env } },
        (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
        },
      );
    });
  }

  /** The environment without the example's own settings, so that only what a test gives counts. */
  function withoutSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('FEDSVC_')));
  }

  /** The zone listings printed: rows of `NAME TYPE TTL DATA` tables. */
  function tables(stdout: string): Map<string, string>[] {
    const out: Map<string, string>[] = [];
    const lines = stdout.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!/^NAME\s+TYPE\s+TTL\s+DATA$/.test(lines[i]!)) continue;
      const rows = new Map<string, string>();
      for (let j = i + 1; j < lines.length && lines[j] !== '' && !lines[j]!.startsWith('('); j++) {
        const [n = '', type = '', ttl = '', ...data] = lines[j]!.split(/\s{2,}/);
        rows.set(`${n} ${type}`, `${ttl} ${data.join('  ').split(', ').sort().join(',')}`);
      }
      out.push(rows);
    }
    return out;
  }

  it('parses a key file as tsig-keygen writes it', async () => {
    const { stdout } = await run('tsig-keygen', ['-a', 'hmac-sha256', 'example-key'], { timeout: 10_000 });
    const key = parseKeyFile(stdout, 'example.key');
    expect(key).toEqual({ name: 'example-key', algorithm: 'hmac-sha256', secret: /secret "([^"]+)"/.exec(stdout)![1] });
    expect(Buffer.from(key.secret, 'base64')).toHaveLength(32);
    // About one tsig-keygen secret in a hundred holds `//`, which is not a comment there.
    const slashes = 'q//8+/w#AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBk=';
    expect(
      parseKeyFile(`# made by hand\nkey "k" { // the key\n  algorithm hmac-sha256;\n  secret "${slashes}"; # base64\n};`, 'hand.key'),
    ).toEqual({ name: 'k', algorithm: 'hmac-sha256', secret: slashes });
    expect(() => parseKeyFile('key "k" { algorithm hmac-md5; secret "AAAA"; };', 'bad.key')).toThrow(/algorithm/);
    expect(() => parseKeyFile('nothing here', 'empty.key')).toThrow(/empty\.key/);
  });

  it('refuses to start without a server or a key, naming what is missing and never echoing the secret', async () => {
    const noServer = await example([]);
    expect(noServer.code).toBe(2);
    expect(noServer.stderr).toMatch(/failed: --server: is required/);
    expect(noServer.stderr).toMatch(/usage:/);
    const noSecret = await example(['--server', '127.0.0.1:1', '--key-name', 'k']);
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toMatch(/FEDSVC_TSIG_SECRET: must hold the key's base64 secret/);
    const badSecret = await example(['--server', '127.0.0.1:1', '--key-name', 'k'], { FEDSVC_TSIG_SECRET: 'not base64 at all!' });
    expect(badSecret.code).toBe(1);
    expect(badSecret.stderr).toMatch(/tsig\.secret/);
    expect(badSecret.stderr).not.toContain('not base64 at all!');
  }, 60_000);

  it('runs the guide against the BIND it starts (--local)', async () => {
    const result = await example(['--local']);
    expect(result.stderr).not.toMatch(/failed|Error/);
    expect(result.code).toBe(0);
    const [up, down, gone] = tables(result.stdout);
    expect(up?.get(`${name()} A`)).toBe(`30 ${addressesOf(READY).join(',')}`);
    expect(up?.get(`${name('us-central1-a')} A`)).toBe(`30 ${ADDRESSES['us-central1-a']}`);
    expect(up?.get(`${name('us-central1-f')} CNAME`)).toBe(`30 ${name('us-central1')}`);
    expect(up?.get(`${name('europe-west1')} CNAME`)).toBe(`30 ${name()}`);
    expect(down?.get(`${name('us-central1-a')} CNAME`)).toBe(`30 ${name('us-central1')}`);
    expect(down?.has(`${name('us-central1-a')} A`)).toBe(false);
    expect(gone?.size).toBe(0);
    // What a client resolves, printed by the example from the server's own answers.
    expect(result.stdout).toMatch(
      new RegExp(
        `^${name('europe-west1-d').replaceAll('.', '\\.')} → ${name('europe-west1').replaceAll('.', '\\.')} → ${name().replaceAll('.', '\\.')} → ${addressesOf(READY).join(', ').replaceAll('.', '\\.')}$`,
        'm',
      ),
    );
  }, 120_000);

  it('runs against a server given by address and a tsig-keygen key file', async () => {
    bind = await startBind({ zones: ['example.org'] });
    keyDirectory = await mkdtemp(join(tmpdir(), 'fedsvc-key-'));
    const keyFile = join(keyDirectory, 'fedsvc.key');
    await writeFile(keyFile, `key "${bind.key.name}" {\n\talgorithm ${bind.key.algorithm};\n\tsecret "${bind.key.secret}";\n};\n`);
    await chmod(keyFile, 0o600);
    const result = await example([
      '--server',
      `${bind.host}:${bind.port}`,
      '--zone',
      'example.org',
      '--key-file',
      keyFile,
      '--owner',
      'e2e-own-bind',
    ]);
    expect(result.stderr).not.toMatch(/failed|Error/);
    expect(result.code).toBe(0);
    const [up] = tables(result.stdout);
    expect(up?.get('nginx.mynamespace.myfederation.svc.example.org. A')).toBe(`30 ${addressesOf(READY).join(',')}`);
    expect(result.stdout).not.toContain(bind.key.secret);
  }, 120_000);
});
