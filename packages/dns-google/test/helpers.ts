// Starts the wire-level fixture and a provider that talks to it through the real SDK.
import { type DnsZone, ProviderError } from '@fedsvc/core';
import { expect } from 'vitest';
import { createGoogleProvider, type GoogleProvider, type GoogleProviderOptions } from '../src/index.js';
import { type CloudDnsServer, type FixtureOptions, startCloudDnsServer } from '../src/testing/index.js';

export interface Harness {
  readonly fixture: CloudDnsServer;
  readonly provider: GoogleProvider;
  readonly zone: DnsZone;
  close(): Promise<void>;
}

/** What a user of the local server writes: project, endpoint, credentials. */
export function optionsFor(fixture: CloudDnsServer, extra: GoogleProviderOptions = {}): GoogleProviderOptions {
  return { projectId: fixture.projectId, apiEndpoint: fixture.url, credentials: fixture.credentials, ...extra };
}

export async function startHarness(options: { fixture?: FixtureOptions; provider?: GoogleProviderOptions } = {}): Promise<Harness> {
  const fixture = await startCloudDnsServer(options.fixture);
  const managed = fixture.createZone('example-com', 'example.com.');
  const provider = createGoogleProvider(optionsFor(fixture, options.provider));
  let closed: Promise<void> | undefined;
  return {
    fixture,
    provider,
    zone: { id: managed.name, dnsName: managed.dnsName },
    // Idempotent: a test may close its harness itself, and the file's afterEach closes it again.
    close: () => (closed ??= fixture.close()),
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
