// The PowerDNS Authoritative test harness: a real `pdns_server` in the foreground on a free
// loopback port, its zones in an SQLite database (the gsqlite3 backend, which takes updates) in a
// temporary directory, with a TSIG key allowed to update and transfer them. It installs nothing:
// without PowerDNS it fails saying how to get it.
import { execFile } from 'node:child_process';
import { accessSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findProgram, startServer, zoneFile, type DnsServer, type DnsServerOptions, type ServerSetup } from './server.js';

export const POWERDNS_INSTALL_HINT = 'install PowerDNS: apt-get install pdns-server pdns-backend-sqlite3 sqlite3';

/** Where Debian's pdns-backend-sqlite3 puts the database schema. */
const SQLITE_SCHEMA = '/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql';

export interface PowerDnsOptions extends DnsServerOptions {
  /**
   * The backend holding the zones. `gsqlite3` takes updates; `bind` (zone files) cannot, and
   * answers every UPDATE NOTIMP, as any backend without update support does. Default `gsqlite3`.
   */
  readonly backend?: 'gsqlite3' | 'bind';
}

/** A running `pdns_server` (see DnsServer). */
export type PowerDnsServer = DnsServer;

/** Where `pdns_server` is: on PATH or in /usr/sbin. */
export const findPdnsServer = (dirs?: readonly string[]): string => findProgram('pdns_server', POWERDNS_INSTALL_HINT, dirs);

const run = promisify(execFile);

function pdnsConf({ directory }: ServerSetup, port: number, backend: 'gsqlite3' | 'bind'): string {
  const storage =
    backend === 'gsqlite3'
      ? ['launch=gsqlite3', `gsqlite3-database=${join(directory, 'pdns.db')}`]
      : [
          'launch=bind',
          `bind-config=${join(directory, 'named.conf')}`,
          '# The zone-file backend keeps TSIG keys and zone metadata in this SQLite file.',
          `bind-dnssec-db=${join(directory, 'dnssec.db')}`,
        ];
  return [
    ...storage,
    'local-address=127.0.0.1',
    `local-port=${port}`,
    '# The control socket goes in the temporary directory, not /run/pdns.',
    `socket-dir=${directory}`,
    '# Updates are off by default; allowed from loopback, and then only signed with the key (TSIG-ALLOW-DNSUPDATE).',
    'dnsupdate=yes',
    'allow-dnsupdate-from=127.0.0.0/8',
    '# Loopback may transfer without a key by default: only the key (TSIG-ALLOW-AXFR) may here.',
    'allow-axfr-ips=',
    '# PowerDNS asks a public name for security advisories at start; tests talk to loopback only.',
    'security-poll-suffix=',
    '',
  ].join('\n');
}

/** Writes the zones and the key's rights with pdnsutil, the way an operator would. */
async function loadZones(setup: ServerSetup, backend: 'gsqlite3' | 'bind'): Promise<void> {
  const { directory, zones, records, key } = setup;
  const pdnsutil = (...args: string[]) => run(findProgram('pdnsutil', POWERDNS_INSTALL_HINT), [`--config-dir=${directory}`, ...args]);
  await Promise.all(zones.map((zone, i) => writeFile(join(directory, `zone${i}.db`), zoneFile(zone, records))));
  if (backend === 'gsqlite3') {
    accessSync(SQLITE_SCHEMA);
    const database = join(directory, 'pdns.db');
    await run(findProgram('sqlite3', POWERDNS_INSTALL_HINT), [database, `.read ${SQLITE_SCHEMA}`]);
    for (const [i, zone] of zones.entries()) await pdnsutil('load-zone', zone, join(directory, `zone${i}.db`));
    // What pdnsutil import-tsig-key and set-meta write, for every zone in one go (pdnsutil takes a zone at a time).
    await run(findProgram('sqlite3', POWERDNS_INSTALL_HINT), [database, grantSql(key)]);
    return;
  }
  const named = zones.map((zone, i) => `zone ${JSON.stringify(zone)} { file ${JSON.stringify(join(directory, `zone${i}.db`))}; };`);
  await writeFile(join(directory, 'named.conf'), `${named.join('\n')}\n`);
  await pdnsutil('create-bind-db', join(directory, 'dnssec.db'));
  await pdnsutil('import-tsig-key', key.name, key.algorithm, key.secret);
  for (const zone of zones) {
    await pdnsutil('set-meta', zone, 'TSIG-ALLOW-DNSUPDATE', key.name);
    await pdnsutil('set-meta', zone, 'TSIG-ALLOW-AXFR', key.name);
  }
}

/** The key, and its right to update and transfer every zone. The key's name and secret are the harness's own: no quotes in them. */
function grantSql(key: ServerSetup['key']): string {
  return [
    `INSERT INTO tsigkeys (name, algorithm, secret) VALUES ('${key.name}', '${key.algorithm}', '${key.secret}');`,
    ...['TSIG-ALLOW-DNSUPDATE', 'TSIG-ALLOW-AXFR'].map(
      (kind) => `INSERT INTO domainmetadata (domain_id, kind, content) SELECT id, '${kind}', '${key.name}' FROM domains;`,
    ),
  ].join('\n');
}

/** Starts `pdns_server` with the zones and a fresh hmac-sha256 key, and waits until it answers. */
export function startPowerDns(options: PowerDnsOptions): Promise<PowerDnsServer> {
  const program = findPdnsServer();
  const backend = options.backend ?? 'gsqlite3';
  let loaded = false;
  return startServer(
    {
      name: 'pdns_server',
      program,
      async configure(setup, port) {
        await writeFile(join(setup.directory, 'pdns.conf'), pdnsConf(setup, port, backend));
        // The zones stay put when a port was taken and the server is started again on another.
        if (!loaded) await loadZones(setup, backend);
        loaded = true;
        return [`--config-dir=${setup.directory}`, '--daemon=no', '--guardian=no', '--disable-syslog', '--write-pid=no', '--loglevel=4'];
      },
    },
    options,
    'fedsvc-pdns-',
  );
}
