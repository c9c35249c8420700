// How the fixture serves one HTTP request: read it, name its operation, hang or refuse it as the
// test asked, check its signature and the account rate, run the operation, record and answer it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkCredentials } from './auth.js';
import type { ChangeLog } from './change-batches.js';
import { parseChangeBatch } from './change-request.js';
import type { FaultQueue, RateLimit } from './faults.js';
import { getHostedZone, listHostedZones, listHostedZonesByName } from './hosted-zones.js';
import { listRecordSets } from './record-listing.js';
import { ApiError, send, sendError, sendHeadersOnly } from './responses.js';
import { type Operation, type Route, route } from './routes.js';
import type { ZoneRegistry } from './zone-registry.js';
import type { RequestedChange } from './zones.js';

export interface ServedRequest {
  readonly operation: Operation;
  readonly status: number;
  readonly zoneId?: string;
  /** ChangeResourceRecordSets only: the number of Change elements. */
  readonly changes?: number;
  /** ChangeResourceRecordSets only: the Change elements as parsed (also of a refused batch, when it parsed). */
  readonly batch?: readonly RequestedChange[];
}

/** What the fixture's operations and the test's handle on it share. */
export interface FixtureState {
  readonly zones: ZoneRegistry;
  readonly changes: ChangeLog;
  readonly faults: FaultQueue;
  /** Undefined when the account rate is not enforced. */
  readonly rate: RateLimit | undefined;
  readonly served: ServedRequest[];
  /** ListResourceRecordSets pages as some emulators do: each page after the first repeats the last set of the one before. */
  readonly repeatAcrossPages: boolean;
  /** The fixture's clock: the host's, moved by the configured offset. */
  now(): number;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** What refuses a request before its operation runs, in Route 53's order: signature, rate, then an injected fault. */
function admit(state: FixtureState, req: IncomingMessage, operation: Operation): void {
  checkCredentials(req.headers, state.now());
  state.rate?.admit(Date.now());
  const fault = state.faults.takeFault(operation);
  if (fault) throw new ApiError(fault.status, fault.code, fault.message, fault.retryAfterSeconds);
}

/** `parsed.batch` receives a change batch as soon as it parses, so that a refused batch is recorded too. */
function runOperation(
  state: FixtureState,
  found: Route,
  query: URLSearchParams,
  body: string,
  parsed: { batch?: RequestedChange[] },
): { xml: string; count?: number } {
  const id = found.id ?? '';
  switch (found.operation) {
    case 'ListHostedZones':
      return { xml: listHostedZones(state.zones.all(), query) };
    case 'ListHostedZonesByName':
      return { xml: listHostedZonesByName(state.zones.all(), query) };
    case 'GetHostedZone':
      return { xml: getHostedZone(state.zones.get(id)) };
    case 'ListResourceRecordSets':
      return { xml: listRecordSets(state.zones.sorted(state.zones.get(id)), query, state.repeatAcrossPages) };
    case 'ChangeResourceRecordSets': {
      const zone = state.zones.get(id);
      const { changes, comment } = parseChangeBatch(body);
      parsed.batch = changes;
      return { xml: state.changes.submit(zone, changes, comment), count: changes.length };
    }
    case 'GetChange':
      return { xml: state.changes.get(id) };
  }
}

export async function handle(state: FixtureState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const url = new URL(req.url ?? '/', 'http://fixture');
  const found = route(req.method ?? 'GET', url.pathname);
  if (!found) {
    sendError(res, state.now(), new ApiError(404, 'UnknownOperationException', `No operation at ${req.method} ${url.pathname}`));
    return;
  }
  const hang = state.faults.takeHang(found.operation);
  if (hang !== undefined) {
    state.served.push({ operation: found.operation, status: 0, zoneId: found.id });
    if (hang === 'headers') sendHeadersOnly(res);
    return;
  }
  const parsed: { batch?: RequestedChange[] } = {};
  const record = (status: number, count?: number) =>
    state.served.push({ operation: found.operation, status, zoneId: found.id, changes: count, batch: parsed.batch });
  try {
    admit(state, req, found.operation);
    const { xml, count } = runOperation(state, found, url.searchParams, body, parsed);
    record(200, count);
    send(res, state.now(), 200, xml);
  } catch (e) {
    if (!(e instanceof ApiError)) console.error('FIXTURE BUG', e);
    const error = e instanceof ApiError ? e : new ApiError(500, 'InternalFailure', 'An internal error occurred.');
    record(error.status);
    sendError(res, state.now(), error);
  }
}
