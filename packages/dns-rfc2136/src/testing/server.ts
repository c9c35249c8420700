// What the BIND, Knot and PowerDNS harnesses share: finding the server's program, a free
// loopback port, starting the server in the foreground and waiting until it answers, and
// stopping it. Each harness writes its own configuration.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { sleep } from '@fedsvc/core/provider';
import { udpExchange } from '../transport.js';
import { Opcode, RRClass, RRType, Rcode, decodeMessage, emptyMessage, encodeMessage, normalizeWireName } from '../wire.js';

/** What every harness takes. */
export interface DnsServerOptions {
  /** Zones to serve, each with only its SOA and NS (`localhost.`), updatable and transferable with the key. */
  readonly zones: readonly string[];
  /** Extra zone-file lines for every zone, relative to its origin, e.g. `person 60 IN A 198.51.100.1`. */
  readonly records?: readonly string[];
  /** Bound on waiting for the server to answer. Default 20 000 ms. */
  readonly startTimeoutMs?: number;
}

/** A DNS server a harness started on loopback. */
export interface DnsServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The TSIG key the server accepts for updates and transfers, as `tsig-keygen` would print it. */
  readonly key: { readonly name: string; readonly algorithm: 'hmac-sha256'; readonly secret: string };
  /** The zones, lower-case with the trailing dot. */
  readonly zones: readonly string[];
  /** The temporary directory holding the configuration, the zones and the server's own files. */
  readonly directory: string;
  /** The last lines the server wrote, for failure messages. */
  log(): string;
  /** Stops the server and removes the directory. */
  stop(): Promise<void>;
}

/** How one kind of server is configured and run. */
export interface ServerKind {
  /** Its name in messages: `named`, `knotd`, `pdns_server`. */
  readonly name: string;
  /** The program, found by findProgram. */
  readonly program: string;
  /** Writes the configuration for `port` into `directory`; answers the program's arguments. */
  configure(setup: ServerSetup, port: number): Promise<string[]>;
}

export interface ServerSetup {
  readonly directory: string;
  readonly zones: readonly string[];
  readonly records: readonly string[];
  readonly key: DnsServer['key'];
}

const SEARCH_PATH = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'].filter((dir) => dir !== '');

/** Where `program` is: on PATH or in /usr/sbin (Debian puts servers there, off a normal user's PATH). */
export function findProgram(program: string, hint: string, dirs: readonly string[] = SEARCH_PATH): string {
  for (const dir of dirs) {
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; next
    }
  }
  throw new Error(`${program} was not found in ${dirs.join(delimiter)}; ${hint}`);
}

/** A port free for both TCP and UDP on 127.0.0.1 right now (a DNS server needs both). */
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

/** The zone file every harness starts from: SOA (serial 1), NS, and the extra lines. */
export function zoneFile(zone: string, records: readonly string[]): string {
  return [
    `$ORIGIN ${zone}`,
    '$TTL 300',
    `@ IN SOA localhost. hostmaster.${zone} 1 3600 600 86400 60`,
    '@ IN NS localhost.',
    ...records,
    '',
  ].join('\n');
}

/** Answers whether the server answers an SOA query for `zone` (plain, unsigned) with NOERROR. */
async function answers(port: number, zone: string): Promise<boolean> {
  const query = encodeMessage({ ...emptyMessage(1, Opcode.QUERY), questions: [{ name: zone, type: RRType.SOA, class: RRClass.IN }] });
  try {
    const answer = decodeMessage(await udpExchange({ host: '127.0.0.1', port }, query, { timeoutMs: 300 }));
    return answer.rcode === Rcode.NOERROR && answer.answers.length > 0;
  } catch {
    return false;
  }
}

/** Starts a server of `kind` with the zones and a fresh hmac-sha256 key, and waits until it answers. */
export async function startServer(kind: ServerKind, options: DnsServerOptions, prefix: string): Promise<DnsServer> {
  if (options.zones.length === 0) throw new Error(`${kind.name}: give at least one zone`);
  const zones = options.zones.map(normalizeWireName);
  const key = { name: 'fedsvc-test-key', algorithm: 'hmac-sha256' as const, secret: randomBytes(32).toString('base64') };
  const directory = await mkdtemp(join(tmpdir(), prefix));
  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  const setup: ServerSetup = { directory, zones, records: options.records ?? [], key };
  try {
    // Another process may take the port between our check and the server's bind: try a few.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const args = await kind.configure(setup, port);
      const started = await launch(kind, args, port, zones[0]!, deadline);
      if (started.ok) return server(started.child, started.log, port, key, zones, directory);
      if (!started.portTaken || attempt >= 3 || Date.now() >= deadline)
        throw new Error(`${kind.name} did not start: ${started.reason}\n${started.log()}`);
    }
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

type Launch = { ok: true; child: ChildProcess; log: () => string } | { ok: false; reason: string; portTaken: boolean; log: () => string };

async function launch(kind: ServerKind, args: string[], port: number, probeZone: string, deadline: number): Promise<Launch> {
  const child = spawn(kind.program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-16_384);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `${kind.name} exited (${signal ?? `code ${code}`})`;
  });
  child.once('error', (error) => {
    exited = `${kind.name} could not run: ${error.message}`;
  });
  const log = () => tail;
  while (Date.now() < deadline) {
    if (exited !== undefined) return { ok: false, reason: exited, portTaken: /address (already )?in use/i.test(tail), log };
    if (await answers(port, probeZone)) return { ok: true, child, log };
    await sleep(50);
  }
  await stopChild(child);
  return { ok: false, reason: `${kind.name} did not answer in time`, portTaken: false, log };
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
  key: DnsServer['key'],
  zones: readonly string[],
  directory: string,
): DnsServer {
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
