// A Route 53 call that never finishes must not hold the zone's pass: the client the provider
// builds has connect, request and socket-idle timeouts, and a timeout is a `transient` error.
import { ProviderError, ValidationError } from '@fedsvc/core';
import { Route53Client } from '@aws-sdk/client-route-53';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../src/client.js';
import { createRoute53Provider, type Route53Provider } from '../src/provider.js';
import { type Route53Fixture, startRoute53Fixture } from '../src/testing/index.js';
import { clientConfigFor } from './helpers.js';

let fixture: Route53Fixture | undefined;
let provider: Route53Provider | undefined;

afterEach(async () => {
  provider?.close();
  await fixture?.close();
  provider = undefined;
  fixture = undefined;
});

async function timed<T>(run: () => Promise<T>): Promise<{ error: unknown; ms: number }> {
  const start = performance.now();
  try {
    await run();
    return { error: undefined, ms: performance.now() - start };
  } catch (error) {
    return { error, ms: performance.now() - start };
  }
}

describe('request timeouts (real SDK, local Route 53 that stops answering)', () => {
  it('a request never answered fails as transient within requestTimeoutMs, and the next call goes through', async () => {
    fixture = await startRoute53Fixture();
    const zone = fixture.createZone('example.com');
    provider = createRoute53Provider({ clientConfig: clientConfigFor(fixture), requestTimeoutMs: 400 });
    fixture.hangNext(1, { operation: 'ListResourceRecordSets' });
    const { error, ms } = await timed(() => provider!.records({ id: zone.id, dnsName: zone.name }));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('transient');
    expect((error as ProviderError).message).toMatch(/^route53: ListResourceRecordSets \S+: TimeoutError: .*400 ms requestTimeout/);
    expect(ms).toBeGreaterThanOrEqual(350);
    expect(ms).toBeLessThan(3_000);
    expect(fixture.requests.map((r) => [r.operation, r.status])).toEqual([['ListResourceRecordSets', 0]]);
    // Nothing is stuck: the following call is answered.
    expect((await provider.records({ id: zone.id, dnsName: zone.name })).map((r) => r.type).sort()).toEqual(['NS', 'SOA']);
  });

  it('a response whose body never comes fails as transient too (socket idle timeout)', async () => {
    fixture = await startRoute53Fixture();
    fixture.createZone('example.com');
    provider = createRoute53Provider({ clientConfig: clientConfigFor(fixture), requestTimeoutMs: 400 });
    fixture.hangNext(1, { operation: 'ListHostedZones', after: 'headers' });
    const { error, ms } = await timed(() => provider!.zones());
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('transient');
    expect(ms).toBeLessThan(3_000);
    expect((await provider.zones()).map((z) => z.dnsName)).toEqual(['example.com.']);
  });

  it('by default the built client times out after 10 s, throwing, and connects within 5 s', async () => {
    fixture = await startRoute53Fixture();
    provider = createRoute53Provider({ clientConfig: clientConfigFor(fixture) });
    await provider.zones(); // the SDK resolves its handler's settings on the first request
    const handler = provider.client.config.requestHandler as unknown as { httpHandlerConfigs(): Record<string, unknown> };
    expect(handler.httpHandlerConfigs()).toMatchObject({
      requestTimeout: DEFAULT_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
      connectionTimeout: 5_000,
      socketTimeout: DEFAULT_REQUEST_TIMEOUT_MS,
    });
    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBe(10_000);
  });

  it("a caller's own requestHandler is used as given", async () => {
    fixture = await startRoute53Fixture();
    provider = createRoute53Provider({
      clientConfig: { ...clientConfigFor(fixture), requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true } },
    });
    fixture.hangNext(1);
    const { error, ms } = await timed(() => provider!.zones());
    expect((error as ProviderError).kind).toBe('transient');
    expect((error as ProviderError).message).toMatch(/300 ms requestTimeout/);
    expect(ms).toBeLessThan(3_000);
  });

  it('requestTimeoutMs is validated, and refused beside a client or requestHandler it could not apply to', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '500' as unknown as number]) {
      expect(() => createRoute53Provider({ requestTimeoutMs: bad })).toThrow(expect.objectContaining({ field: 'requestTimeoutMs' }));
    }
    const client = new Route53Client({ region: 'us-east-1', maxAttempts: 1 });
    try {
      expect(() => createRoute53Provider({ client, requestTimeoutMs: 1_000 })).toThrow(ValidationError);
      expect(() => createRoute53Provider({ clientConfig: { requestHandler: { requestTimeout: 1 } }, requestTimeoutMs: 1_000 })).toThrow(
        ValidationError,
      );
    } finally {
      client.destroy();
    }
  });
});
