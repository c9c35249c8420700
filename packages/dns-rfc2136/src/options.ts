// The RFC 2136 adapter's options, their checks, and the client settings they make.
import { ValidationError } from '@fedsvc/core/provider';
import type { ClientOptions } from './client.js';
import { isTsigAlgorithm, type TsigAlgorithm } from './tsig.js';
import { normalizeWireName, type WireError } from './wire.js';

export interface Rfc2136ProviderOptions {
  /** The primary server that takes updates: its IP address (or a host name the system resolves). */
  readonly server: { readonly host: string; readonly port?: number };
  /** The zones to manage, e.g. `example.com` (with or without the trailing dot). */
  readonly zones: readonly string[];
  /** The TSIG key the server's `allow-update` and `allow-transfer` name, as `tsig-keygen` prints it. */
  readonly tsig: { readonly name: string; readonly algorithm: TsigAlgorithm; readonly secret: string };
  /** Deadline of each exchange (an AXFR as a whole). Default 10 000 ms. */
  readonly timeoutMs?: number;
}

const DEFAULT_PORT = 53;
const DEFAULT_TIMEOUT_MS = 10_000;

export function validate(options: Rfc2136ProviderOptions): { zones: string[]; secret: Buffer } {
  const { server, tsig } = options;
  if (typeof server?.host !== 'string' || server.host === '')
    throw new ValidationError('server.host', server?.host, "must be the server's address");
  if (server.port !== undefined && (!Number.isInteger(server.port) || server.port < 1 || server.port > 65_535)) {
    throw new ValidationError('server.port', server.port, 'must be a port number from 1 to 65535');
  }
  if (!Array.isArray(options.zones) || options.zones.length === 0)
    throw new ValidationError('zones', options.zones, 'must name at least one zone');
  const zones = options.zones.map((zone, i) => {
    try {
      return normalizeWireName(zone);
    } catch (error) {
      throw new ValidationError(`zones[${i}]`, zone, (error as WireError).message);
    }
  });
  if (typeof tsig?.name !== 'string' || tsig.name === '')
    throw new ValidationError('tsig.name', tsig?.name, 'must be the key name the server knows');
  try {
    normalizeWireName(tsig.name);
  } catch (error) {
    throw new ValidationError('tsig.name', tsig.name, (error as WireError).message);
  }
  if (!isTsigAlgorithm(tsig.algorithm))
    throw new ValidationError('tsig.algorithm', tsig.algorithm, 'must be hmac-sha256, hmac-sha512 or hmac-sha1');
  // The value is the secret: errors say what is wrong with it, never what it is.
  const secret =
    typeof tsig.secret === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(tsig.secret) ? Buffer.from(tsig.secret, 'base64') : Buffer.alloc(0);
  if (secret.length === 0)
    throw new ValidationError('tsig.secret', '(secret withheld)', "must be the key's base64 secret, as tsig-keygen prints it");
  const timeout = options.timeoutMs;
  if (timeout !== undefined && (!Number.isFinite(timeout) || timeout <= 0))
    throw new ValidationError('timeoutMs', timeout, 'must be a positive number of milliseconds');
  return { zones, secret };
}

/** The client settings of checked options: the server with its port, the key with its decoded secret. */
export function clientOptions(options: Rfc2136ProviderOptions, secret: Buffer): ClientOptions {
  return {
    server: { host: options.server.host, port: options.server.port ?? DEFAULT_PORT },
    key: { name: options.tsig.name, algorithm: options.tsig.algorithm, secret },
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
}
