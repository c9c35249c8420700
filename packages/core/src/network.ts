// Which failures of a request the next attempt may get past because the network, not the server,
// failed it. One list for every adapter, so a DNS provider and the member clusters retry (or report
// a cluster unreachable) on the same failures.

/** The `code`s Node, its HTTP clients and undici give an error when a request failed on the way. */
export const TRANSIENT_NETWORK_CODES = [
  // The connection was refused, reset or lost under the request: the server restarting, a proxy
  // or load balancer cutting it, a TLS handshake cut short (EPROTO), a response body that ended early.
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENETRESET',
  'EPIPE',
  'EPROTO',
  'ERR_STREAM_PREMATURE_CLOSE',
  // No route to the host or its network, or no local address to send from: a network going down
  // or coming up.
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  // Name lookup failed: the resolver timed out (EAI_AGAIN) or found no answer (ENOTFOUND, also
  // what a resolver that cannot reach its own servers reports).
  'EAI_AGAIN',
  'ENOTFOUND',
  // Timeouts: the kernel's (ETIMEDOUT), the request libraries' socket timeout (ESOCKETTIMEDOUT),
  // Node's connect timeout.
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  // undici, behind Node's fetch: the socket failed or closed under a request, and its connect timeout.
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
] as const;

const CODES: ReadonlySet<string> = new Set(TRANSIENT_NETWORK_CODES);

/** How many errors deep a `cause` chain is read: enough for any library's wrapping, and a cycle ends. */
const MAX_CAUSE_DEPTH = 8;

/**
 * True when the thrown value, or an error it wraps as its `cause` (a fetch library's error around
 * the socket's), carries one of TRANSIENT_NETWORK_CODES.
 */
export function isTransientNetworkError(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && typeof current === 'object' && current !== null; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && CODES.has(code)) return true;
    current = cause;
  }
  return false;
}
