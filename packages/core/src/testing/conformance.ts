// The DNS provider conformance suite: what every adapter must do, checked against its backend
// through the port, the way users drive it (reconcileZone), and around it (the target).
import { describe, expect, it } from 'vitest';
import { diffRecords } from '../zone/diff.js';
import { ProviderError, ValidationError } from '../errors.js';
import { canonicalRdata } from '../dns/rdata.js';
import { ownershipRecord, ownershipRecordName, ownershipSubject } from '../dns/ownership.js';
import { reconcileZone, type ReconcileOptions } from '../zone/reconcile.js';
import type { ReconcileReport } from '../zone/report.js';
import { AmbiguousZoneError, findZone } from '../zone/find-zone.js';
import type { Change, DnsProvider, RecordSet } from '../types.js';
import type { ConformanceOptions, ConformanceTarget } from './target.js';

export type { ConformanceOptions, ConformanceTarget, RequestCounts } from './target.js';

const OWNER = 'conformance';
const OTHER_OWNER = 'someone-else';
const RETRY = { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 1_000, budgetMs: 60_000 };

/**
 * Registers the conformance cases (vitest `describe`/`it`) for one adapter. `makeTarget` is
 * called once per case and the target closed after it.
 */
export function providerConformance(name: string, makeTarget: () => Promise<ConformanceTarget>, options: ConformanceOptions = {}): void {
  const withTarget = (run: (target: ConformanceTarget) => Promise<void>) => async () => {
    const target = await makeTarget();
    try {
      await run(target);
    } finally {
      await target.close();
    }
  };
  const faultCase = (fault: 'throttle' | 'transient', title: string, run: (target: ConformanceTarget) => Promise<void>) => {
    const reason = options.cannot?.[fault];
    const method = fault === 'throttle' ? 'throttleNext' : 'failNext';
    if (reason !== undefined) it.skip(`${title} — skipped: ${reason}`, () => {});
    else {
      it(
        title,
        withTarget(async (target) => {
          if (typeof target[method] !== 'function') {
            throw new Error(`the target has no ${method}(); give it one, or say why it can't be done in options.cannot.${fault}`);
          }
          await run(target);
        }),
      );
    }
  };

  describe(`DNS provider conformance: ${name}`, () => {
    it(
      'finds its zone by id and by DNS name, and answers not-found for a zone that does not exist',
      withTarget(async (target) => {
        const { provider, zone } = target;
        expect(await findZone(provider, { id: zone.id })).toEqual(zone);
        const byName = await findZone(provider, { dnsName: zone.dnsName.toUpperCase() }).catch((e: unknown) => e);
        // A backend may hold other zones of the same name (other targets'); then it must say which to pick.
        if (byName instanceof AmbiguousZoneError) expect(byName.candidates).toContain(zone.id);
        else expect(byName).toEqual(zone);
        const missing = await provider.records({ id: `${zone.id}-missing`, dnsName: `missing.${zone.dnsName}` }).catch((e: unknown) => e);
        expect(missing).toBeInstanceOf(ProviderError);
        expect((missing as ProviderError).kind).toBe('not-found');
      }),
    );

    it(
      'creates A, AAAA, CNAME and TXT record sets, each name with its ownership marker',
      withTarget(async (target) => {
        const zone = names(target);
        const before = await target.state();
        const desired = basicRecords(zone);
        const report = await reconcile(target, desired);
        expect(report.changes.length).toBeGreaterThan(0);
        const after = await target.state();
        expectHolds(after, desired);
        expectMarked(after, desired);
        // Nothing else was touched (SOA, NS and the like stay as they were).
        expect(keys(after.filter((record) => !isOurs(record, desired)))).toEqual(keys(before));
        // The adapter lists what the backend holds.
        expect(keys(await target.provider.records(target.zone))).toEqual(keys(after));
      }),
    );

    it(
      'updates rrdatas and TTLs, and writes only the record sets that changed',
      withTarget(async (target) => {
        const zone = names(target);
        await reconcile(target, basicRecords(zone));
        const changed: RecordSet[] = [
          { name: zone('www'), type: 'A', ttl: 180, rrdatas: ['192.0.2.30', '192.0.2.10'] },
          { name: zone('www'), type: 'AAAA', ttl: 180, rrdatas: ['2001:db8::1'] },
          { name: zone('alias'), type: 'CNAME', ttl: 180, rrdatas: [zone('other')] },
          { name: zone('other'), type: 'A', ttl: 180, rrdatas: ['192.0.2.99'] },
          { name: zone('txt'), type: 'TXT', ttl: 300, rrdatas: ['"hello world"'] },
        ];
        const report = await reconcile(target, changed);
        const touched = new Set(
          report.changes
            .filter((change) => !change.record.name.startsWith('_'))
            .map((change) => `${change.kind} ${change.record.name} ${change.record.type}`),
        );
        expect(touched).toEqual(
          new Set([`update ${zone('www')} A`, `update ${zone('alias')} CNAME`, `update ${zone('txt')} TXT`, `create ${zone('other')} A`]),
        );
        const after = await target.state();
        expectHolds(after, changed);
        expectMarked(after, changed);
      }),
    );

    it(
      'deletes record sets no longer desired, with their markers, and switches a name from A to CNAME',
      withTarget(async (target) => {
        const zone = names(target);
        const before = await target.state();
        await reconcile(target, basicRecords(zone));
        const switched: RecordSet[] = [
          { name: zone('other'), type: 'A', ttl: 180, rrdatas: ['192.0.2.99'] },
          { name: zone('www'), type: 'CNAME', ttl: 180, rrdatas: [zone('other')] },
        ];
        await reconcile(target, switched);
        const middle = await target.state();
        expectHolds(middle, switched);
        expect(middle.filter((record) => record.name === zone('www')).map((record) => record.type)).toEqual(['CNAME']);
        expect(middle.some((record) => record.name === zone('txt') || record.name === ownershipRecordName(zone('txt')))).toBe(false);
        await reconcile(target, []);
        expect(keys(await target.state())).toEqual(keys(before));
      }),
    );

    it(
      'writes nothing on a second pass, reading the zone once',
      withTarget(async (target) => {
        const zone = names(target);
        const desired = [...basicRecords(zone), ...spread(zone, 'idem', Math.min(pageCount(target) * 2, 40))];
        await reconcile(target, desired);
        const held = (await target.state()).length;
        const before = await target.requests();
        const report = await reconcile(target, desired);
        const after = await target.requests();
        expect(report.changes).toEqual([]);
        expect(report.writes).toBe(0);
        expect(report.reads).toBe(1);
        expect(after.writes - before.writes).toBe(0);
        expect(after.reads - before.reads).toBeLessThanOrEqual(pages(target, held));
        expect(after.reads - before.reads).toBeGreaterThanOrEqual(1);
      }),
    );

    it("zoneVersion, when the provider has it: stable while nothing changes, moved by every write, ours or anyone else's", async (context) => {
      const target = await makeTarget();
      try {
        const version = target.provider.zoneVersion?.bind(target.provider);
        if (!version) {
          context.skip('the provider has no zoneVersion');
          return;
        }
        const zone = names(target);
        const first = await version(target.zone);
        expect(typeof first).toBe('string');
        expect(await version(target.zone)).toBe(first);
        await target.provider.records(target.zone);
        expect(await version(target.zone), 'a read moves nothing').toBe(first);
        const desired = basicRecords(zone);
        await reconcile(target, desired);
        const written = await version(target.zone);
        expect(written, 'applyChanges moves it').not.toBe(first);
        expect(await version(target.zone)).toBe(written);
        const again = await reconcile(target, desired);
        expect(again.writes).toBe(0);
        expect(await version(target.zone), 'a pass that writes nothing moves nothing').toBe(written);
        await target.writeBehind([{ kind: 'create', record: { name: zone('someone'), type: 'A', ttl: 60, rrdatas: ['198.51.100.3'] } }]);
        const theirs = await version(target.zone);
        expect(theirs, 'a write around the adapter moves it').not.toBe(written);
        expect(theirs).not.toBe(first);
      } finally {
        await target.close();
      }
    });

    it(
      'leaves records it does not own alone, and reports the names it could not take',
      withTarget(async (target) => {
        const zone = names(target);
        const foreign: RecordSet[] = [
          { name: zone('person'), type: 'A', ttl: 60, rrdatas: ['198.51.100.1'] },
          { name: zone('notes'), type: 'TXT', ttl: 60, rrdatas: ['"v=spf1 -all"'] },
          { name: zone('theirs'), type: 'A', ttl: 60, rrdatas: ['198.51.100.2'] },
          ownershipRecord(zone('theirs'), OTHER_OWNER, 60, ['A']),
        ];
        await target.writeBehind(foreign.map((record) => ({ kind: 'create', record })));
        const desired: RecordSet[] = [
          { name: zone('person'), type: 'A', ttl: 180, rrdatas: ['192.0.2.1'] },
          { name: zone('theirs'), type: 'A', ttl: 180, rrdatas: ['192.0.2.2'] },
          { name: zone('mine'), type: 'A', ttl: 180, rrdatas: ['192.0.2.3'] },
        ];
        const report = await reconcile(target, desired);
        expect(report.conflicts.map((conflict) => conflict.name).sort()).toEqual([zone('person'), zone('theirs')]);
        expect(report.conflicts.find((conflict) => conflict.name === zone('theirs'))?.owner).toBe(OTHER_OWNER);
        expect(report.conflicts.find((conflict) => conflict.name === zone('person'))?.owner).toBeNull();
        let state = await target.state();
        expectHolds(state, foreign);
        expectHolds(state, desired.slice(2));
        // Someone's TXT beside our A set is theirs: it outlives a resync and the deletion of ours.
        const beside: RecordSet = { name: zone('mine'), type: 'TXT', ttl: 60, rrdatas: ['"v=spf1 -all"'] };
        await target.writeBehind([{ kind: 'create', record: beside }]);
        expect((await reconcile(target, desired)).changes).toEqual([]);
        await reconcile(target, []);
        state = await target.state();
        expectHolds(state, [...foreign, beside]);
        expect(state.filter((record) => record.name === zone('mine')).map((record) => record.type)).toEqual(['TXT']);
      }),
    );

    it(
      'reads every page of a zone that spans several',
      withTarget(async (target) => {
        const zone = names(target);
        const size = Number.isFinite(target.pageSize) ? target.pageSize : 10;
        // Foreign records on every page, ours sorting first and last so that both ends are read.
        const foreign = spread(zone, 'm-foreign', Math.ceil(size * 2.5) + 1);
        await target.writeBehind(foreign.map((record) => ({ kind: 'create', record })));
        const ours = [...spread(zone, 'a-first', 3), ...spread(zone, 'z-last', 3)];
        await reconcile(target, ours);
        const state = await target.state();
        const before = await target.requests();
        const listed = await target.provider.records(target.zone);
        const after = await target.requests();
        expect(keys(listed)).toEqual(keys(state));
        if (Number.isFinite(target.pageSize)) expect(after.reads - before.reads).toBe(pages(target, state.length));
        await reconcile(target, ours.slice(1, 5));
        const trimmed = await target.state();
        expectHolds(trimmed, foreign);
        expectHolds(trimmed, ours.slice(1, 5));
        for (const gone of [ours[0], ours[5]]) expect(trimmed.some((record) => record.name === gone?.name)).toBe(false);
      }),
    );

    it(
      'splits a change set larger than one request into ceil(changes / limit) requests, give or take one',
      withTarget(async (target) => {
        const zone = names(target);
        const { limits } = target.provider;
        const count = Math.ceil(limits.maxChangesPerRequest * 1.25) + 1;
        const desired = spread(zone, 'bulk', count);
        const created = await measure(target, () => reconcile(target, desired));
        expectHolds(await target.state(), desired);
        expect(created.report.changes.length).toBe(count * 2);
        expectRequestCount(created, limits, groupCosts(created.report.changes));
        const deleted = await measure(target, () => reconcile(target, []));
        expect(deleted.report.changes.length).toBe(count * 2);
        expectRequestCount(deleted, limits, groupCosts(deleted.report.changes));
        expect((await target.state()).some((record) => record.name.includes('bulk'))).toBe(false);
      }),
    );

    it(
      'never leaves a CNAME dangling between requests',
      withTarget(async (target) => {
        const zone = names(target);
        const chains = Math.max(4, Math.ceil(target.provider.limits.maxChangesPerRequest / 2));
        // Names chosen so that alphabetical order would be the wrong order.
        const chain = (i: number, globalType: 'A' | 'CNAME'): RecordSet[] => [
          { name: zone(`a-zone-${i}`), type: 'CNAME', ttl: 180, rrdatas: [zone(`b-region-${i}`)] },
          { name: zone(`b-region-${i}`), type: 'CNAME', ttl: 180, rrdatas: [zone(`c-global-${i}`)] },
          globalType === 'A'
            ? { name: zone(`c-global-${i}`), type: 'A', ttl: 180, rrdatas: [`192.0.2.${(i % 250) + 1}`] }
            : { name: zone(`c-global-${i}`), type: 'CNAME', ttl: 180, rrdatas: [zone('d-target')] },
        ];
        const provider = observed(target, async () => expectNoDanglingCname(await target.state(), target.zone.dnsName));
        const target2 = { ...target, provider };
        const all = (globalType: 'A' | 'CNAME') => Array.from({ length: chains }, (_, i) => chain(i, globalType)).flat();
        await reconcile(target2, all('A'));
        expectHolds(await target.state(), all('A'));
        const retargeted = [{ name: zone('d-target'), type: 'A' as const, ttl: 180, rrdatas: ['192.0.2.254'] }, ...all('CNAME')];
        await reconcile(target2, retargeted);
        expectHolds(await target.state(), retargeted);
        const writes = await target.requests();
        await reconcile(target2, []);
        expect((await target.requests()).writes - writes.writes).toBeGreaterThan(1);
        expectNoDanglingCname(await target.state(), target.zone.dnsName);
      }),
    );

    it(
      'declares itself atomic, and a failed request leaves the zone as it was',
      withTarget(async (target) => {
        const zone = names(target);
        const base = spread(zone, 'base', 3);
        await reconcile(target, base);
        const before = await target.state();
        // reconcileZone writes only to providers that apply a request all or nothing.
        expect(target.provider.limits.atomic).toBe(true);
        // Whole groups (a record set and its marker) only, with room for one change that fails.
        const added = Math.max(0, Math.min(3, Math.floor((target.provider.limits.maxChangesPerRequest - 1) / 2)));
        const desired = [...base, ...spread(zone, 'added', added)];
        const { changes } = diffRecords(before, desired, { ownerId: OWNER });
        const stale: Change = { kind: 'delete', record: { ...base[0]!, rrdatas: ['203.0.113.77'] } };
        const request = [...changes, stale];
        const error = await target.provider.applyChanges(target.zone, request).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ProviderError);
        expect((error as ProviderError).kind).toBe('conflict');
        expect((error as ProviderError).provider).toBe(target.provider.name);
        expect(keys(await target.state())).toEqual(keys(before));
        await reconcile(target, desired);
        const after = await target.state();
        expectHolds(after, desired);
        expectMarked(after, desired);
      }),
    );

    it(
      'matches deletes and updates exactly, and refuses to create what exists',
      withTarget(async (target) => {
        const zone = names(target);
        const record: RecordSet = { name: zone('exact'), type: 'A', ttl: 180, rrdatas: ['192.0.2.1', '192.0.2.2'] };
        await target.provider.applyChanges(target.zone, [{ kind: 'create', record }]);
        const held = await target.state();
        expectHolds(held, [record]);
        const wrong = { ...record, rrdatas: ['192.0.2.1'] };
        const attempts: Change[][] = [
          [{ kind: 'delete', record: wrong }],
          [{ kind: 'update', before: wrong, record: { ...record, rrdatas: ['192.0.2.3'] } }],
          [{ kind: 'create', record: { ...record, rrdatas: ['192.0.2.4'] } }],
          [{ kind: 'delete', record: { ...record, name: zone('absent') } }],
        ];
        for (const attempt of attempts) {
          const error = await target.provider.applyChanges(target.zone, attempt).catch((e: unknown) => e);
          expect(error, `${attempt[0]?.kind} should conflict`).toBeInstanceOf(ProviderError);
          expect((error as ProviderError).kind).toBe('conflict');
        }
        expect(keys(await target.state())).toEqual(keys(held));
        await target.provider.applyChanges(target.zone, [
          { kind: 'update', before: { ...record, rrdatas: ['192.0.2.2', '192.0.2.1'] }, record: wrong },
        ]);
        expectHolds(await target.state(), [wrong]);
        await target.provider.applyChanges(target.zone, [{ kind: 'delete', record: wrong }]);
        expect((await target.state()).some((r) => r.name === record.name)).toBe(false);
      }),
    );

    faultCase(
      'throttle',
      'retries throttled requests with backoff, then surfaces a throttled ProviderError with its attempts',
      async (target) => {
        const zone = names(target);
        const desired = spread(zone, 'slow', 2);
        target.throttleNext!(2);
        const sleeps: number[] = [];
        const report = await reconcile(target, desired, {
          sleep: async (ms) => {
            sleeps.push(ms);
          },
        });
        expect(report.retries).toBe(2);
        expect(sleeps).toHaveLength(2);
        expectHolds(await target.state(), desired);
        // Change requests too: throttled after the read, retried, then written.
        const more = spread(zone, 'slower', 2);
        const writes = await measure(target, () =>
          reconcile({ ...target, provider: afterFirstRead(target, async () => target.throttleNext!(2)) }, more),
        );
        expect(writes.report.retries).toBe(2);
        expect(writes.writes).toBe(writes.report.writes);
        expectHolds(await target.state(), more);
        target.throttleNext!(1_000);
        const error = await reconcile(target, []).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ProviderError);
        expect((error as ProviderError).kind).toBe('throttled');
        expect((error as ProviderError).attempts).toBe(RETRY.maxAttempts);
      },
    );

    faultCase(
      'transient',
      'retries transient failures with backoff, then surfaces a transient ProviderError with its attempts',
      async (target) => {
        const zone = names(target);
        const desired = spread(zone, 'flaky', 2);
        target.failNext!(3);
        const report = await reconcile(target, desired);
        expect(report.retries).toBe(3);
        expectHolds(await target.state(), desired);
        // Change requests too: failing after the read, retried, then written.
        const more = spread(zone, 'flakier', 2);
        const writes = await measure(target, () =>
          reconcile({ ...target, provider: afterFirstRead(target, async () => target.failNext!(2)) }, more),
        );
        expect(writes.report.retries).toBe(2);
        expectHolds(await target.state(), more);
        target.failNext!(1_000);
        const error = await reconcile(target, []).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ProviderError);
        expect((error as ProviderError).kind).toBe('transient');
        expect((error as ProviderError).attempts).toBe(RETRY.maxAttempts);
      },
    );

    it(
      're-reads and re-plans when the zone changed between read and write, never overwriting blindly',
      withTarget(async (target) => {
        const zone = names(target);
        const ours: RecordSet = { name: zone('shared'), type: 'A', ttl: 180, rrdatas: ['192.0.2.1'] };
        await reconcile(target, [ours]);
        // Between our read and our write: another writer changes our record and takes a name we are about to create.
        const meddled: RecordSet = { ...ours, rrdatas: ['198.51.100.9'] };
        const taken: RecordSet = { name: zone('taken'), type: 'A', ttl: 60, rrdatas: ['198.51.100.10'] };
        const provider = afterFirstRead(target, () =>
          target.writeBehind([
            { kind: 'update', before: ours, record: meddled },
            { kind: 'create', record: taken },
          ]),
        );
        const desired: RecordSet[] = [
          { ...ours, rrdatas: ['192.0.2.2'] },
          { name: zone('taken'), type: 'A', ttl: 180, rrdatas: ['192.0.2.3'] },
        ];
        const report = await reconcile({ ...target, provider }, desired);
        expect(report.replans).toBeGreaterThanOrEqual(1);
        expect(report.reads).toBe(report.replans + 1);
        const state = await target.state();
        expectHolds(state, [desired[0]!]);
        expect(report.conflicts.map((conflict) => conflict.name)).toEqual([zone('taken')]);
        expectHolds(state, [taken]);
        expect(state.some((record) => record.name === ownershipRecordName(zone('taken')))).toBe(false);
      }),
    );

    it(
      'plans without writing on a dry run',
      withTarget(async (target) => {
        const zone = names(target);
        const before = await target.state();
        const requests = await target.requests();
        const report = await reconcile(target, basicRecords(zone), { dryRun: true });
        expect(report.changes.length).toBeGreaterThan(0);
        expect(report.writes).toBe(0);
        expect((await target.requests()).writes).toBe(requests.writes);
        expect(keys(await target.state())).toEqual(keys(before));
      }),
    );

    if (options.aliasTargets === undefined) {
      it(
        'has no canAlias, and an ALIAS record set is refused before anything is written',
        withTarget(async (target) => {
          expect(target.provider.canAlias).toBeUndefined();
          const zone = names(target);
          const before = await target.requests();
          const error = await reconcile(target, [{ name: zone('lb'), type: 'ALIAS', ttl: 180, rrdatas: ['lb-1.example.net.'] }]).catch(
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).field).toBe('desired[0].type');
          expect((await target.requests()).writes).toBe(before.writes);
        }),
      );
    } else {
      const hosts = options.aliasTargets;
      it(
        'creates, updates and deletes ALIAS record sets of hostnames and addresses, writing nothing when they hold',
        withTarget(async (target) => {
          const { canAlias } = target.provider;
          expect(canAlias, 'a provider given aliasTargets must have canAlias').toBeTypeOf('function');
          expect(hosts.length, 'aliasTargets: three or more hostnames').toBeGreaterThanOrEqual(3);
          for (const host of hosts) expect(canAlias?.(host), `canAlias(${host})`).toBe(true);
          expect(canAlias?.(names(target)('not-a-load-balancer'))).toBe(false);
          const zone = names(target);
          const before = await target.state();
          const [h1, h2, h3] = hosts as [string, string, string];
          const first: RecordSet[] = [
            { name: zone('lb'), type: 'ALIAS', ttl: 180, rrdatas: [h1, h2, '192.0.2.1'] },
            { name: zone('lb-zone'), type: 'CNAME', ttl: 180, rrdatas: [zone('lb')] },
            // Hostnames only: a provider may keep no ttl of its own for it.
            { name: zone('lb-only'), type: 'ALIAS', ttl: 180, rrdatas: [h1] },
          ];
          await reconcile(target, first);
          expectListed(await target.provider.records(target.zone), first);
          expectMarked(await target.state(), first);
          // Held as written: no write, whatever ttl the provider reports for an ALIAS set.
          const again = await measure(target, () => reconcile(target, first));
          expect(again.report.changes).toEqual([]);
          expect(again.writes).toBe(0);
          const moved: RecordSet[] = [{ ...first[0]!, rrdatas: [h3, h2, '2001:db8::1'] }, first[1]!, first[2]!];
          const updated = await measure(target, () => reconcile(target, moved));
          // The marker is rewritten as read beside it, so that the update holds only while the name is ours.
          expect(updated.report.changes.map((c) => `${c.kind} ${c.record.type}`)).toEqual(['update ALIAS', 'update TXT']);
          expectListed(await target.provider.records(target.zone), moved);
          // From ALIAS to plain addresses and back: the name never holds both.
          const plain: RecordSet[] = [{ name: zone('lb'), type: 'A', ttl: 180, rrdatas: ['192.0.2.2'] }, first[1]!, first[2]!];
          await reconcile(target, plain);
          const listed = await target.provider.records(target.zone);
          expectListed(listed, plain);
          expect(listed.filter((r) => r.name === zone('lb')).map((r) => r.type)).toEqual(['A']);
          await reconcile(target, moved);
          expectListed(await target.provider.records(target.zone), moved);
          await reconcile(target, []);
          expect(keys(await target.state())).toEqual(keys(before));
        }),
      );

      it(
        'refuses an ALIAS target the provider cannot alias, and an ALIAS set beside an A set, before anything is written',
        withTarget(async (target) => {
          const zone = names(target);
          const before = await target.requests();
          const stranger = zone('not-a-load-balancer');
          const desired: RecordSet[] = [{ name: zone('lb'), type: 'ALIAS', ttl: 180, rrdatas: [hosts[0]!, stranger] }];
          const error = await reconcile(target, desired).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).field).toBe('desired[0].rrdatas[1]');
          expect((error as ValidationError).value).toBe(stranger);
          const beside = await reconcile(target, [
            { ...desired[0]!, rrdatas: [hosts[0]!] },
            { name: zone('lb'), type: 'A', ttl: 180, rrdatas: ['192.0.2.1'] },
          ]).catch((e: unknown) => e);
          expect(beside).toBeInstanceOf(ValidationError);
          expect((beside as ValidationError).field).toBe('desired[1]');
          expect((await target.requests()).writes).toBe(before.writes);
        }),
      );
    }

    it(
      'touches only the names in scope',
      withTarget(async (target) => {
        const zone = names(target);
        const desired = spread(zone, 'scoped', 4);
        await reconcile(target, desired);
        const keep = desired[0]!.name;
        await reconcile(target, [], { scope: (name) => name !== keep });
        const state = await target.state();
        expectHolds(state, [desired[0]!]);
        expectMarked(state, [desired[0]!]);
        for (const gone of desired.slice(1)) expect(state.some((record) => record.name === gone.name)).toBe(false);
      }),
    );
  });
}

// ---- helpers ------------------------------------------------------------------------------

type Zoned = Pick<ConformanceTarget, 'provider' | 'zone'>;

function reconcile(target: Zoned, desired: readonly RecordSet[], extra: Partial<ReconcileOptions> = {}): Promise<ReconcileReport> {
  return reconcileZone({
    provider: target.provider,
    zone: target.zone,
    desired,
    ownerId: OWNER,
    retry: RETRY,
    sleep: async () => {},
    random: () => 0.5,
    ...extra,
  });
}

const names =
  (target: Zoned) =>
  (label: string): string =>
    `${label}.${target.zone.dnsName}`;

function basicRecords(zone: (label: string) => string): RecordSet[] {
  return [
    { name: zone('www'), type: 'A', ttl: 180, rrdatas: ['192.0.2.10', '192.0.2.20'] },
    { name: zone('www'), type: 'AAAA', ttl: 180, rrdatas: ['2001:db8::1'] },
    { name: zone('alias'), type: 'CNAME', ttl: 180, rrdatas: [zone('www')] },
    { name: zone('txt'), type: 'TXT', ttl: 180, rrdatas: ['"hello world"'] },
  ];
}

/** `count` A record sets at names `<prefix>-0000`, `<prefix>-0001`, … */
function spread(zone: (label: string) => string, prefix: string, count: number): RecordSet[] {
  return Array.from({ length: count }, (_, i) => ({
    name: zone(`${prefix}-${String(i).padStart(4, '0')}`),
    type: 'A' as const,
    ttl: 180,
    rrdatas: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
  }));
}

const pageCount = (target: ConformanceTarget): number => (Number.isFinite(target.pageSize) ? target.pageSize : 10);
const pages = (target: ConformanceTarget, held: number): number =>
  Number.isFinite(target.pageSize) ? Math.max(1, Math.ceil(held / target.pageSize)) : 1;

/** `name type ttl rrdatas` of each record set, rrdatas sorted: order-insensitive comparison. */
function keys(records: readonly RecordSet<string>[]): string[] {
  return records.map((record) => `${record.name} ${record.type} ${record.ttl} ${[...record.rrdatas].sort().join(' ')}`).sort();
}

function expectHolds(state: readonly RecordSet<string>[], wanted: readonly RecordSet<string>[]): void {
  const held = new Set(keys(state));
  const missing = keys(wanted).filter((key) => !held.has(key));
  expect(missing, 'record sets missing from the backend').toEqual([]);
}

/** `wanted` as the adapter lists it; an ALIAS set by its targets (as a set), its ttl aside. */
function expectListed(listed: readonly RecordSet<string>[], wanted: readonly RecordSet<string>[]): void {
  const alias = (records: readonly RecordSet<string>[]) =>
    records.map((record) =>
      record.type === 'ALIAS' ? { ...record, ttl: 0, rrdatas: record.rrdatas.map((rrdata) => canonicalRdata('ALIAS', rrdata)) } : record,
    );
  expectHolds(alias(listed), alias(wanted));
}

function expectMarked(state: readonly RecordSet<string>[], wanted: readonly RecordSet<string>[]): void {
  const markers = new Set(state.filter((record) => record.type === 'TXT').map((record) => record.name));
  const unmarked = [...new Set(wanted.map((record) => record.name))].filter((name) => !markers.has(ownershipRecordName(name)));
  expect(unmarked, 'names without an ownership marker').toEqual([]);
}

function isOurs(record: RecordSet<string>, desired: readonly RecordSet[]): boolean {
  return desired.some((wanted) => wanted.name === record.name || ownershipRecordName(wanted.name) === record.name);
}

function expectNoDanglingCname(state: readonly RecordSet<string>[], apex: string): void {
  const held = new Set(state.map((record) => record.name));
  const dangling = state
    .filter((record) => record.type === 'CNAME')
    .filter((record) => record.rrdatas.some((target) => (target === apex || target.endsWith(`.${apex}`)) && !held.has(target)))
    .map((record) => `${record.name} → ${record.rrdatas.join(' ')}`);
  expect(dangling, 'CNAMEs pointing at names the zone does not hold').toEqual([]);
}

/** The provider, checking the backend after every successful write. */
function observed(target: ConformanceTarget, check: () => Promise<void>): DnsProvider {
  const inner = target.provider;
  return {
    name: inner.name,
    limits: inner.limits,
    zones: () => inner.zones(),
    records: (zone) => inner.records(zone),
    applyChanges: async (zone, changes) => {
      await inner.applyChanges(zone, changes);
      await check();
    },
  };
}

/** The provider, with `meddle` run once, right after its first full read. */
function afterFirstRead(target: ConformanceTarget, meddle: () => Promise<void>): DnsProvider {
  const inner = target.provider;
  let done = false;
  return {
    name: inner.name,
    limits: inner.limits,
    zones: () => inner.zones(),
    records: async (zone) => {
      const records = await inner.records(zone);
      if (!done) {
        done = true;
        await meddle();
      }
      return records;
    },
    applyChanges: (zone, changes) => inner.applyChanges(zone, changes),
  };
}

interface Measured {
  readonly report: ReconcileReport;
  readonly writes: number;
}

async function measure(target: ConformanceTarget, run: () => Promise<ReconcileReport>): Promise<Measured> {
  const before = await target.requests();
  const report = await run();
  const after = await target.requests();
  expect(report.writes).toBe(after.writes - before.writes);
  return { report, writes: after.writes - before.writes };
}

interface Costs {
  readonly changes: number;
  readonly rrdatas: number;
  readonly chars: number;
}

/** The cost of each name's group of changes, in the units of ProviderLimits. */
function groupCosts(changes: readonly Change[]): Costs[] {
  const groups = new Map<string, { changes: number; rrdatas: number; chars: number }>();
  for (const change of changes) {
    const subject = ownershipSubject(change.record.name);
    const cost = groups.get(subject) ?? { changes: 0, rrdatas: 0, chars: 0 };
    for (const side of change.kind === 'update' ? [change.before, change.record] : [change.record]) {
      cost.changes++;
      cost.rrdatas += side.rrdatas.length;
      cost.chars += side.rrdatas.reduce((sum, rrdata) => sum + rrdata.length, 0);
    }
    groups.set(subject, cost);
  }
  return [...groups.values()];
}

/**
 * At least the requests the totals need; at most that, give or take the room lost to groups
 * that did not fit the end of a request, plus one.
 */
function expectRequestCount(measured: Measured, limits: DnsProvider['limits'], costs: readonly Costs[]): void {
  const dimensions = [
    ['changes', limits.maxChangesPerRequest],
    ['rrdatas', limits.maxRrdatasPerRequest],
    ['chars', limits.maxRrdataCharsPerRequest],
  ] as const;
  let lower = 1;
  let upper = 0;
  for (const [dimension, limit] of dimensions) {
    const total = costs.reduce((sum, cost) => sum + cost[dimension], 0);
    const largest = Math.max(...costs.map((cost) => cost[dimension]));
    lower = Math.max(lower, Math.ceil(total / limit));
    upper += total / (limit - largest + 1);
  }
  expect(measured.writes).toBeGreaterThanOrEqual(lower);
  expect(measured.writes).toBeLessThanOrEqual(Math.ceil(upper) + 1);
}
