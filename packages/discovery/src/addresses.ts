// IP addresses and networks as bytes: what a pod CIDR, a client subnet and a source address are
// compared in, and what A and AAAA records carry.
import { parseAddress } from '@fedsvc/core/provider';
import type { Address } from './answer.js';

/** A network: `family` 4 or 6, its address's bytes (4 or 16), the prefix length. */
export interface Network {
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

/** An address's text → its record form, or undefined when it is not an IPv4 or IPv6 address. */
export function addressOf(text: string): Address | undefined {
  const parsed = parseAddress(text.startsWith('::ffff:') && text.includes('.') ? text.slice(7) : text);
  if (!parsed) return undefined;
  const codes = [...parsed.key].map((c) => c.charCodeAt(0));
  // The key holds IPv4's bytes, or IPv6's 16-bit groups.
  const rdata = parsed.family === 4 ? Uint8Array.from(codes) : Uint8Array.from(codes.flatMap((group) => [group >> 8, group & 0xff]));
  return { family: parsed.family, text: parsed.text, rdata };
}

/** `10.244.1.0/24` or `fd00:10:244:1::/64` → the network, or undefined when malformed. */
export function networkOf(cidr: string): Network | undefined {
  const slash = cidr.indexOf('/');
  if (slash < 0) return undefined;
  const address = addressOf(cidr.slice(0, slash));
  const prefixText = cidr.slice(slash + 1);
  const prefix = Number(prefixText);
  if (!address || !/^\d{1,3}$/.test(prefixText) || prefix > address.rdata.length * 8) return undefined;
  return { family: address.family, bytes: address.rdata, prefix };
}

/** Whether two networks of one family share an address: their first min(prefix) bits agree. */
export function overlaps(a: Network, b: Network): boolean {
  if (a.family !== b.family) return false;
  const bits = Math.min(a.prefix, b.prefix);
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (a.bytes[i] !== b.bytes[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a.bytes[whole]! & mask) === (b.bytes[whole]! & mask);
}
