// What went wrong below the port → the port's ProviderError kinds. Pure: takes the thrown value,
// returns data. Messages name the operation, rcode or TSIG error, never the key's secret.
import { ProviderError, type ProviderErrorKind } from '@fedsvc/core/provider';
import { RcodeError } from './client.js';
import { TsigError } from './tsig.js';
import { TransportError } from './transport.js';
import { Rcode, WireError } from './wire.js';

export const PROVIDER = 'rfc2136';

const RCODE_KINDS: ReadonlyMap<number, ProviderErrorKind> = new Map<number, ProviderErrorKind>([
  // RFC 2136 §2.4 prerequisites that failed: the zone is not what the change set was planned on.
  [Rcode.YXDOMAIN, 'conflict'],
  [Rcode.YXRRSET, 'conflict'],
  [Rcode.NXDOMAIN, 'conflict'],
  [Rcode.NXRRSET, 'conflict'],
  [Rcode.REFUSED, 'denied'],
  [Rcode.NOTAUTH, 'denied'],
  [Rcode.SERVFAIL, 'transient'],
  [Rcode.FORMERR, 'invalid'],
  // The server does not do what was asked at all (PowerDNS: an UPDATE to a zone whose backend
  // cannot be written): no request, however small, will do.
  [Rcode.NOTIMP, 'denied'],
  [Rcode.NOTZONE, 'invalid'],
]);

/** Translates what an exchange threw; anything not from below the port (a programming error) passes unchanged. */
export function translateError(thrown: unknown, operation: string): unknown {
  const make = (kind: ProviderErrorKind, message: string) =>
    new ProviderError(PROVIDER, kind, `${operation}: ${message}`, { cause: thrown });
  if (thrown instanceof RcodeError) return make(RCODE_KINDS.get(thrown.rcode) ?? 'invalid', thrown.message);
  if (thrown instanceof TsigError) return make('denied', `TSIG ${thrown.message}`);
  if (thrown instanceof TransportError) return make(thrown.reason === 'too-large' ? 'invalid' : 'transient', thrown.message);
  // A garbled answer: a line fault or a confused server; asking again may well work.
  if (thrown instanceof WireError) return make('transient', `unreadable answer: ${thrown.message}`);
  return thrown;
}
