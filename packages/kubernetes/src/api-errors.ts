// What an error from the API client means: the server could not be reached, or it answered with
// a Status worth acting on (410 Gone, 504 Too large resource version); and how to name it in a log.
import { ApiException } from '@kubernetes/client-node';
import { TRANSIENT_NETWORK_CODES, isTransientNetworkError } from '@fedsvc/core/provider';

/**
 * A network failure named only in an error's message, for a library that rewraps the socket's
 * error as text: one of the shared codes, or Node's wording for a reset ("socket hang up") and for
 * a response that ended early ("Premature close").
 */
const NETWORK_WORDING = new RegExp(`\\b(?:${TRANSIENT_NETWORK_CODES.join('|')})\\b|socket hang up|Premature close`);

/** True when the error says the server could not be reached, rather than that it answered badly. */
export function isConnectionError(error: unknown): boolean {
  if (isTransientNetworkError(error)) return true;
  if (!(error instanceof Error)) return false;
  if (error.name === 'AbortError' || (error as { type?: unknown }).type === 'system') return true;
  return NETWORK_WORDING.test(error.message) || (error.cause !== undefined && isConnectionError(error.cause));
}

/**
 * A Status saying the requested resourceVersion is newer than the server's: 504 Timeout with cause
 * ResourceVersionTooLarge (kube-apiserver's watch cache, after waiting for it briefly).
 */
export function isTooLargeResourceVersion(status: { code?: unknown; message?: unknown; details?: unknown } | null): boolean {
  if (status?.code !== 504) return false;
  const causes = (status.details as { causes?: unknown } | undefined)?.causes;
  if (Array.isArray(causes) && causes.some((c) => (c as { reason?: unknown } | null)?.reason === 'ResourceVersionTooLarge')) return true;
  return typeof status.message === 'string' && status.message.includes('Too large resource version');
}

export function isGone(error: unknown): boolean {
  return (error instanceof ApiException && error.code === 410) || (error as { statusCode?: unknown } | null)?.statusCode === 410;
}

export function describeError(error: unknown): string {
  if (error instanceof ApiException) {
    const body = error.body as { message?: unknown; reason?: unknown } | string | undefined;
    const message =
      typeof body === 'object' && body !== null && typeof body.message === 'string'
        ? body.message
        : typeof body === 'string'
          ? body.slice(0, 200)
          : '';
    return `HTTP ${error.code}${message ? `: ${message}` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}
