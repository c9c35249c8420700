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
import {
  RcodeError,
  axfr,
  isRefusal,
  newId,
  recordSet,
  servesZone,
  signedExchange,
  typesAt,
  zoneSerial,
  type ClientOptions,
} from './client.js';
import { UPDATE_RECORD_BYTES, updateCost } from './cost.js';
import { PROVIDER, translateError } from './errors.js';
import { clientOptions, type Rfc2136ProviderOptions, validate } from './options.js';
import { SERVER_MAINTAINED_TYPES, planUpdate, recordSets, type AddToVerify, type PlannedUpdate } from './update.js';
import { rdataToText, typeName } from './rdata.js';
import { MAX_MESSAGE_SIZE, Rcode, WireError, encodeMessage, type DecodedMessage, type Message } from './wire.js';

/**
 * What one UPDATE may carry, in bytes: `maxRrdataCharsPerRequest` counts the bytes of the
 * UPDATE's records (names compressed), which the provider's `requestCost` gives core change by
 * change: 16,113, what a compression pointer's reach (16,384 bytes) leaves after the header and
 * the longest zone section. The TSIG record follows (at most 364 bytes), so a signed UPDATE is
 * at most about 16.7 KB, far within the 65,535 bytes a TCP message holds. The change and rrdata
 * limits are the same number: every change and every rrdata takes more than a byte, so the
 * bytes always bind first. A set of about 1,000 addresses fits one UPDATE, and about 500
 * replaced by as many (an update carries the old set as its prerequisite).
 */
export const RFC2136_LIMITS: ProviderLimits = {
  maxChangesPerRequest: UPDATE_RECORD_BYTES,
  maxRrdatasPerRequest: UPDATE_RECORD_BYTES,
  maxRrdataCharsPerRequest: UPDATE_RECORD_BYTES,
  atomic: true,
};

/** Looks again at an add that seems dropped, after 100, 200 and 300 ms. */
const VERIFY_RETRIES = 3;
const VERIFY_RETRY_MS = 100;
/** The largest TSIG record: a 255-byte key name, hmac-sha512's name, a 64-byte MAC, 6 bytes of other data. */
const TSIG_ROOM = 255 + 10 + 13 + 6 + 2 + 2 + 64 + 2 + 2 + 2 + 6;

/** Where one provider's requests go: the client settings, and the zones it manages. */
export interface Target {
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
  isRefusal(rcode) && !(await serves(target, zone));

async function listZones(target: Target): Promise<DnsZone[]> {
  const found: DnsZone[] = [];
  for (const zone of target.zones) {
    if (await serves(target, zone)) found.push({ id: zone, dnsName: zone });
  }
  return found;
}

/** Runs a read of the zone; refused because the server does not serve the zone at all is not-found. */
async function read<T>(target: Target, zone: string, operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    // Refused: either the key may not read the zone, or the server does not serve it at all.
    if (error instanceof RcodeError && (await refusedAsUnserved(target, error.rcode, zone))) {
      throw new ProviderError(PROVIDER, 'not-found', `${operation}: the server does not serve the zone`, { cause: error });
    }
    throw translateError(error, operation);
  }
}

async function listRecords(target: Target, zone: DnsZone): Promise<RecordSet<string>[]> {
  const name = configured(target, zone);
  return recordSets(await read(target, name, `AXFR ${name}`, () => axfr(target.client, name)));
}

/** The zone's SOA serial, which the server moves on every change to the zone, ours or anyone's. */
async function zoneVersion(target: Target, zone: DnsZone): Promise<string> {
  const name = configured(target, zone);
  return String(await read(target, name, `SOA ${name}`, () => zoneSerial(target.client, name)));
}

/** Refuses an UPDATE that could not be sent: the signed message must fit too. */
function checkSize(message: Message, operation: string): void {
  let size: number;
  try {
    size = encodeMessage(message, { compress: true }).length;
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
  const plan = planUpdate(newId(), name, changes);
  const operation = `UPDATE ${name} (${changes.length} changes)`;
  checkSize(plan.message, operation);
  // A small UPDATE goes over UDP, falling back to TCP when the answer is truncated; a larger one over TCP.
  const answer = await call(operation, () => signedExchange(target.client, plan.message, 'query'));
  if (answer.rcode !== Rcode.NOERROR) throw await refusal(target, name, operation, plan, answer);
  // Adds no prerequisite could guard: the server answers NOERROR even when it dropped them.
  for (const set of plan.verify) await verifyAdded(target, operation, set);
}

/** What an UPDATE's error answer means for core. */
async function refusal(target: Target, zone: string, operation: string, plan: PlannedUpdate, answer: DecodedMessage): Promise<unknown> {
  const error = new RcodeError(answer.rcode);
  // PowerDNS refuses, signed, an UPDATE adding a CNAME beside other data, where BIND and Knot
  // drop the add: the same conflict.
  if (answer.rcode === Rcode.REFUSED && answer.tsig) {
    for (const set of plan.verify) {
      const conflict = await cnameBlocked(target, operation, set);
      if (conflict) return conflict;
    }
  }
  if (answer.rcode === Rcode.NOTIMP) {
    return new ProviderError(
      PROVIDER,
      'denied',
      `${operation}: the server does not take updates to the zone (NOTIMP); PowerDNS answers so when the zone's backend cannot be written (give it one that can, such as gsqlite3)`,
      { cause: error },
    );
  }
  // As for a listing: refused because the server does not serve the zone at all is not-found.
  if (await refusedAsUnserved(target, answer.rcode, zone)) {
    return new ProviderError(PROVIDER, 'not-found', `${operation}: the server does not serve the zone (${error.message})`, {
      cause: error,
    });
  }
  return translateError(error, operation);
}

/** A conflict when the name of a CNAME the UPDATE adds holds data the UPDATE does not delete. */
async function cnameBlocked(target: Target, operation: string, set: AddToVerify): Promise<ProviderError | undefined> {
  const held = await call(`${operation}: checking ${set.name}`, () => typesAt(target.client, set.name));
  const beside = [...held].filter((type) => type !== set.type && !set.deletes.includes(type) && !SERVER_MAINTAINED_TYPES.has(type));
  if (beside.length === 0) return undefined;
  return new ProviderError(
    PROVIDER,
    'conflict',
    `${operation}: the server refused the update, which adds ${set.name} ${typeName(set.type)} where the name holds ${beside.map(typeName).join(', ')} (RFC 2136 §3.4.2.2); nothing was applied`,
    { record: { name: set.name, type: typeName(set.type) } },
  );
}

/** Fails as a conflict when the server dropped an add it answered NOERROR to. */
async function verifyAdded(target: Target, operation: string, set: AddToVerify): Promise<void> {
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
 * dynamic updates (tested: BIND, Knot, PowerDNS): a TSIG-signed AXFR lists a zone, one signed
 * UPDATE per request writes (names compressed; `requestCost` gives core each change's bytes
 * against RFC2136_LIMITS), each change carrying the prerequisite it was planned on, so a zone
 * changed since the read fails as a conflict. `zoneVersion` is the zone's SOA serial. Zone ids are the zones' DNS names (lower-case,
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
  return rfc2136Provider({ client: clientOptions(options, secret), zones });
}

/** The adapter on checked settings (createRfc2136Provider checks them). */
export function rfc2136Provider(target: Target): DnsProvider {
  return {
    name: PROVIDER,
    limits: RFC2136_LIMITS,
    requestCost: (change) => updateCost(change, target.zones),
    zones: () => listZones(target),
    records: (zone) => listRecords(target, zone),
    applyChanges: (zone, changes) => applyChanges(target, zone, changes),
    zoneVersion: (zone) => zoneVersion(target, zone),
  };
}
