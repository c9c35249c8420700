// A recursive resolver from Debian (Unbound) on a loopback port, standing in for the cluster's
// DNS: a forward zone sends the federation's subdomain to the responder (as CoreDNS's server
// block does), and stub zones send the federation's domain and the cluster's own Service names
// (what CoreDNS's kubernetes plugin answers) to authoritative servers. Every other name goes to
// `root` on loopback: the resolver never asks a server off this machine. It passes the
// client's EDNS Client Subnet on to the responder. Its own config, its own directory; the
// package's system service, if any, is left alone.
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const UNBOUND_INSTALL_HINT = 'install Unbound: apt-get install unbound';

export interface UnboundOptions {
  /** Zone → 127.0.0.1 port of the server it is forwarded to (recursion desired, as to a resolver). */
  readonly forward: Readonly<Record<string, number>>;
  /** Zone → 127.0.0.1 port of its authoritative server. */
  readonly stub: Readonly<Record<string, number>>;
  /** 127.0.0.1 port of the server every other name (the root) is sent to, so that nothing leaves the machine. */
  readonly root: number;
}

export interface Unbound {
  readonly host: '127.0.0.1';
  readonly port: number;
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function config(directory: string, port: number, options: UnboundOptions): string {
  const quote = (s: string) => `"${s}"`;
  const zones = [...Object.keys(options.forward), ...Object.keys(options.stub)];
  return [
    'server:',
    '  interface: 127.0.0.1',
    `  port: ${port}`,
    '  do-daemonize: no',
    '  username: ""',
    '  chroot: ""',
    `  directory: ${quote(directory)}`,
    `  pidfile: ${quote(join(directory, 'unbound.pid'))}`,
    '  use-syslog: no',
    '  logfile: ""',
    '  verbosity: 1',
    '  num-threads: 1',
    '  do-ip6: no',
    '  do-not-query-localhost: no',
    '  access-control: 127.0.0.0/8 allow',
    '  qname-minimisation: no',
    '  cache-max-ttl: 0',
    '  cache-max-negative-ttl: 0',
    // Subnet cache: the client's ECS is passed on to the responder and answers are cached by subnet.
    '  module-config: "subnetcache iterator"',
    '  send-client-subnet: 127.0.0.1',
    '  client-subnet-always-forward: yes',
    ...zones.map((zone) => `  domain-insecure: ${quote(zone)}`),
    'remote-control:',
    '  control-enable: no',
    ...Object.entries(options.forward).flatMap(([zone, p]) => [
      'forward-zone:',
      `  name: ${quote(zone)}`,
      `  forward-addr: 127.0.0.1@${p}`,
    ]),
    ...Object.entries(options.stub).flatMap(([zone, p]) => ['stub-zone:', `  name: ${quote(zone)}`, `  stub-addr: 127.0.0.1@${p}`]),
    ...['forward-zone:', '  name: "."', `  forward-addr: 127.0.0.1@${options.root}`],
    '',
  ].join('\n');
}

/** Whether something answers a query on `port` (any rcode). */
function answers(port: number): Promise<boolean> {
  const query = Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1]);
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => finish(false), 300);
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    socket.on('message', () => finish(true));
    socket.on('error', () => finish(false));
    socket.send(query, port, '127.0.0.1');
  });
}

/** Starts `unbound -d` with a generated config; resolves once it answers (within 20 s). */
export async function startUnbound(options: UnboundOptions): Promise<Unbound> {
  const program = ['/usr/sbin/unbound', '/usr/local/sbin/unbound'].find((p) => existsSync(p));
  if (!program) throw new Error(`unbound not found: ${UNBOUND_INSTALL_HINT}`);
  const directory = await mkdtemp(join(tmpdir(), 'fedsvc-unbound-'));
  const port = await freePort();
  const conf = join(directory, 'unbound.conf');
  await writeFile(conf, config(directory, port, options));
  const child: ChildProcess = spawn(program, ['-d', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-16_384);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(directory, { recursive: true, force: true });
  };
  for (let i = 0; i < 400; i++) {
    if (child.exitCode !== null) break;
    if (await answers(port)) return { host: '127.0.0.1', port, log: () => tail, stop };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop();
  throw new Error(`unbound did not start:\n${tail}`);
}
