// The Route 53 adapter as a conformance target: the real SDK against its own fixture, with the
// fixture's change limits and the adapter's declared limits lowered together so the suite's
// cases cross them with a few dozen record sets instead of thousands.
import type { ProviderLimits, RecordSet } from '@fedsvc/core';
import type { ConformanceTarget } from '@fedsvc/core/testing';
import { createRoute53Provider, ROUTE53_LIMITS, type Route53ProviderOptions } from '../src/index.js';
import { clientConfigFor } from './helpers.js';
import { startRoute53Fixture } from '../src/testing/index.js';

const PAGE_SIZE = 8;
const SMALL_LIMITS: ProviderLimits = {
  ...ROUTE53_LIMITS,
  maxChangesPerRequest: 10,
  maxRrdatasPerRequest: 20,
  maxRrdataCharsPerRequest: 640,
};

export async function route53Target(options: Pick<Route53ProviderOptions, 'aliases'> = {}): Promise<ConformanceTarget> {
  const fixture = await startRoute53Fixture({
    limits: { resourceRecords: SMALL_LIMITS.maxRrdatasPerRequest, valueCharacters: SMALL_LIMITS.maxRrdataCharsPerRequest },
  });
  const hosted = fixture.createZone('conformance.example.com');
  const adapter = createRoute53Provider({ clientConfig: clientConfigFor(fixture), pageSize: PAGE_SIZE, ...options });
  const count = (operation: string) => fixture.count((r) => r.operation === operation);
  return {
    provider: { ...adapter, limits: SMALL_LIMITS },
    zone: { id: hosted.id, dnsName: hosted.name },
    pageSize: PAGE_SIZE,
    async writeBehind(changes) {
      for (const change of changes) {
        if (change.kind === 'delete') fixture.removeRecordSet(hosted.id, change.record.name, change.record.type);
        else
          fixture.putRecordSet(hosted.id, {
            name: change.record.name,
            type: change.record.type,
            ttl: change.record.ttl,
            values: change.record.rrdatas,
          });
      }
    },
    async state() {
      return fixture
        .recordSets(hosted.id)
        .map((r): RecordSet<string> => ({ name: r.name, type: r.type, ttl: r.ttl ?? 0, rrdatas: [...r.values] }));
    },
    requests() {
      return { reads: count('ListResourceRecordSets'), writes: count('ChangeResourceRecordSets') };
    },
    throttleNext(n) {
      fixture.throttleNext(n);
    },
    failNext(n) {
      fixture.serverErrorNext(n);
    },
    async close() {
      adapter.close();
      await fixture.close();
    },
  };
}
