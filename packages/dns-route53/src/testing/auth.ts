// The fixture's check of a request's AWS Signature Version 4 header: the access key id, and the
// signing time against the fixture's clock. The signature itself is not verified.
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from './responses.js';

/** Static credentials the fixture accepts (any other access key id is refused as Route 53 would). */
export const FIXTURE_CREDENTIALS = { accessKeyId: 'AKIDFEDSVCFIXTURE000', secretAccessKey: 'fixture-secret-not-a-real-key' } as const;

/** Route 53 accepts a signature up to this far from its own clock. */
export const SIGNATURE_WINDOW_MS = 5 * 60_000;

/** `now`: the fixture's clock. */
export function checkCredentials(headers: IncomingHttpHeaders, now: number): void {
  const auth = headers.authorization;
  if (!auth) throw new ApiError(403, 'MissingAuthenticationToken', 'Missing Authentication Token');
  const keyId = /Credential=([^/,\s]+)\//.exec(auth)?.[1];
  if (!auth.startsWith('AWS4-HMAC-SHA256 ') || keyId === undefined) {
    throw new ApiError(400, 'IncompleteSignature', 'Authorization header requires a valid AWS4-HMAC-SHA256 signature.');
  }
  if (keyId !== FIXTURE_CREDENTIALS.accessKeyId) {
    throw new ApiError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
  }
  checkSigningTime(headers['x-amz-date'], now);
}

/** A time as SigV4 writes it: `20260101T000000Z`. */
function stamp(t: number): string {
  return new Date(t)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Route 53's wording: `Signature expired: 20260101T000000Z is now earlier than 20260101T000500Z (20260101T001000Z - 5 min.)`. */
function checkSigningTime(header: string | string[] | undefined, now: number): void {
  const m = typeof header === 'string' ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(header) : null;
  if (!m)
    throw new ApiError(400, 'IncompleteSignature', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  const signed = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  if (signed < now - SIGNATURE_WINDOW_MS) {
    throw new ApiError(
      403,
      'SignatureDoesNotMatch',
      `Signature expired: ${stamp(signed)} is now earlier than ${stamp(now - SIGNATURE_WINDOW_MS)} (${stamp(now)} - 5 min.)`,
    );
  }
  if (signed > now + SIGNATURE_WINDOW_MS) {
    throw new ApiError(
      403,
      'SignatureDoesNotMatch',
      `Signature not yet current: ${stamp(signed)} is still later than ${stamp(now + SIGNATURE_WINDOW_MS)} (${stamp(now)} + 5 min.)`,
    );
  }
}
