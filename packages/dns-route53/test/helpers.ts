// Starts the wire-level fixture and a provider that talks to it through the real SDK.
import { type DnsZone, ProviderError } from '@fedsvc/core';
import { expect } from 'vitest';
import { createRoute53Provider, type Route53Provider, type Route53ProviderOptions } from '../src/index.js';
import { FIXTURE_CREDENTIALS, type FixtureOptions, type Route53Fixture, startRoute53Fixture } from '../src/testing/index.js';

export interface Harness {
  readonly fixture: Route53Fixture;
  readonly provider: Route53Provider;
  readonly zone: DnsZone;
  close(): Promise<void>;
}

export function clientConfigFor(
  fixture: Route53Fixture,
  credentials: { accessKeyId: string; secretAccessKey: string } = FIXTURE_CREDENTIALS,
) {
  return { endpoint: fixture.url, region: 'us-east-1', credentials };
}

export async function startHarness(
  options: { fixture?: FixtureOptions; provider?: Omit<Route53ProviderOptions, 'client' | 'clientConfig'>; zoneName?: string } = {},
): Promise<Harness> {
  const fixture = await startRoute53Fixture(options.fixture);
  const hosted = fixture.createZone(options.zoneName ?? 'example.com');
  const provider = createRoute53Provider({ ...options.provider, clientConfig: clientConfigFor(fixture) });
  return {
    fixture,
    provider,
    zone: { id: hosted.id, dnsName: hosted.name },
    async close() {
      provider.close();
      await fixture.close();
    },
  };
}

/** The ProviderError `promise` rejects with; fails the test when it settles otherwise. */
export async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}
