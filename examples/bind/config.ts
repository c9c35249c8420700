// The example's settings, from flags first, then the environment. The TSIG secret comes only
// from a key file or FEDSVC_TSIG_SECRET: a command line is visible to every user of the machine.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ValidationError } from '@fedsvc/core';
import { isTsigAlgorithm } from '@fedsvc/dns-rfc2136/wire';
import { parseKeyFile, type TsigKeyOptions } from './key-file.js';

export interface OwnServer {
  readonly local: false;
  readonly server: { readonly host: string; readonly port: number };
  readonly zone: string;
  readonly tsig: TsigKeyOptions;
  readonly ownerId: string;
  readonly ttl: number;
}

/** `--local`: the BIND test harness supplies server, zone and key. */
export interface LocalServer {
  readonly local: true;
  readonly zone: string;
  readonly ownerId: string;
  readonly ttl: number;
}

export type Config = OwnServer | LocalServer;

export const USAGE = `usage:
  examples/bind/index.ts --local
  examples/bind/index.ts --server HOST[:PORT] --zone ZONE (--key-file FILE | --key-name NAME [--key-algorithm ALG]) [--owner ID] [--ttl SECONDS]

  --server         the primary that takes updates            env FEDSVC_BIND_SERVER
  --zone           the zone to write into                    env FEDSVC_BIND_ZONE (default example.com)
  --key-file       the key as tsig-keygen prints it          env FEDSVC_TSIG_KEY_FILE
  --key-name       the key's name, with its secret in        env FEDSVC_TSIG_NAME
                   FEDSVC_TSIG_SECRET (never on the command line)
  --key-algorithm  hmac-sha256 (default), hmac-sha512, hmac-sha1   env FEDSVC_TSIG_ALGORITHM
  --owner          the owner id in the ownership records     env FEDSVC_OWNER_ID (default fedsvc-example;
                   the older FEDSVC_OWNER is still read when FEDSVC_OWNER_ID is unset)
  --ttl            the records' TTL, seconds                 env FEDSVC_TTL (default 30)`;

export async function readConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<Config> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      local: { type: 'boolean' },
      server: { type: 'string' },
      zone: { type: 'string' },
      'key-file': { type: 'string' },
      'key-name': { type: 'string' },
      'key-algorithm': { type: 'string' },
      owner: { type: 'string' },
      ttl: { type: 'string' },
    },
  });
  const zone = values.zone ?? env['FEDSVC_BIND_ZONE'] ?? 'example.com';
  // FEDSVC_OWNER_ID, as the other examples name it; FEDSVC_OWNER is what this one documented first.
  const ownerId = values.owner ?? env['FEDSVC_OWNER_ID'] ?? env['FEDSVC_OWNER'] ?? 'fedsvc-example';
  const ttlText = values.ttl ?? env['FEDSVC_TTL'] ?? '30';
  const ttl = Number(ttlText);
  if (!Number.isInteger(ttl) || ttl < 1) throw new ValidationError('--ttl', ttlText, 'must be a whole number of seconds, at least 1');
  if (values.local) return { local: true, zone, ownerId, ttl };

  const serverText = values.server ?? env['FEDSVC_BIND_SERVER'];
  if (serverText === undefined)
    throw new ValidationError('--server', serverText, 'is required (or FEDSVC_BIND_SERVER); use --local to start a BIND here');
  return { local: false, server: parseServer(serverText), zone, tsig: await readKey(values, env), ownerId, ttl };
}

/** `host`, `host:port`, `[v6]:port` or a bare IPv6 address. */
function parseServer(text: string): { host: string; port: number } {
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:]+)(?::(\d+))?$/.exec(text);
  const host = match ? match[1]! : text;
  const port = match?.[2] === undefined ? 53 : Number(match[2]);
  if (host === '' || !(port >= 1 && port <= 65_535)) throw new ValidationError('--server', text, 'must be HOST or HOST:PORT');
  return { host, port };
}

async function readKey(
  values: { 'key-file'?: string; 'key-name'?: string; 'key-algorithm'?: string },
  env: NodeJS.ProcessEnv,
): Promise<TsigKeyOptions> {
  const file = values['key-file'] ?? env['FEDSVC_TSIG_KEY_FILE'];
  if (file !== undefined) return parseKeyFile(await readFile(file, 'utf8'), file);
  const name = values['key-name'] ?? env['FEDSVC_TSIG_NAME'];
  if (name === undefined) throw new ValidationError('--key-file', file, 'is required (or --key-name with FEDSVC_TSIG_SECRET)');
  const algorithm = values['key-algorithm'] ?? env['FEDSVC_TSIG_ALGORITHM'] ?? 'hmac-sha256';
  if (!isTsigAlgorithm(algorithm)) throw new ValidationError('--key-algorithm', algorithm, 'must be hmac-sha256, hmac-sha512 or hmac-sha1');
  const secret = env['FEDSVC_TSIG_SECRET'];
  if (secret === undefined || secret === '')
    throw new ValidationError('FEDSVC_TSIG_SECRET', '(unset)', "must hold the key's base64 secret when --key-name is given");
  return { name, algorithm, secret };
}
