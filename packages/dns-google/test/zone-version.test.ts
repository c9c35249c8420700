// zoneVersion: the id of the zone's newest Change, one changes.list request; right after our own
// write, the id of the change we created. Through the real SDK against the wire-level fixture.
import type { RecordSet } from '@fedsvc/core';
import { fc, it as property } from '@fast-check/vitest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGoogleProvider, type GoogleProvider } from '../src/index.js';
import { type Harness, optionsFor, startHarness } from './helpers.js';

const a = (name: string, ...rrdatas: string[]): RecordSet => ({ name, type: 'A', ttl: 180, rrdatas });
const create = (record: RecordSet) => [{ kind: 'create' as const, record }];

let h: Harness;
/** Another client of the same project: someone else's changes. */
let other: GoogleProvider;
beforeEach(async () => {
  h = await startHarness();
  other = createGoogleProvider(optionsFor(h.fixture));
});
afterEach(async () => {
  await h.close();
});

const listings = () => h.fixture.requests.filter((r) => r.operation === 'changes.list');
/** The id of the zone's newest change, as Cloud DNS lists it. */
const newestId = async () => String((await h.provider.dns.zone(h.zone.id).getChanges({ autoPaginate: false }))[0].at(-1)?.id);

describe('zoneVersion (Cloud DNS)', () => {
  it('an unchanged zone gives the same token, one changes.list request each time', async () => {
    const first = await h.provider.zoneVersion!(h.zone);
    h.fixture.resetRequests();
    expect(await h.provider.zoneVersion!(h.zone)).toBe(first);
    expect(h.fixture.requests.map((r) => [r.operation, r.status])).toEqual([['changes.list', 200]]);
    expect(first).toBe('0'); // the zone's creation
  });

  it('asks for the newest change only: sorted by change sequence, descending, one result', async () => {
    await other.applyChanges(h.zone, create(a('x.example.com.', '192.0.2.1')));
    await other.applyChanges(h.zone, create(a('y.example.com.', '192.0.2.2')));
    const newest = await newestId();
    expect(newest).toBe('2');
    h.fixture.resetRequests();
    // The fixture lists oldest first unless asked otherwise: only the right query finds change 2.
    expect(await h.provider.zoneVersion!(h.zone)).toBe(newest);
    expect(listings()).toHaveLength(1);
  });

  it('right after our write, the token is our change, without a request', async () => {
    const before = await h.provider.zoneVersion!(h.zone);
    await h.provider.applyChanges(h.zone, create(a('svc.example.com.', '192.0.2.1')));
    h.fixture.resetRequests();
    const ours = await h.provider.zoneVersion!(h.zone);
    expect(h.fixture.count()).toBe(0);
    expect(ours).not.toBe(before);
    expect(ours).toBe(await newestId());
    // Nobody wrote since: the next ask lists, and finds the same.
    expect(await h.provider.zoneVersion!(h.zone)).toBe(ours);
  });

  it("someone else's change after ours moves the token", async () => {
    await h.provider.applyChanges(h.zone, create(a('svc.example.com.', '192.0.2.1')));
    const ours = await h.provider.zoneVersion!(h.zone);
    await other.applyChanges(h.zone, create(a('theirs.example.com.', '192.0.2.9')));
    expect(await h.provider.zoneVersion!(h.zone)).not.toBe(ours);
  });

  it("someone else's change between our write and the ask is still seen: the token given is ours, the next one theirs", async () => {
    await h.provider.applyChanges(h.zone, create(a('svc.example.com.', '192.0.2.1')));
    h.fixture.putRecordSet(h.zone.id, a('theirs.example.com.', '192.0.2.9'));
    const ours = await h.provider.zoneVersion!(h.zone);
    const next = await h.provider.zoneVersion!(h.zone);
    expect(next).toBe(await newestId());
    expect(next).not.toBe(ours);
  });

  let serial = 0;
  property.prop([fc.array(fc.constantFrom('ours', 'theirs', 'removal'), { maxLength: 6 })], { numRuns: 15 })(
    'after any sequence of writes, ours and others, the token moves exactly when the zone had a change since the last one given',
    async (writes) => {
      let last = await h.provider.zoneVersion!(h.zone);
      for (const who of writes) {
        const name = `r${serial++}.example.com.`;
        // A removal of a record set the zone does not hold changes nothing; every other write is a change.
        let changes = true;
        if (who === 'ours') await h.provider.applyChanges(h.zone, create(a(name, '192.0.2.1')));
        else if (who === 'theirs') await other.applyChanges(h.zone, create(a(name, '192.0.2.2')));
        else {
          const held = h.fixture.recordSets(h.zone.id).find((r) => r.type === 'A');
          changes = held !== undefined;
          h.fixture.removeRecordSet(h.zone.id, held?.name ?? name, 'A');
        }
        const token = await h.provider.zoneVersion!(h.zone);
        expect(token !== last).toBe(changes);
        last = token;
      }
    },
  );
});
