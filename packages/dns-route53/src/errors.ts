// Route 53 / SDK errors → the port's ProviderError kinds. Pure: takes the thrown value, returns data.
import { isTransientNetworkError, ProviderError, type ProviderErrorKind, type RecordSet } from '@fedsvc/core/provider';
import { IDENTIFIER_PREFIX } from './aliases.js';
import { unescapeName } from './names.js';

const PROVIDER = 'route53';

const THROTTLED = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded']);
const TRANSIENT = new Set([
  'PriorRequestNotComplete',
  'InternalFailure',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
  'TimeoutError',
]);
const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'MissingAuthenticationToken',
  'IncompleteSignature',
  'ExpiredToken',
  'ExpiredTokenException',
  'UnrecognizedClientException',
  'NotAuthorizedException',
  'CredentialsProviderError',
]);
const NOT_FOUND = new Set(['NoSuchHostedZone', 'HostedZoneNotFound']);
/**
 * The request's signing time was too far from AWS's clock. The SDK takes the server's clock from
 * the `Date` of every response (errors included) and keeps the offset in the client's config
 * (`systemClockOffset`), so the next call is signed with corrected time: worth retrying.
 */
const CLOCK_SKEW = new Set(['RequestExpired', 'RequestTimeTooSkewed', 'RequestInTheFuture']);
/** Codes that mean skew only with this wording ("Signature expired: … is now earlier than … - 5 min."); otherwise a bad key. */
const SIGNATURE = new Set(['SignatureDoesNotMatch', 'InvalidSignatureException', 'AuthFailure']);
const SKEW_WORDING = /Signature expired|Signature not yet current|clock skew|too skewed|request time/i;

/**
 * Messages Route 53 gives when the zone is not what the request assumed: the record a DELETE
 * names is gone or differs, a CREATE finds one already there, a CNAME meets another type,
 * records of another policy (or a simple set) hold the name and type, or another latency record
 * holds the region. Each names the record set, so the error can
 * say which one.
 */
const CONFLICTS: readonly RegExp[] = [
  /RRSet with DNS name \S+, type \S+(?:, SetIdentifier \S+)? cannot be created as (?:other RRSets exist|a non-[a-z]+ set exists) with the same name and type/,
  /RRSet with DNS name \S+, type \S+, SetIdentifier \S+, and .+ cannot be created because a [a-z]+ RRSet with the same name, type and [a-z ]+ already exists/,
  /Tried to (?:create|delete) resource record set \[[^\]]*\] but (?:it already exists|it was not found|the values provided do not match the current values)/,
  /RRSet of type \S+ with DNS name \S+ is not permitted because a conflicting RRSet of type CNAME/,
  /RRSet of type CNAME with DNS name \S+ is not permitted as it conflicts with other records/,
];

interface SdkLikeError {
  name?: unknown;
  message?: unknown;
  messages?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number; clockSkewCorrected?: boolean };
  $response?: { headers?: Record<string, string | undefined> };
}

/** Route 53 puts every message of an InvalidChangeBatch in one `[a, b]` string (older answers: a list). */
export function changeBatchMessages(error: { message?: unknown; messages?: unknown }): string[] {
  if (Array.isArray(error.messages) && error.messages.length > 0) return error.messages.map(String);
  const message = typeof error.message === 'string' ? error.message : '';
  const inner = message.startsWith('[') && message.endsWith(']') ? message.slice(1, -1) : message;
  // Split on the ", " that starts a new message, not on commas inside `[name='…', type='…']`.
  return inner.split(/, (?=Tried to |RRSet |Invalid Resource Record|Duplicate Resource Record|Number of )/).filter((m) => m !== '');
}

/**
 * The record set a message names, or, when it names only a value, the record set of the batch
 * holding it. An A or AAAA the batch does not hold, at a name where it holds an ALIAS set, is one
 * of that set's weighted records (a message names it by its type, not always by its identifier).
 */
export function recordOf(message: string, batch: readonly RecordSet<string>[] = []): { name: string; type: string } | undefined {
  const found = namedIn(message, batch);
  if (found === undefined || (found.type !== 'A' && found.type !== 'AAAA')) return found;
  const holds = (type: string) => batch.some((r) => r.name === found.name && r.type === type);
  return !holds(found.type) && holds('ALIAS') ? { name: found.name, type: 'ALIAS' } : found;
}

function namedIn(message: string, batch: readonly RecordSet<string>[]): { name: string; type: string } | undefined {
  // A weighted record with our identifier is part of an ALIAS set: blame the set.
  const typed = (name: string, type: string, identifier: string | undefined) => ({
    name: normalize(name),
    type: identifier?.startsWith(IDENTIFIER_PREFIX) === true ? 'ALIAS' : type,
  });
  const bracketed = /\[name='([^']*)', type='([^']*)'(?:, set-identifier='([^']*)')?/.exec(message);
  if (bracketed) return typed(bracketed[1] ?? '', bracketed[2] ?? '', bracketed[3]);
  const refusedTarget = /^Tried to create an alias that targets (\S+), type \S+ in zone/.exec(message)?.[1];
  if (refusedTarget !== undefined) {
    const target = normalize(refusedTarget);
    const holder = batch.find((r) => r.rrdatas.some((rrdata) => normalize(rrdata) === target));
    return holder === undefined ? undefined : { name: holder.name, type: holder.type };
  }
  const ofType = /RRSet of type (\S+) with DNS name (\S+)/.exec(message);
  if (ofType) return { name: normalize(ofType[2] ?? ''), type: ofType[1] ?? '' };
  const withType = /RRSet with DNS name (\S+?),? (?:and )?type ([A-Za-z0-9]+)(?:, SetIdentifier (\S+))?/.exec(message);
  if (withType) return typed(withType[1] ?? '', withType[2] ?? '', withType[3]);
  const named = /with DNS name (\S+)/.exec(message);
  if (named) {
    const name = normalize(named[1] ?? '');
    return { name, type: batch.find((r) => r.name === name)?.type ?? '' };
  }
  const value = (/encountered with '(.*)''$/.exec(message) ?? /^Duplicate Resource Record: '(.*)'$/.exec(message))?.[1];
  const holder = value === undefined ? undefined : batch.find((r) => r.rrdatas.includes(value));
  return holder === undefined ? undefined : { name: holder.name, type: holder.type };
}

function normalize(name: string): string {
  const lower = unescapeName(name).toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/** Keeps anything that looks like an access key id or a signature out of messages. */
export function scrub(text: string): string {
  return text
    .replace(/\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b/g, '<redacted>')
    .replace(/(Credential|Signature|X-Amz-Security-Token)=[^,\s&]+/gi, '$1=<redacted>');
}

function retryAfterMs(error: SdkLikeError): number | undefined {
  const header = error.$response?.headers?.['retry-after'];
  if (header === undefined) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Translates what a Route 53 call threw. `operation` says what was attempted (never a secret);
 * `batch` is the request's record sets, to name the one a message blames only by its value.
 * Values that are not SDK or network errors (programming errors) are returned unchanged.
 */
export function translateError(thrown: unknown, operation: string, batch: readonly RecordSet<string>[] = []): unknown {
  if (thrown instanceof ProviderError || typeof thrown !== 'object' || thrown === null) return thrown;
  const error = thrown as SdkLikeError;
  const code = typeof error.name === 'string' ? error.name : 'Error';
  const status = error.$metadata?.httpStatusCode;
  const text = scrub(typeof error.message === 'string' ? error.message : String(thrown));
  const make = (kind: ProviderErrorKind, extra: { record?: { name: string; type: string }; retryAfterMs?: number } = {}) =>
    new ProviderError(PROVIDER, kind, `${operation}: ${code}: ${text}`, { cause: thrown, ...extra });

  if (code === 'InvalidChangeBatch') {
    const messages = changeBatchMessages(error);
    const conflict = messages.find((m) => CONFLICTS.some((p) => p.test(m)));
    const blamed = conflict ?? messages.find((m) => recordOf(m, batch) !== undefined);
    const record = blamed === undefined ? undefined : recordOf(blamed, batch);
    return make(conflict === undefined ? 'invalid' : 'conflict', { record });
  }
  if (THROTTLED.has(code) || status === 429) {
    return make('throttled', { retryAfterMs: retryAfterMs(error) });
  }
  const skewed = CLOCK_SKEW.has(code) || (SIGNATURE.has(code) && (SKEW_WORDING.test(text) || error.$metadata?.clockSkewCorrected === true));
  if (skewed || TRANSIENT.has(code) || (status !== undefined && status >= 500) || isTransientNetworkError(thrown)) {
    return make('transient', { retryAfterMs: retryAfterMs(error) });
  }
  if (DENIED.has(code) || status === 401 || status === 403) return make('denied');
  if (NOT_FOUND.has(code)) return make('not-found');
  if (status !== undefined && status >= 400) return make('invalid');
  return thrown;
}
