// The Google Cloud DNS adapter as a conformance target: the real SDK against its own fixture,
// with the fixture's per-change quotas and the adapter's declared limits lowered together so
// the suite's cases cross them with a few dozen record sets instead of thousands.
import type { ProviderLimits } from '@fedsvc/core';
import type { ConformanceTarget } from '@fedsvc/core/testing';
import { createGoogleProvider, GOOGLE_LIMITS } from '../src/index.js';
import { startCloudDnsServer } from '../src/testing/index.js';

const PAGE_SIZE = 8;
const SMALL_LIMITS: ProviderLimits = { ...GOOGLE_LIMITS, maxChangesPerRequest: 10, maxRrdataCharsPerRequest: 640 };

export async function googleTarget(): Promise<ConformanceTarget> {
  const fixture = await startCloudDnsServer({
    limits: {
      additionsPerChange: SMALL_LIMITS.maxChangesPerRequest,
      deletionsPerChange: SMALL_LIMITS.maxChangesPerRequest,
      rrdataBytesPerChange: SMALL_LIMITS.maxRrdataCharsPerRequest,
    },
  });
  const managed = fixture.createZone('conformance', 'conformance.example.com.');
  const adapter = createGoogleProvider({
    projectId: fixture.projectId,
    apiEndpoint: fixture.url,
    credentials: fixture.credentials,
    pageSize: PAGE_SIZE,
  });
  const count = (operation: string) => fixture.count((r) => r.operation === operation);
  return {
    provider: { ...adapter, limits: SMALL_LIMITS },
    zone: { id: managed.name, dnsName: managed.dnsName },
    pageSize: PAGE_SIZE,
    async writeBehind(changes) {
      for (const change of changes) {
        if (change.kind === 'delete') fixture.removeRecordSet(managed.name, change.record.name, change.record.type);
        else fixture.putRecordSet(managed.name, change.record);
      }
    },
    async state() {
      return fixture.recordSets(managed.name).map((r) => ({ ...r, rrdatas: [...r.rrdatas] }));
    },
    requests() {
      return { reads: count('rrsets.list'), writes: count('changes.create') };
    },
    throttleNext(n) {
      fixture.throttleNext(n);
    },
    failNext(n) {
      fixture.failNext(n);
    },
    close: () => fixture.close(),
  };
}
