// Cloud DNS / SDK errors → the port's ProviderError kinds. Pure: takes the thrown value, returns data.
import { isTransientNetworkError, ProviderError, type ProviderErrorKind, type RecordSet } from '@fedsvc/core/provider';
import type { ChangeBody } from './records.js';
import { normalizeName } from './records.js';
import { RequestTimeoutError } from './transport.js';

const PROVIDER = 'google';

/** Reasons that say the zone is not what the change assumed (Cloud DNS error `reason` field). */
const CONFLICT_REASONS = new Set(['alreadyExists', 'conditionNotMet', 'cnameResourceRecordSetConflict']);
const THROTTLE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);
const TRANSIENT_REASONS = new Set(['backendError', 'internalError']);

interface ApiErrorLike {
  code?: unknown;
  message?: unknown;
  errors?: unknown;
  response?: { headers?: Record<string, string | string[] | undefined> };
}

interface Reason {
  readonly reason: string;
  readonly message: string;
}

function reasonsOf(error: ApiErrorLike): Reason[] {
  if (!Array.isArray(error.errors)) return [];
  return error.errors.map((e: { reason?: unknown; message?: unknown }) => ({
    reason: typeof e?.reason === 'string' ? e.reason : '',
    message: typeof e?.message === 'string' ? e.message : '',
  }));
}

/** Keeps access tokens, API keys and private keys out of messages. */
export function scrub(text: string): string {
  return text
    .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, '<redacted key>')
    .replace(/\bBearer\s+[\w.~+/=-]+/gi, 'Bearer <redacted>')
    .replace(/\bya29\.[\w.-]+/g, '<redacted>')
    .replace(/\bAIza[\w-]{20,}/g, '<redacted>')
    .replace(/((?:access_token|refresh_token|client_secret|private_key|key)=)[^&\s]+/gi, '$1<redacted>');
}

/**
 * The record set a message blames: by name and type (`named 'www.example.com. (A)'`), or by
 * its place in the change as sent (`entity.change.deletions[3]`).
 */
export function recordOf(message: string, body?: ChangeBody): { name: string; type: string } | undefined {
  const named = /named '([^' ]+) \(([A-Z0-9]+)\)'/.exec(message);
  if (named) return { name: normalizeName(named[1] ?? ''), type: named[2] ?? '' };
  const indexed = /entity\.change\.(additions|deletions)\[(\d+)\]/.exec(message);
  const list = indexed?.[1] === 'additions' ? body?.additions : body?.deletions;
  const record: RecordSet<string> | undefined = indexed ? list?.[Number(indexed[2])] : undefined;
  return record === undefined ? undefined : { name: record.name, type: record.type };
}

function retryAfterMs(error: ApiErrorLike): number | undefined {
  const header = error.response?.headers?.['retry-after'];
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** How many errors deep a `cause` chain is searched for a code (as core's network check does). */
const MAX_CAUSE_DEPTH = 8;

/**
 * The system code of a failure before any answer: the error's own, or that of an error it wraps
 * (Node's fetch fails with `TypeError: fetch failed` around the socket's `ECONNRESET`).
 */
function systemCodeOf(thrown: unknown): string | undefined {
  let current = thrown;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && typeof current === 'object' && current !== null; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string') return code;
    current = cause;
  }
  return undefined;
}

/** Which kind an HTTP status and the API's reasons make: see README "Errors". */
function kindOf(status: number | undefined, reasons: readonly Reason[], message: string): ProviderErrorKind | undefined {
  const has = (set: ReadonlySet<string>) => reasons.some((r) => set.has(r.reason));
  if (has(CONFLICT_REASONS) || status === 409 || status === 412) return 'conflict';
  // A deletion naming a record set the zone does not hold (404 on `entity.change.deletions[i]`)
  // means the zone changed since it was read; a 404 on the managed zone itself is not-found.
  if (status === 404) return /entity\.change\./.test(message) ? 'conflict' : 'not-found';
  if (status === 429 || has(THROTTLE_REASONS)) return 'throttled';
  if ((status !== undefined && status >= 500) || has(TRANSIENT_REASONS)) return 'transient';
  // 403 quotaExceeded is a per-change or per-zone quota ("The change would exceed quota for
  // additions per change."): the same request fails again, so it is not retried.
  if (status === 403 && reasons.some((r) => r.reason === 'quotaExceeded')) return 'invalid';
  if (status === 401 || status === 403) return 'denied';
  if (status !== undefined && status >= 400) return 'invalid';
  return undefined;
}

/** Auth library failures before any API request: no credentials found, no project id, token refused. */
const CREDENTIAL_FAILURES =
  /Could not load the default credentials|Unable to detect a Project Id|invalid_grant|unauthorized_client|invalid_client/;

/**
 * Translates what a Cloud DNS call threw. `operation` says what was attempted (never a secret);
 * `body` is the change as sent, to name the record set a message blames only by its index.
 * The SDK's error carries the HTTP response (and with it the request's Authorization header),
 * so the cause kept is a bare copy: status, reasons, scrubbed message.
 * Values that are not SDK, auth or network errors (programming errors) are returned unchanged.
 */
export function translateError(thrown: unknown, operation: string, body?: ChangeBody): unknown {
  if (thrown instanceof ProviderError || typeof thrown !== 'object' || thrown === null) return thrown;
  const error = thrown as ApiErrorLike & { name?: unknown };
  const status = typeof error.code === 'number' ? error.code : undefined;
  const systemCode = systemCodeOf(thrown);
  const reasons = reasonsOf(error);
  const first = reasons[0];
  const message = scrub(first?.message || (typeof error.message === 'string' ? error.message : String(thrown)));
  // The auth library's token-endpoint answers carry an HTTP status too (400 invalid_grant), but
  // no API reasons: they say the credentials are refused, whatever the status.
  let kind: ProviderErrorKind | undefined =
    reasons.length === 0 && CREDENTIAL_FAILURES.test(message) ? 'denied' : kindOf(status, reasons, message);
  // A request that had no answer within requestTimeoutMs (see transport.ts) is one to try again.
  if (kind === undefined && (isTransientNetworkError(thrown) || thrown instanceof RequestTimeoutError)) kind = 'transient';
  if (kind === undefined) return thrown;

  const label = [status ?? systemCode, first?.reason].filter((part) => part !== undefined && part !== '').join(' ');
  const more = reasons.length > 1 ? ` (and ${reasons.length - 1} more)` : '';
  const cause = Object.assign(new Error(message), { code: status ?? systemCode, reasons: reasons.map((r) => r.reason) });
  const record = recordOf(message, body);
  const after = kind === 'throttled' || kind === 'transient' ? retryAfterMs(error) : undefined;
  return new ProviderError(PROVIDER, kind, `${operation}: ${label === '' ? '' : `${label}: `}${message}${more}`, {
    cause,
    record,
    retryAfterMs: after,
  });
}
