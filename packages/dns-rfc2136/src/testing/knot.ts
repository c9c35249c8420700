// The Knot DNS test harness: a real `knotd` in the foreground on a free loopback port, with
// generated zones and TSIG key in a temporary directory. It installs nothing: without Knot it
// fails saying how to get it.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findProgram, startServer, zoneFile, type DnsServer, type DnsServerOptions, type ServerSetup } from './server.js';

export const KNOT_INSTALL_HINT = 'install Knot DNS: apt-get install knot';

/** A running `knotd` (see DnsServer). */
export type KnotServer = DnsServer;

/** Where `knotd` is: on PATH or in /usr/sbin. */
export const findKnotd = (dirs?: readonly string[]): string => findProgram('knotd', KNOT_INSTALL_HINT, dirs);

const quoted = (text: string): string => JSON.stringify(text);

function knotConf({ directory, key, zones }: ServerSetup, port: number): string {
  return `server:
  listen: 127.0.0.1@${port}
  # The control socket and the PID file go in the temporary directory, not /run/knot.
  rundir: ${quoted(directory)}
  # One worker of each kind: tests share a small machine.
  udp-workers: 1
  tcp-workers: 1
  background-workers: 1
database:
  # The journal and timers, also in the temporary directory.
  storage: ${quoted(directory)}
log:
  - target: stderr
    any: info
key:
  - id: ${quoted(key.name)}
    algorithm: ${key.algorithm}
    secret: ${key.secret}
acl:
  # The key may update and transfer every zone; nothing else may.
  - id: fedsvc
    key: ${quoted(key.name)}
    action: [update, transfer]
template:
  - id: default
    storage: ${quoted(directory)}
    acl: fedsvc
zone:
${zones.map((zone, i) => `  - domain: ${quoted(zone)}\n    file: zone${i}.db`).join('\n')}
`;
}

/** Starts `knotd` with the zones and a fresh hmac-sha256 key, and waits until it answers. */
export function startKnot(options: DnsServerOptions): Promise<KnotServer> {
  const program = findKnotd();
  return startServer(
    {
      name: 'knotd',
      program,
      async configure(setup, port) {
        await Promise.all(setup.zones.map((zone, i) => writeFile(join(setup.directory, `zone${i}.db`), zoneFile(zone, setup.records))));
        const conf = join(setup.directory, 'knot.conf');
        await writeFile(conf, knotConf(setup, port));
        // Without -d knotd stays in the foreground and logs to stderr.
        return ['-c', conf];
      },
    },
    options,
    'fedsvc-knot-',
  );
}
