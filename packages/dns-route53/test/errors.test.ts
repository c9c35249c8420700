// Reading Route 53's InvalidChangeBatch messages back into the record set they blame.
import { fc, test } from '@fast-check/vitest';
import { ProviderError } from '@fedsvc/core';
import { describe, expect, it } from 'vitest';
import { changeBatchMessages, recordOf, scrub, translateError } from '../src/errors.js';
import { escapeName } from '../src/testing/zones.js';

const label = fc.stringMatching(/^[a-z0-9*_-]{1,12}$/);
const name = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => `${labels.join('.')}.example.com.`);
const type = fc.constantFrom('A', 'AAAA', 'CNAME', 'TXT', 'MX');
const reason = fc.constantFrom(
  (n: string, t: string) => `Tried to create resource record set [name='${escapeName(n)}', type='${t}'] but it already exists`,
  (n: string, t: string) => `Tried to delete resource record set [name='${escapeName(n)}', type='${t}'] but it was not found`,
  (n: string, t: string) =>
    `Tried to delete resource record set [name='${escapeName(n)}', type='${t}'] but the values provided do not match the current values`,
  (n: string, t: string) =>
    `RRSet of type ${t} with DNS name ${escapeName(n)} is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone example.com.`,
);

describe('InvalidChangeBatch messages', () => {
  test.prop([fc.array(fc.tuple(name, type, reason), { minLength: 1, maxLength: 5 })])(
    'split back into each message, each naming its record set (escapes undone)',
    (items) => {
      const messages = items.map(([n, t, say]) => say(n, t));
      const parsed = changeBatchMessages({ message: `[${messages.join(', ')}]` });
      expect(parsed).toEqual(messages);
      parsed.forEach((m, i) => expect(recordOf(m)).toEqual({ name: items[i]?.[0], type: items[i]?.[1] }));
    },
  );

  test.prop([fc.array(fc.tuple(name, type, reason), { minLength: 1, maxLength: 3 })])(
    'become a conflict ProviderError naming the first blamed record set',
    (items) => {
      const message = `[${items.map(([n, t, say]) => say(n, t)).join(', ')}]`;
      const error = translateError(sdkError('InvalidChangeBatch', 400, message), 'ChangeResourceRecordSets Z1');
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).kind).toBe('conflict');
      expect((error as ProviderError).record).toEqual({ name: items[0]?.[0], type: items[0]?.[1] });
    },
  );

  it('a value problem blames the record set of the batch that holds the value', () => {
    const batch = [
      { name: 'ok.example.com.', type: 'A', ttl: 60, rrdatas: ['192.0.2.1'] },
      { name: 'bad.example.com.', type: 'TXT', ttl: 60, rrdatas: ['no quotes'] },
    ];
    const message =
      "[Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with 'no quotes'']";
    const error = translateError(sdkError('InvalidChangeBatch', 400, message), 'ChangeResourceRecordSets Z1', batch) as ProviderError;
    expect(error.kind).toBe('invalid');
    expect(error.record).toEqual({ name: 'bad.example.com.', type: 'TXT' });
  });

  it('the older list form (<Messages>) is read too', () => {
    expect(changeBatchMessages({ message: 'ignored', messages: ['one', 'two'] })).toEqual(['one', 'two']);
  });
});

describe('error kinds', () => {
  it.each([
    ['Throttling', 400, 'throttled'],
    ['PriorRequestNotComplete', 400, 'transient'],
    ['InternalFailure', 500, 'transient'],
    ['Whatever', 502, 'transient'],
    ['InvalidInput', 400, 'invalid'],
    ['AccessDenied', 403, 'denied'],
    ['NoSuchHostedZone', 404, 'not-found'],
  ] as const)('%s (HTTP %i) → %s', (code, status, kind) => {
    const error = translateError(sdkError(code, status, 'm'), 'op') as ProviderError;
    expect(error.kind).toBe(kind);
    expect(error.message).toBe(`route53: op: ${code}: m`);
  });

  it('a network failure is transient; a programming error passes through untouched', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect((translateError(reset, 'op') as ProviderError).kind).toBe('transient');
    const bug = new TypeError('x is not a function');
    expect(translateError(bug, 'op')).toBe(bug);
  });

  test.prop([fc.string(), fc.stringMatching(/^[A-Z0-9]{16}$/), fc.constantFrom('AKIA', 'ASIA')])(
    'access key ids and signatures never reach a message',
    (text, tail, prefix) => {
      const key = `${prefix}${tail}`;
      const out = scrub(`${text} ${key} Credential=${key}/20260101/us-east-1/route53/aws4_request, Signature=abcdef0123 ${text}`);
      expect(out).not.toContain(key);
      expect(out).not.toContain('abcdef0123');
    },
  );
});

/** The shape the SDK throws for a service error (name = code, $metadata with the HTTP status). */
function sdkError(code: string, status: number, message: string): Error {
  return Object.assign(new Error(message), {
    name: code,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}
