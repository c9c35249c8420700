// Failures that the next attempt can get past are `transient`: lost or unreachable networks, and
// a clock too far from AWS's (the SDK corrects its offset from the refusal's Date header).
import { ProviderError } from '@fedsvc/core';
import { TRANSIENT_NETWORK_CODES } from '@fedsvc/core/provider';
import { InvalidInput, PriorRequestNotComplete, Route53ServiceException, ThrottlingException } from '@aws-sdk/client-route-53';
import { afterEach, describe, expect, it } from 'vitest';
import { translateError } from '../src/errors.js';
import { createRoute53Provider, type Route53Provider } from '../src/provider.js';
import { type Route53Fixture, SIGNATURE_WINDOW_MS, startRoute53Fixture } from '../src/testing/index.js';
import { clientConfigFor } from './helpers.js';

const kindOf = (thrown: unknown) => (translateError(thrown, 'op') as ProviderError).kind;

/** What the SDK throws for a Route 53 error it has no class for: its service exception, named by the code. */
const service = (name: string, status: number, message: string, metadata: Record<string, unknown> = {}) =>
  new Route53ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, ...metadata },
    message,
  });

/** A Node system error as `net` / `http` raise it. */
const system = (code: string, syscall = 'connect') =>
  Object.assign(new Error(`${syscall} ${code} 192.0.2.1:443`), { code, syscall, errno: -1 });

describe('network errors', () => {
  it.each([
    'ECONNRESET',
    'ECONNREFUSED',
    'ECONNABORTED',
    'EPIPE',
    'ETIMEDOUT',
    'EAI_AGAIN',
    'ENOTFOUND',
    'EHOSTUNREACH',
    'EHOSTDOWN',
    'ENETUNREACH',
    'ENETDOWN',
    'ENETRESET',
    'EADDRNOTAVAIL',
    'EPROTO',
    'ERR_SOCKET_CONNECTION_TIMEOUT',
    'ERR_STREAM_PREMATURE_CLOSE',
  ])('%s → transient', (code) => {
    expect(kindOf(system(code))).toBe('transient');
  });

  it.each(TRANSIENT_NETWORK_CODES)('%s, a code every adapter retries, → transient (also wrapped as a cause)', (code) => {
    expect(kindOf(system(code))).toBe('transient');
    expect(kindOf(new Error('request failed', { cause: system(code) }))).toBe('transient');
  });

  it('a real refused connection through the SDK is transient', async () => {
    const fixture = await startRoute53Fixture();
    const config = clientConfigFor(fixture);
    await fixture.close(); // nothing listens on that port now
    const provider = createRoute53Provider({ clientConfig: config });
    try {
      const error = await provider.zones().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).kind).toBe('transient');
      expect((error as ProviderError).message).toMatch(/ECONNREFUSED/);
    } finally {
      provider.close();
    }
  });

  it('other system codes are not guessed at: a file error is not a network failure', () => {
    expect(translateError(system('ENOENT', 'open'), 'op')).toBeInstanceOf(Error);
    expect(translateError(system('ENOENT', 'open'), 'op')).not.toBeInstanceOf(ProviderError);
  });
});

describe('clock skew', () => {
  it.each([
    ['SignatureDoesNotMatch', 'Signature expired: 20260101T000000Z is now earlier than 20260101T000500Z (20260101T001000Z - 5 min.)'],
    [
      'SignatureDoesNotMatch',
      'Signature not yet current: 20260101T002000Z is still later than 20260101T001500Z (20260101T001000Z + 5 min.)',
    ],
    ['InvalidSignatureException', 'Signature expired: 20260101T000000Z is now earlier than 20260101T000500Z (20260101T001000Z - 5 min.)'],
    ['RequestExpired', 'Request has expired.'],
    ['RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.'],
    ['RequestInTheFuture', 'Request is not yet valid.'],
  ])('%s "%s" → transient', (code, message) => {
    expect(kindOf(service(code, 403, message))).toBe('transient');
  });

  it('a signature refused for another reason is still denied (a wrong secret does not heal)', () => {
    const wrongKey =
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.';
    expect(kindOf(service('SignatureDoesNotMatch', 403, wrongKey))).toBe('denied');
    expect(kindOf(service('InvalidSignatureException', 403, wrongKey))).toBe('denied');
    // …unless the SDK has just corrected its clock from that very answer.
    expect(kindOf(service('SignatureDoesNotMatch', 403, wrongKey, { clockSkewCorrected: true }))).toBe('transient');
  });

  it('modelled SDK exceptions keep their kinds', () => {
    const meta = (status: number) => ({ $metadata: { httpStatusCode: status }, message: 'm' });
    expect(kindOf(new ThrottlingException(meta(400)))).toBe('throttled');
    expect(kindOf(new PriorRequestNotComplete(meta(400)))).toBe('transient');
    expect(kindOf(new InvalidInput(meta(400)))).toBe('invalid');
  });

  describe('on the wire', () => {
    let fixture: Route53Fixture | undefined;
    let provider: Route53Provider | undefined;
    afterEach(async () => {
      provider?.close();
      await fixture?.close();
    });

    it.each([
      ['ahead of', 10 * 60_000, /Signature expired/],
      ['behind', -10 * 60_000, /Signature not yet current/],
    ])(
      'Route 53 %s our clock: the first call is transient, the SDK takes its clock, the next call goes through',
      async (_, offset, wording) => {
        fixture = await startRoute53Fixture({ clockOffsetMs: offset });
        fixture.createZone('example.com');
        provider = createRoute53Provider({ clientConfig: clientConfigFor(fixture) });
        const first = await provider.zones().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(first).toBeInstanceOf(ProviderError);
        expect((first as ProviderError).kind).toBe('transient');
        expect((first as ProviderError).message).toMatch(new RegExp(`SignatureDoesNotMatch: ${wording.source}`));
        // The client (maxAttempts 1) keeps the offset for every later call.
        expect(Math.abs((provider.client.config.systemClockOffset ?? 0) - offset)).toBeLessThan(5_000);
        expect((await provider.zones()).map((z) => z.dnsName)).toEqual(['example.com.']);
        expect(fixture.requests.map((r) => r.status)).toEqual([403, 200]);
      },
    );

    it('within the 5-minute window nothing is refused', async () => {
      fixture = await startRoute53Fixture({ clockOffsetMs: SIGNATURE_WINDOW_MS - 30_000 });
      fixture.createZone('example.com');
      provider = createRoute53Provider({ clientConfig: clientConfigFor(fixture) });
      expect(await provider.zones()).toHaveLength(1);
    });
  });
});
