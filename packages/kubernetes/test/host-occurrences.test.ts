// What the controller tells about a service becomes the happenings its Events tell: a failure
// retrying cannot fix is one Warning, told once however often the service is passed again; a
// failure retrying may fix is no Event at all, however often it is retried.
import { createController } from '@fedsvc/core';
import { MemoryClusters, guideNginx } from '@fedsvc/core/testing';
import { createMemoryProvider } from '@fedsvc/dns-memory';
import { describe, expect, test } from 'vitest';
import { type FederationOccurrence, eventGist } from '../src/federation/occurrences.js';
import { subscribeOccurrences } from '../src/host/occurrences.js';

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
}

function setUp(zoneId: string) {
  const provider = createMemoryProvider({ zones: [{ dnsName: 'example.com', id: 'example-com' }] });
  const controller = createController({
    federation: { name: 'myfederation', domain: 'example.com' },
    ownerId: 'occurrences-test',
    clusters: new MemoryClusters([
      { name: 'gce-us-central1-a', zones: ['us-central1-a'], region: 'us-central1', loadBalancerAddresses: ['203.0.113.1'] },
    ]),
    dns: { provider, zone: { id: zoneId, dnsName: 'example.com.' } },
    services: [guideNginx],
    coalesceMs: 1,
    backoff: { baseMs: 5, maxMs: 10 },
    sleep: async () => {},
  });
  const told: { service: string; occurrence: FederationOccurrence }[] = [];
  const unsubscribe = subscribeOccurrences(controller, (service, occurrence) => told.push({ service, occurrence }));
  const failed: boolean[] = [];
  controller.on('apply-failed', ({ permanent }) => failed.push(permanent));
  return { controller, provider, told, failed, unsubscribe };
}

const failures = (told: readonly { occurrence: FederationOccurrence }[]) => told.filter((t) => t.occurrence.kind === 'sync-failed');

describe('a failed pass as an Event', () => {
  test('retrying cannot fix it: one Warning naming the reason and the error, not one per pass', async () => {
    const { controller, told, failed, unsubscribe } = setUp('no-such-zone');
    controller.start();
    try {
      await until(() => failed.length > 0);
      await controller.idle();
      for (let i = 0; i < 3; i++) {
        controller.resync();
        await controller.idle();
      }
      expect(failures(told)).toHaveLength(1);
      const [{ service, occurrence }] = failures(told) as [{ service: string; occurrence: FederationOccurrence }];
      expect(service).toBe('mynamespace/nginx');
      const gist = eventGist(occurrence);
      expect(gist).toMatchObject({ type: 'Warning', reason: 'SyncFailed' });
      expect(gist.message).toMatch(/^not-found: .*no zone has id "no-such-zone".*retrying cannot fix it/);
    } finally {
      unsubscribe();
      await controller.stop();
    }
  });

  test('retrying may fix it: no Event for any of the retries', async () => {
    const { controller, provider, told, failed, unsubscribe } = setUp('example-com');
    provider.failNext(1_000);
    controller.on('apply-failed', () => {
      if (failed.length >= 3) provider.clearFaults();
    });
    controller.start();
    try {
      await until(() => failed.length >= 3);
      await controller.idle();
      expect(failed.every((permanent) => !permanent)).toBe(true);
      expect(failures(told)).toEqual([]);
    } finally {
      unsubscribe();
      await controller.stop();
    }
  });
});
