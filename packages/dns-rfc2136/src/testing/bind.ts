// The BIND 9 test harness: a real `named` in the foreground on a free loopback port, with
// generated zones and TSIG key in a temporary directory. It installs nothing: without BIND it
// fails saying how to get it.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findProgram, startServer, zoneFile, type DnsServer, type DnsServerOptions, type ServerSetup } from './server.js';

export const BIND_INSTALL_HINT = 'install BIND 9: apt-get install bind9 bind9-dnsutils';

export interface BindOptions extends DnsServerOptions {
  /**
   * Sign the zones (`dnssec-policy default; inline-signing yes;`): transfers then carry the
   * RRSIG, NSEC, DNSKEY, CDS and CDNSKEY records BIND maintains. Default false.
   */
  readonly dnssec?: boolean;
  /**
   * Whether the key may update the zones. False: every UPDATE is refused (REFUSED, `allow-update
   * { none; }`), as by a server whose policy does not let the key write; reads and transfers
   * work. Default true.
   */
  readonly updates?: boolean;
}

/** A running `named` (see DnsServer). */
export type BindServer = DnsServer;

/** Where `named` is: on PATH or in /usr/sbin (Debian puts it there, off a normal user's PATH). */
export const findNamed = (dirs?: readonly string[]): string => findProgram('named', BIND_INSTALL_HINT, dirs);

const quoted = (text: string): string => JSON.stringify(text);

function namedConf({ directory, key, zones }: ServerSetup, port: number, dnssec: boolean, updates: boolean): string {
  const zoneBlocks = zones
    .map(
      (zone, i) => `
zone ${quoted(zone)} {
  type primary;
  file ${quoted(join(directory, `zone${i}.db`))};
  allow-update { ${updates ? `key ${quoted(key.name)}` : 'none'}; };
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
  # BIND 9.18.28 and later refuse (SERVFAIL) a record set of more than 100 records by default;
  # tests write larger ones, as an operator who raised the limit would.
  max-records-per-type 0;
};
# No rndc control channel: it would need a key file and a fixed port shared by every harness.
controls { };
${zoneBlocks}
`;
}

/** Starts `named` with the zones and a fresh hmac-sha256 key, and waits until it answers. */
export function startBind(options: BindOptions): Promise<BindServer> {
  const program = findNamed();
  return startServer(
    {
      name: 'named',
      program,
      async configure(setup, port) {
        await Promise.all(setup.zones.map((zone, i) => writeFile(join(setup.directory, `zone${i}.db`), zoneFile(zone, setup.records))));
        const conf = join(setup.directory, 'named.conf');
        await writeFile(conf, namedConf(setup, port, options.dnssec === true, options.updates !== false));
        // -g: foreground, log to stderr; -n 1: one worker thread (tests share a small machine).
        return ['-g', '-c', conf, '-p', String(port), '-n', '1', '-4'];
      },
    },
    options,
    'fedsvc-bind-',
  );
}
