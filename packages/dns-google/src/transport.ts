// The HTTP call under the SDK, with a deadline. `@google-cloud/common` sends every request through
// teeny-request, which hands node-fetch 3 the request's `timeout` (an option node-fetch 3 no longer
// has) and no signal, and whose `abort()` handle does nothing for a request with a callback: a
// request the server accepts and never answers waits for ever. So the adapter keeps the SDK's
// request function for what it does well (the auth library's token, the project filled in) and
// sends the authorised request itself, with Node's fetch, aborted when its deadline passes.
import { stringify } from 'node:querystring';
import type { DNS } from '@google-cloud/dns';

/** The request options `@google-cloud/common` builds (`timeout`: the SDK's own, from `new DNS({ timeout })`). */
interface SdkRequest {
  readonly uri: string;
  readonly method?: string;
  readonly qs?: Record<string, unknown>;
  readonly json?: unknown;
  readonly body?: unknown;
  /** A plain object, or `Headers` once the auth library has added the token. */
  readonly headers?: ConstructorParameters<typeof Headers>[0];
  readonly timeout?: number;
}

/** What the SDK hands the request function, and gets back through it. */
type SdkCallback = (error: Error | null, ...rest: unknown[]) => void;
type HandleResponse = (error: Error | null, response: unknown, body: unknown, callback: SdkCallback) => void;
type RequestFunction = DNS['makeAuthenticatedRequest'];

/** A request not answered in time, as the adapter's errors recognise it (a `transient` failure). */
export class RequestTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** The request's URL: the SDK's query parameters encoded as teeny-request encodes them. */
function urlOf(request: SdkRequest): string {
  return request.qs === undefined ? request.uri : `${request.uri}?${stringify(request.qs as Parameters<typeof stringify>[0])}`;
}

function bodyOf(request: SdkRequest): { body?: string; type?: string } {
  if (typeof request.json === 'object' && request.json !== null) return { body: JSON.stringify(request.json), type: 'application/json' };
  if (request.body === undefined) return {};
  return { body: typeof request.body === 'string' ? request.body : JSON.stringify(request.body) };
}

/** Sends one authorised request and answers the SDK as teeny-request would, through `handleResp`. */
async function send(request: SdkRequest, signal: AbortSignal, handleResp: HandleResponse, callback: SdkCallback): Promise<void> {
  const { body, type } = bodyOf(request);
  const headers = new Headers(request.headers);
  if (type !== undefined) headers.set('Content-Type', type);
  const response = await fetch(urlOf(request), { method: request.method ?? 'GET', headers, body, signal });
  const text = await response.text();
  const message = {
    statusCode: response.status,
    statusMessage: response.statusText,
    headers: Object.fromEntries(response.headers),
    body: text,
  };
  handleResp(null, message, text, callback);
}

/**
 * `authorise` (the SDK's request function) with every request sent by `send`: each gets its
 * `timeout` (the SDK's, set on every request from `dns.timeout`; `fallbackMs` without one) from
 * the moment it is made, authorisation included, and is aborted when that passes, failing with a
 * RequestTimeoutError. Streaming requests (which the adapter never makes) go through `authorise`
 * unchanged.
 */
export function withDeadline(authorise: RequestFunction, handleResp: HandleResponse, fallbackMs: number): RequestFunction {
  const request = (options: SdkRequest, callbackOrOptions?: unknown) => {
    if (typeof callbackOrOptions !== 'function') return authorise(options as never, callbackOrOptions as never);
    const callback = callbackOrOptions as SdkCallback;
    const timeoutMs = typeof options.timeout === 'number' && options.timeout > 0 ? options.timeout : fallbackMs;
    const controller = new AbortController();
    let settled = false;
    const finish: SdkCallback = (error, ...rest) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      callback(error, ...rest);
    };
    const timer = setTimeout(() => {
      const what = `${options.method ?? 'GET'} ${new URL(options.uri).pathname}`;
      finish(new RequestTimeoutError(`${what}: no answer within ${timeoutMs} ms (requestTimeoutMs)`));
      controller.abort();
    }, timeoutMs);
    authorise(
      options as never,
      {
        onAuthenticated(error: Error | null, authorised: SdkRequest) {
          if (error) finish(error);
          else if (!settled) send(authorised, controller.signal, handleResp, finish).catch((e: unknown) => finish(e as Error));
        },
      } as never,
    );
    return { abort: () => controller.abort() };
  };
  return Object.assign(request, {
    authClient: authorise.authClient,
    getCredentials: authorise.getCredentials,
  }) as unknown as RequestFunction;
}
