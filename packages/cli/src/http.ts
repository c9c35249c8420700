// One port: /healthz, /readyz and /metrics. Each answers within a bounded time, whatever the
// controller is doing: /healthz and /readyz from state kept in memory, /metrics with a deadline.
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ValidationError } from '@fedsvc/core';
import type { Registry } from 'prom-client';
import type { ReadyState } from './readiness.js';

/** How long /metrics may take to collect before it answers 503. */
const METRICS_DEADLINE_MS = 5_000;

/** `host:port`, `[v6]:port` or `:port` (every address) → what `listen` takes. */
export function parseListen(listen: string): { host: string | undefined; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen);
  const port = Number(match?.[3]);
  if (!match || port > 65_535) throw new ValidationError('http.listen', listen, 'must be host:port or :port, with a port from 0 to 65535');
  const host = match[1] ?? match[2];
  return { host: host === '' ? undefined : host, port };
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not collected within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Starts the endpoints; resolves once listening, with the address they listen on. */
export async function serveEndpoints(
  listen: string,
  endpoints: { readonly ready: () => ReadyState; readonly registry: Registry },
): Promise<{ server: Server; url: string }> {
  const { host, port } = parseListen(listen);
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const { ready, reasons } = endpoints.ready();
      response
        .writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' })
        .end(ready ? 'ready\n' : `not ready:\n${reasons.map((r) => `- ${r}\n`).join('')}`);
    } else if (path === '/metrics') {
      withDeadline(endpoints.registry.metrics(), METRICS_DEADLINE_MS).then(
        (text) => response.writeHead(200, { 'content-type': endpoints.registry.contentType }).end(text),
        (error: unknown) => response.writeHead(503, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`),
      );
    } else {
      response.writeHead(404).end();
    }
  });
  // A client that never finishes its request is cut off rather than held open.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { server, url: `http://${shown}:${address.port}` };
}
