// What the fixture answers with, in the API server's wire format: a JSON body and its HTTP code,
// errors as Status objects.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JsonObject } from './fields.js';
import type { ResourceKind } from './store.js';

export interface Answer {
  readonly code: number;
  readonly body: JsonObject;
}

export function status(code: number, reason: string, message: string, details?: JsonObject): JsonObject {
  // A JsonObject has no undefined members: `details` is there or not.
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code, ...(details ? { details } : {}) };
}

/** A failure answered with its Status. */
export function failure(code: number, reason: string, message: string, details?: JsonObject): Answer {
  return { code, body: status(code, reason, message, details) };
}

export function notFound({ plural, group }: ResourceKind, name: string): Answer {
  // A JsonObject has no undefined members: `group` is there or not (core resources have none).
  return failure(404, 'NotFound', `${plural}${group ? `.${group}` : ''} "${name}" not found`, {
    name,
    kind: plural,
    ...(group ? { group } : {}),
  });
}

export function send(res: ServerResponse, answer: Answer): void {
  res.writeHead(answer.code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(answer.body));
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
