// The Route53Client the provider builds when the caller gives none.
import { Route53Client, type Route53ClientConfig } from '@aws-sdk/client-route-53';

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const MAX_CONNECT_MS = 5_000;

/** `timeoutMs` applies only when `config` has no `requestHandler` of its own. */
export function buildClient(config: Route53ClientConfig, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Route53Client {
  // Route 53 is a global service signed in us-east-1 unless the caller says otherwise.
  // SDK retries are off: core's reconcile already retries throttled/transient batches with
  // jittered exponential backoff in a bounded budget; the SDK's own retries would multiply that.
  // The SDK's handler has no connect or request timeout of its own, and its `requestTimeout` only
  // warns unless `throwOnRequestTimeout` is set: one stalled call would hold the zone's pass (and
  // every DNS write queued behind it) until the OS gave up on the socket.
  const requestHandler = config.requestHandler ?? {
    connectionTimeout: Math.min(timeoutMs, MAX_CONNECT_MS),
    requestTimeout: timeoutMs,
    throwOnRequestTimeout: true,
    // The request timeout ends with the response's headers; a body that stalls is caught here.
    socketTimeout: timeoutMs,
  };
  return new Route53Client({ region: 'us-east-1', ...config, requestHandler, maxAttempts: 1 });
}
