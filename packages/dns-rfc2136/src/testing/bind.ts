// The BIND 9 test harness: a real `named` in the foreground on a free loopback port, with
// generated zones and TSIG key in a temporary directory. It installs nothing: without BIND it
// fails saying how to get it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { sleep } from '@fedsvc/core/provider';
import { udpExchange } from '../transport.js';
import { Opcode, RRClass, RRType, Rcode, decodeMessage, emptyMessage, encodeMessage, normalizeWireName } from '../wire.js';

export const BIND_INSTALL_HINT = 'install BIND 9: apt-get install bind9 bind9-dnsutils';

export interface BindOptions {
  /** Zones to serve, each with only its SOA and NS (`localhost.`), updatable and transferable with the key. */
  readonly zones: readonly string[];
  /** Extra zone-file lines for every zone, relative to its origin, e.g. `person 60 IN A 198.51.100.1`. */
  readonly records?: readonly string[];
  /**
   * Sign the zones (`dnssec-policy default; inline-signing yes;`): transfers then carry the
   * RRSIG, NSEC, DNSKEY, CDS and CDNSKEY records BIND maintains. Default false.
   */
  readonly dnssec?: boolean;
  /** Bound on waiting for `named` to answer. Default 20 000 ms. */
  readonly startTimeoutMs?: number;
}

export interface BindServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The TSIG key `named` accepts for updates and transfers, as `tsig-keygen` would print it. */
  readonly key: { readonly name: string; readonly algorithm: 'hmac-sha256'; readonly secret: string };
  /** The zones, lower-case with the trailing dot. */
  readonly zones: readonly string[];
  /** The temporary directory holding named.conf, the zone files and journals. */
  readonly directory: string;
  /** The last lines `named` wrote, for failure messages. */
  log(): string;
  /** Stops `named` and removes the directory. */
  stop(): Promise<void>;
}

const SEARCH_PATH = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'].filter((dir) => dir !== '');

/** Where `named` is: on PATH or in /usr/sbin (Debian puts it there, off a normal user's PATH). */
export function findNamed(dirs: readonly string[] = SEARCH_PATH): string {
  for (const dir of dirs) {
    const candidate = join(dir, 'named');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; next
    }
  }
  throw new Error(`BIND 9's named was not found in ${dirs.join(delimiter)}; ${BIND_INSTALL_HINT}`);
}

/** A port free for both TCP and UDP on 127.0.0.1 right now (named needs both). */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const tcp = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(0, '127.0.0.1', () => resolve((tcp.address() as { port: number }).port));
    });
    const udp = createSocket('udp4');
    const free = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    try {
      udp.close();
    } catch {
      // never bound: nothing to close
    }
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    if (free) return port;
  }
  throw new Error('no loopback port free for both TCP and UDP after 20 tries');
}

const quoted = (text: string): string => JSON.stringify(text);

function namedConf(directory: string, port: number, key: BindServer['key'], zones: readonly string[], dnssec: boolean): string {
  const zoneBlocks = zones
    .map(
      (zone, i) => `
zone ${quoted(zone)} {
  type primary;
  file ${quoted(join(directory, `zone${i}.db`))};
  allow-update { key ${quoted(key.name)}; };
  allow-transfer { key ${quoted(key.name)}; };${
    dnssec
      ? `
  dnssec-policy default;
  inline-signing yes;
  key-directory ${quoted(directory)};`
      : ''
  }
};`,
    )
    .join('\n');
  return `key ${quoted(key.name)} {
  algorithm ${key.algorithm};
  secret ${quoted(key.secret)};
};
options {
  directory ${quoted(directory)};
  pid-file ${quoted(join(directory, 'named.pid'))};
  session-keyfile ${quoted(join(directory, 'session.key'))};
  managed-keys-directory ${quoted(directory)};
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  notify no;
  dnssec-validation no;
  allow-query { any; };
};
# No rndc control channel: it would need a key file and a fixed port shared by every harness.
controls { };
${zoneBlocks}
`;
}

function zoneFile(zone: string, records: readonly string[]): string {
  return [
    `$ORIGIN ${zone}`,
    '$TTL 300',
    `@ IN SOA localhost. hostmaster.${zone} 1 3600 600 86400 60`,
    '@ IN NS localhost.',
    ...records,
    '',
  ].join('\n');
}

/** Answers whether `named` answers an SOA query for `zone` (plain, unsigned) with NOERROR. */
async function answers(port: number, zone: string): Promise<boolean> {
  const query = encodeMessage({ ...emptyMessage(1, Opcode.QUERY), questions: [{ name: zone, type: RRType.SOA, class: RRClass.IN }] });
  try {
    const answer = decodeMessage(await udpExchange({ host: '127.0.0.1', port }, query, { timeoutMs: 300 }));
    return answer.rcode === Rcode.NOERROR && answer.answers.length > 0;
  } catch {
    return false;
  }
}

/** Starts `named` with the zones and a fresh hmac-sha256 key, and waits until it answers. */
export async function startBind(options: BindOptions): Promise<BindServer> {
  const named = findNamed();
  if (options.zones.length === 0) throw new Error('startBind: give at least one zone');
  const zones = options.zones.map(normalizeWireName);
  const key = { name: 'fedsvc-test-key', algorithm: 'hmac-sha256' as const, secret: randomBytes(32).toString('base64') };
  const directory = await mkdtemp(join(tmpdir(), 'fedsvc-bind-'));
  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  try {
    await Promise.all(zones.map((zone, i) => writeFile(join(directory, `zone${i}.db`), zoneFile(zone, options.records ?? []))));
    // Another process may take the port between our check and named's bind: try a few.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const conf = join(directory, 'named.conf');
      await writeFile(conf, namedConf(directory, port, key, zones, options.dnssec === true));
      const started = await launch(named, conf, port, zones[0]!, deadline);
      if (started.ok) return server(started.child, started.log, port, key, zones, directory);
      if (!started.portTaken || attempt >= 3 || Date.now() >= deadline)
        throw new Error(`named did not start: ${started.reason}\n${started.log()}`);
    }
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

type Launch = { ok: true; child: ChildProcess; log: () => string } | { ok: false; reason: string; portTaken: boolean; log: () => string };

async function launch(named: string, conf: string, port: number, probeZone: string, deadline: number): Promise<Launch> {
  // -g: foreground, log to stderr; -n 1: one worker thread (tests share a small machine).
  const child = spawn(named, ['-g', '-c', conf, '-p', String(port), '-n', '1', '-4'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let tail = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-16_384);
  });
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `named exited (${signal ?? `code ${code}`})`;
  });
  child.once('error', (error) => {
    exited = `named could not run: ${error.message}`;
  });
  const log = () => tail;
  while (Date.now() < deadline) {
    if (exited !== undefined) return { ok: false, reason: exited, portTaken: /address in use/i.test(tail), log };
    if (await answers(port, probeZone)) return { ok: true, child, log };
    await sleep(50);
  }
  await stopChild(child);
  return { ok: false, reason: 'named did not answer in time', portTaken: false, log };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function server(
  child: ChildProcess,
  log: () => string,
  port: number,
  key: BindServer['key'],
  zones: readonly string[],
  directory: string,
): BindServer {
  let stopped: Promise<void> | undefined;
  return {
    host: '127.0.0.1',
    port,
    key,
    zones,
    directory,
    log,
    stop() {
      stopped ??= stopChild(child).then(() => rm(directory, { recursive: true, force: true }));
      return stopped;
    },
  };
}
