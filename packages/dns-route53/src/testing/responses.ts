// What every operation answers with: Route 53's XML documents, its error responses, and the
// headers it sends (a request id, and a `Date` from the fixture's clock).
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { type Content, el, render } from './xml.js';

export const NAMESPACE = 'https://route53.amazonaws.com/doc/2013-04-01/';

/** A refusal in Route 53's terms: the HTTP status, the error code and message of its ErrorResponse. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const invalidInput = (message: string) => new ApiError(400, 'InvalidInput', message);

export function document(root: string, ...content: Content[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${NAMESPACE}">${content.map(render).join('')}</${root}>`;
}

function errorDocument(e: ApiError): string {
  const type = e.status >= 500 ? 'Receiver' : 'Sender';
  return document('ErrorResponse', el('Error', el('Type', type), el('Code', e.code), el('Message', e.message))).replace(
    '</ErrorResponse>',
    `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );
}

/** `now`: the fixture's clock, for the `Date` header. */
export function send(res: ServerResponse, now: number, status: number, xml: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'text/xml',
    'x-amzn-requestid': randomUUID(),
    date: new Date(now).toUTCString(),
    ...headers,
  });
  res.end(xml);
}

export function sendError(res: ServerResponse, now: number, e: ApiError): void {
  send(res, now, e.status, errorDocument(e), e.retryAfterSeconds === undefined ? {} : { 'retry-after': String(e.retryAfterSeconds) });
}

/** A response that never comes: the status line and headers promise a body that is never sent. */
export function sendHeadersOnly(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/xml', 'content-length': '4096', 'x-amzn-requestid': randomUUID() });
  res.flushHeaders();
}
