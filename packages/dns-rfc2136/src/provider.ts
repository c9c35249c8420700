// The RFC 2136 adapter of the DnsProvider port: AXFR to list, one signed UPDATE per request.
// Translation only; core decides, batches and retries.
import {
  ProviderError,
  sleep,
  type Change,
  type DnsProvider,
  type DnsZone,
  type ProviderLimits,
  type RecordSet,
} from '@fedsvc/core/provider';
import { RcodeError, axfr, newId, recordSet, servesZone, signedExchange, type ClientOptions } from './client.js';
import { PROVIDER, translateError } from './errors.js';
import { clientOptions, type Rfc2136ProviderOptions, validate } from './options.js';
import { planUpdate, recordSets, type PlannedUpdate } from './update.js';
import { rdataToText, typeName } from './rdata.js';
import { MAX_MESSAGE_SIZE, Rcode, WireError, encodeMessage, type Message } from './wire.js';

/**
 * What one UPDATE may carry. One too big for a 512-byte datagram goes over TCP, so it must fit
 * 65,535 bytes, whatever the names. Worst case, names uncompressed and 255 bytes long: every change adds up to two records
 * without data (a create's two "does not exist" prerequisites, a delete's "delete RRset"),
 * 265 bytes each; every rrdata one record of 265 bytes plus its data, which is at most its text
 * length + 16 bytes (`::` is 2 characters and 16 bytes). With 50 changes, 100 rrdatas and
 * 10,000 characters: 50 × 530 + 100 × 281 + 10,000 + 12 (header) + 259 (zone) + 364 (TSIG
 * with hmac-sha512) = 65,235 bytes. Real names are far shorter, so real requests are a fraction
 * of that; the encoder still refuses anything larger before sending.
 */
export const RFC2136_LIMITS: ProviderLimits = {
  maxChangesPerRequest: 50,
  maxRrdatasPerRequest: 100,
  maxRrdataCharsPerRequest: 10_000,
  atomic: true,
};

/** Looks again at an add that seems dropped, after 100, 200 and 300 ms. */
const VERIFY_RETRIES = 3;
const VERIFY_RETRY_MS = 100;
/** The largest TSIG record: a 255-byte key name, hmac-sha512's name, a 64-byte MAC, 6 bytes of other data. */
const TSIG_ROOM = 255 + 10 + 13 + 6 + 2 + 2 + 64 + 2 + 2 + 2 + 6;

/** Where one provider's requests go: the client settings, and the zones it manages. */
interface Target {
  readonly client: ClientOptions;
  readonly zones: readonly string[];
}

async function call<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw translateError(error, operation);
  }
}

function configured(target: Target, zone: DnsZone): string {
  const name = target.zones.find((candidate) => candidate === zone.id);
  if (name === undefined)
    throw new ProviderError(PROVIDER, 'not-found', `zone ${zone.id} is not one of the configured zones (${target.zones.join(', ')})`);
  return name;
}

const serves = (target: Target, zone: string): Promise<boolean> => call(`SOA ${zone}`, () => servesZone(target.client, zone));

/** A refusal (NOTAUTH, REFUSED) from a server that does not serve the zone at all: the zone is not found, not denied. */
const refusedAsUnserved = async (target: Target, rcode: number, zone: string): Promise<boolean> =>
  (rcode === Rcode.NOTAUTH || rcode === Rcode.REFUSED) && !(await serves(target, zone));

async function listZones(target: Target): Promise<DnsZone[]> {
  const found: DnsZone[] = [];
  for (const zone of target.zones) {
    if (await serves(target, zone)) found.push({ id: zone, dnsName: zone });
  }
  return found;
}

async function listRecords(target: Target, zone: DnsZone): Promise<RecordSet<string>[]> {
  const name = configured(target, zone);
  try {
    return recordSets(await axfr(target.client, name));
  } catch (error) {
    // Refused: either the key may not transfer the zone, or the server does not serve it at all.
    if (error instanceof RcodeError && (await refusedAsUnserved(target, error.rcode, name))) {
      throw new ProviderError(PROVIDER, 'not-found', `AXFR ${name}: the server does not serve the zone`, { cause: error });
    }
    throw translateError(error, `AXFR ${name}`);
  }
}

/** Refuses an UPDATE that could not be sent: the signed message must fit too. */
function checkSize(message: Message, operation: string): void {
  let size: number;
  try {
    size = encodeMessage(message).length;
  } catch (error) {
    if (!(error instanceof WireError)) throw error;
    size = Infinity;
  }
  if (size > MAX_MESSAGE_SIZE - TSIG_ROOM) {
    throw new ProviderError(PROVIDER, 'invalid', `${operation}: the UPDATE does not fit in ${MAX_MESSAGE_SIZE} bytes; send fewer changes`);
  }
}

async function applyChanges(target: Target, zone: DnsZone, changes: readonly Change[]): Promise<void> {
  if (changes.length === 0) return;
  const name = configured(target, zone);
  const { message, verify } = planUpdate(newId(), name, changes);
  const operation = `UPDATE ${name} (${changes.length} changes)`;
  checkSize(message, operation);
  // A small UPDATE goes over UDP, falling back to TCP when the answer is truncated; a larger one over TCP.
  const answer = await call(operation, () => signedExchange(target.client, message, 'query'));
  if (answer.rcode !== Rcode.NOERROR) {
    const error = new RcodeError(answer.rcode);
    // As for a listing: refused because the server does not serve the zone at all is not-found.
    if (await refusedAsUnserved(target, answer.rcode, name)) {
      throw new ProviderError(PROVIDER, 'not-found', `${operation}: the server does not serve the zone (${error.message})`, {
        cause: error,
      });
    }
    throw translateError(error, operation);
  }
  // Adds no prerequisite could guard: the server answers NOERROR even when it dropped them.
  for (const set of verify) await verifyAdded(target, operation, set);
}

/** Fails as a conflict when the server dropped an add it answered NOERROR to. */
async function verifyAdded(target: Target, operation: string, set: PlannedUpdate['verify'][number]): Promise<void> {
  const type = typeName(set.type);
  const text = (rdatas: readonly Uint8Array[]) => JSON.stringify(rdatas.map((rdata) => rdataToText(set.type, rdata)).sort());
  const check = async () =>
    text(await call(`${operation}: checking ${set.name} ${type}`, () => recordSet(target.client, set.name, set.type))) === text(set.rdatas);
  // A server that signs inline answers queries from the signed copy of the zone, which
  // follows the UPDATE a moment later: a few looks before calling the add dropped.
  let present = await check();
  for (let look = 1; !present && look <= VERIFY_RETRIES; look++) {
    await sleep(VERIFY_RETRY_MS * look);
    present = await check();
  }
  if (!present) {
    throw new ProviderError(
      PROVIDER,
      'conflict',
      `${operation}: the server answered NOERROR but did not add ${set.name} ${type}: the name holds other data (RFC 2136 §3.4.2.2); the rest of the update was applied`,
      { record: { name: set.name, type } },
    );
  }
}

/**
 * The RFC 2136 adapter of the `DnsProvider` port, for any standards DNS server that takes
 * dynamic updates (BIND, Knot, PowerDNS): a TSIG-signed AXFR lists a zone, one signed UPDATE
 * per request writes, each change carrying the prerequisite it was planned on, so a zone
 * changed since the read fails as a conflict. Zone ids are the zones' DNS names (lower-case,
 * trailing dot). Translation only; core decides, batches and retries.
 *
 * @param options - The primary `server` (`host`, `port` default 53), the `zones` to manage, the
 *   `tsig` key (`name`, `algorithm`, base64 `secret` as `tsig-keygen` prints it) and `timeoutMs`.
 * @throws ValidationError (from `@fedsvc/core`) when an option is malformed; for the secret it
 *   never shows the value.
 * @example
 * ```ts
 * const provider = createRfc2136Provider({
 *   server: { host: '192.0.2.53' },
 *   zones: ['example.com'],
 *   tsig: { name: 'fedsvc-key', algorithm: 'hmac-sha256', secret: process.env.TSIG_SECRET! },
 * });
 * const zone = await findZone(provider, { dnsName: 'example.com' });
 * ```
 */
export function createRfc2136Provider(options: Rfc2136ProviderOptions): DnsProvider {
  const { zones, secret } = validate(options);
  const target: Target = { client: clientOptions(options, secret), zones };
  return {
    name: PROVIDER,
    limits: RFC2136_LIMITS,
    zones: () => listZones(target),
    records: (zone) => listRecords(target, zone),
    applyChanges: (zone, changes) => applyChanges(target, zone, changes),
  };
}
