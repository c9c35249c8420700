// Error translation as pure data: what the SDK, the auth library or the network throws → ProviderError.
import { ProviderError, ValidationError } from '@fedsvc/core';
import { TRANSIENT_NETWORK_CODES } from '@fedsvc/core/provider';
import { describe, expect, it } from 'vitest';
import { createGoogleProvider, translateError } from '../src/index.js';
import { toChangeBody } from '../src/records.js';
import { scrub } from '../src/errors.js';

/** The SDK's ApiError shape: HTTP status in `code`, the API's reasons in `errors`. */
const apiError = (code: number, reason: string, message: string) =>
  Object.assign(new Error(message), { code, errors: [{ domain: 'global', reason, message }] });

const kindOf = (thrown: unknown): string | undefined => {
  const translated = translateError(thrown, 'op');
  return translated instanceof ProviderError ? translated.kind : undefined;
};

describe('translateError', () => {
  it('maps statuses and reasons to kinds', () => {
    expect(
      kindOf(apiError(409, 'alreadyExists', "The resource 'entity.change.additions[0]' named 'a.example.com. (A)' already exists")),
    ).toBe('conflict');
    expect(kindOf(apiError(412, 'conditionNotMet', "Precondition not met for 'entity.change.deletions[0]'"))).toBe('conflict');
    expect(kindOf(apiError(404, 'notFound', "The 'entity.change.deletions[0]' resource named 'a.example.com. (A)' does not exist."))).toBe(
      'conflict',
    );
    expect(kindOf(apiError(404, 'notFound', "The 'parameters.managedZone' resource named 'zone' does not exist."))).toBe('not-found');
    expect(kindOf(apiError(429, 'rateLimitExceeded', 'Quota exceeded for quota metric'))).toBe('throttled');
    expect(kindOf(apiError(403, 'rateLimitExceeded', 'Rate Limit Exceeded'))).toBe('throttled');
    expect(kindOf(apiError(403, 'quotaExceeded', 'The change would exceed quota for additions per change.'))).toBe('invalid');
    expect(kindOf(apiError(503, 'backendError', 'The service is currently unavailable.'))).toBe('transient');
    expect(kindOf(apiError(400, 'invalid', "Invalid value for 'entity.change.additions[0].rrdata[0]': '1.2.3'"))).toBe('invalid');
    expect(kindOf(apiError(401, 'authError', 'Request had invalid authentication credentials.'))).toBe('denied');
    expect(kindOf(apiError(403, 'forbidden', 'Forbidden'))).toBe('denied');
  });

  it('network failures are transient; missing credentials are denied; programming errors pass through', () => {
    expect(kindOf(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe('transient');
    // As node-fetch reports a system error: its code on a FetchError. Route 53 maps the same codes to transient.
    for (const code of ['EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EPROTO', 'ERR_STREAM_PREMATURE_CLOSE']) {
      expect(
        kindOf(
          Object.assign(new Error(`request failed, reason: connect ${code}`), { name: 'FetchError', type: 'system', code, errno: code }),
        ),
        code,
      ).toBe('transient');
    }
    expect(
      kindOf(
        new Error(
          'Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication/getting-started for more information.',
        ),
      ),
    ).toBe('denied');
    const bug = new TypeError('x is not a function');
    expect(translateError(bug, 'op')).toBe(bug);
  });

  it.each(TRANSIENT_NETWORK_CODES)('%s, a code every adapter retries, is transient (also wrapped as a cause)', (code) => {
    const system = Object.assign(new Error(`connect ${code} 192.0.2.1:443`), { code, syscall: 'connect', errno: -1 });
    expect(kindOf(system)).toBe('transient');
    expect(kindOf(new Error('request failed', { cause: system }))).toBe('transient');
    // Node's fetch wraps the socket's error: its code is kept, in the cause and in the message.
    const wrapped = translateError(new TypeError('fetch failed', { cause: new Error('request failed', { cause: system }) }), 'op');
    expect((wrapped as ProviderError).cause).toMatchObject({ code });
    expect((wrapped as ProviderError).message).toBe(`google: op: ${code}: fetch failed`);
  });

  it('names the record set a message blames by its index in the change as sent (grouped by type)', () => {
    const body = toChangeBody([
      { kind: 'create', record: { name: 'a.example.com.', type: 'TXT', ttl: 60, rrdatas: ['"x"'] } },
      { kind: 'create', record: { name: 'b.example.com.', type: 'A', ttl: 60, rrdatas: ['192.0.2.1'] } },
      { kind: 'create', record: { name: 'c.example.com.', type: 'TXT', ttl: 60, rrdatas: ['"y"'] } },
    ]);
    expect(body.additions.map((r) => r.name)).toEqual(['a.example.com.', 'c.example.com.', 'b.example.com.']);
    const error = translateError(
      apiError(400, 'invalid', "Invalid value for 'entity.change.additions[1].rrdata[0]': 'y'"),
      'op',
      body,
    ) as ProviderError;
    expect(error.record).toEqual({ name: 'c.example.com.', type: 'TXT' });
  });

  it('keeps tokens and keys out of the message and the cause', () => {
    const secret = 'ya29.a0AfH6SMBsecretsecretsecret';
    const thrown = Object.assign(apiError(401, 'authError', `bad token Bearer ${secret}`), {
      response: { request: { headers: { Authorization: `Bearer ${secret}` } } },
    });
    const error = translateError(thrown, 'op') as ProviderError;
    expect(
      `${error.message} ${JSON.stringify(error)} ${String((error.cause as Error).message)} ${JSON.stringify(error.cause)}`,
    ).not.toContain(secret);
    expect(scrub('-----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY-----')).toBe('<redacted key>');
    expect(scrub('key=AIzaSyA-abcdefghijklmnopqrstuvwxyz')).not.toContain('AIzaSy');
  });
});

describe('options', () => {
  it('rejects bad options with a ValidationError naming the field', () => {
    const field = (run: () => unknown) => {
      try {
        run();
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError);
        return (e as ValidationError).field;
      }
      return undefined;
    };
    expect(field(() => createGoogleProvider({ pageSize: 0 }))).toBe('pageSize');
    expect(field(() => createGoogleProvider({ apiEndpoint: 'http://127.0.0.1:1/dns/v1' }))).toBe('apiEndpoint');
    expect(field(() => createGoogleProvider({ projectId: 'Not A Project' }))).toBe('projectId');
  });
});
