// The fixture's routing policies hold to Cloud DNS's documented rules, checked through the real
// @google-cloud/dns SDK (as the adapter builds it): each rule once kept and once broken, and
// property tests over random change sequences.
import type { DNS, Zone } from '@google-cloud/dns';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDns } from '../src/sdk.js';
import { type CloudDnsServer, type FixtureOptions, startCloudDnsServer } from '../src/testing/index.js';
import { optionsFor } from './helpers.js';

let fixture: CloudDnsServer;
let dns: DNS;
let zone: Zone;

async function start(options: FixtureOptions = {}): Promise<void> {
  fixture = await startCloudDnsServer(options);
  fixture.createZone('example-com', 'example.com.');
  dns = createDns(optionsFor(fixture));
  zone = dns.zone('example-com');
}

beforeEach(() => start());
afterEach(() => fixture.close());

/** A record set as the API's JSON: rrdatas, or a routing policy. */
interface Rrset {
  readonly name: string;
  readonly type?: string;
  readonly ttl?: number;
  readonly rrdatas?: readonly string[];
  readonly routingPolicy?: unknown;
}

const sdkRecord = (r: Rrset) => {
  const { type = 'A', rrdatas, ...rest } = r;
  return zone.record(type.toLowerCase(), { ttl: 60, ...rest, ...(rrdatas === undefined ? {} : { data: [...rrdatas] }) });
};

const change = (add: readonly Rrset[], remove: readonly Rrset[] = []) =>
  zone.createChange({ add: add.map(sdkRecord), delete: remove.map(sdkRecord) });

const wrr = (...items: [number, ...string[]][]) => ({ wrr: { items: items.map(([weight, ...rrdatas]) => ({ weight, rrdatas })) } });
const geo = (items: [string, ...string[]][], enableFencing?: boolean) => ({
  geo: { items: items.map(([location, ...rrdatas]) => ({ location, rrdatas })), ...(enableFencing === undefined ? {} : { enableFencing }) },
});

interface Refusal {
  readonly code: number;
  readonly reasons: string[];
  readonly messages: string[];
}

async function refusal(promise: Promise<unknown>): Promise<Refusal> {
  const e = (await promise.then(
    () => undefined,
    (x: unknown) => x,
  )) as { code?: number; errors?: { reason: string; message: string }[] } | undefined;
  expect(e, 'the change should have been refused').toBeDefined();
  return { code: e?.code ?? 0, reasons: (e?.errors ?? []).map((d) => d.reason), messages: (e?.errors ?? []).map((d) => d.message) };
}

/** Every record set through the SDK, `pageSize` a page, as the API lists them. */
async function listAll(pageSize?: number): Promise<Rrset[]> {
  const all: Rrset[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < 1000; page += 1) {
    const [records, next] = (await zone.getRecords({ autoPaginate: false, maxResults: pageSize, pageToken })) as unknown as [
      { metadata: Rrset & { kind?: string } }[],
      { pageToken?: string } | null,
    ];
    all.push(...records.map(({ metadata: { kind, ...rrset } }) => rrset));
    pageToken = next?.pageToken;
    if (pageToken === undefined) return all;
  }
  throw new Error('listing did not end');
}

const at = async (name: string) => (await listAll()).filter((r) => r.name === name);

describe('a routed record set', () => {
  it('is written with no rrdatas and listed back with its policy', async () => {
    await change([{ name: 'svc.example.com.', routingPolicy: wrr([1, '192.0.2.1'], [3, '192.0.2.2', '192.0.2.3']) }]);
    expect(await at('svc.example.com.')).toEqual([
      {
        name: 'svc.example.com.',
        type: 'A',
        ttl: 60,
        routingPolicy: {
          kind: 'dns#rRSetRoutingPolicy',
          wrr: {
            kind: 'dns#rRSetRoutingPolicyWrrPolicy',
            items: [
              { kind: 'dns#rRSetRoutingPolicyWrrPolicyWrrPolicyItem', weight: 1, rrdatas: ['192.0.2.1'] },
              { kind: 'dns#rRSetRoutingPolicyWrrPolicyWrrPolicyItem', weight: 3, rrdatas: ['192.0.2.2', '192.0.2.3'] },
            ],
          },
        },
      },
    ]);
  });

  it('with rrdatas beside its policy is 400 invalid, and nothing is written', async () => {
    const e = await refusal(
      change([
        { name: 'ok.example.com.', rrdatas: ['192.0.2.9'] },
        { name: 'svc.example.com.', rrdatas: ['192.0.2.1'], routingPolicy: wrr([1, '192.0.2.1']) },
      ]),
    );
    expect(e).toEqual({
      code: 400,
      reasons: ['invalid'],
      messages: [
        "The resource record set 'entity.change.additions[1]' is invalid because it has both rrdatas and a routingPolicy: a record set may have either, but not both.",
      ],
    });
    expect(await at('ok.example.com.')).toEqual([]);
  });

  it('holds exactly one of geo, wrr and primaryBackup', async () => {
    const none = await refusal(change([{ name: 'svc.example.com.', routingPolicy: {} }]));
    expect(none).toMatchObject({
      code: 400,
      reasons: ['invalid'],
      messages: ["Invalid value for 'entity.change.additions[0].routingPolicy': 'no routing data'"],
    });
    const two = await refusal(
      change([{ name: 'svc.example.com.', routingPolicy: { ...wrr([1, '192.0.2.1']), ...geo([['us-east1', '192.0.2.2']]) } }]),
    );
    expect(two.messages).toEqual(["Invalid value for 'entity.change.additions[0].routingPolicy': 'geo and wrr'"]);
    await change([{ name: 'svc.example.com.', routingPolicy: geo([['us-east1', '192.0.2.2']]) }]);
  });

  it("checks each item's rrdatas as the type's: present, valid, none twice", async () => {
    const bad = await refusal(change([{ name: 'svc.example.com.', routingPolicy: wrr([1, '192.0.2.1'], [1, 'not-an-address']) }]));
    expect(bad.messages).toEqual(["Invalid value for 'entity.change.additions[0].routingPolicy.wrr.items[1].rrdata[0]': 'not-an-address'"]);
    const missing = await refusal(change([{ name: 'svc.example.com.', routingPolicy: { wrr: { items: [{ weight: 1 }] } } }]));
    expect(missing).toMatchObject({
      reasons: ['required'],
      messages: ["The 'entity.change.additions[0].routingPolicy.wrr.items[0].rrdata' parameter is required but was missing."],
    });
    await change([{ name: 'svc.example.com.', type: 'TXT', routingPolicy: wrr([1, '"a b"']) }]);
  });
});

describe('wrr items', () => {
  it('take any non-negative weight, fractions and 0 included; a negative one is 400 invalid, a missing one required', async () => {
    await change([{ name: 'svc.example.com.', routingPolicy: wrr([0, '192.0.2.1'], [0.25, '192.0.2.2'], [1e6, '192.0.2.3']) }]);
    const negative = await refusal(change([{ name: 'neg.example.com.', routingPolicy: wrr([1, '192.0.2.1'], [-1, '192.0.2.2']) }]));
    expect(negative).toEqual({
      code: 400,
      reasons: ['invalid'],
      messages: ["Invalid value for 'entity.change.additions[0].routingPolicy.wrr.items[1].weight': '-1'"],
    });
    const missing = await refusal(change([{ name: 'neg.example.com.', routingPolicy: { wrr: { items: [{ rrdatas: ['192.0.2.1'] }] } } }]));
    expect(missing.reasons).toEqual(['required']);
    const empty = await refusal(change([{ name: 'neg.example.com.', routingPolicy: { wrr: { items: [] } } }]));
    expect(empty.messages).toEqual(["The 'entity.change.additions[0].routingPolicy.wrr.items' parameter is required but was missing."]);
  });
});

describe('geo items', () => {
  it('name Google Cloud regions, each once; enableFencing is optional and kept', async () => {
    await change([
      {
        name: 'svc.example.com.',
        routingPolicy: geo(
          [
            ['us-central1', '192.0.2.1'],
            ['europe-west1', '192.0.2.2'],
          ],
          true,
        ),
      },
    ]);
    expect((await at('svc.example.com.'))[0]?.routingPolicy).toMatchObject({
      geo: { enableFencing: true, items: [{ location: 'us-central1' }, { location: 'europe-west1' }] },
    });
    const unknown = await refusal(change([{ name: 'x.example.com.', routingPolicy: geo([['us-east-1', '192.0.2.1']]) }]));
    expect(unknown.messages).toEqual(["Invalid value for 'entity.change.additions[0].routingPolicy.geo.items[0].location': 'us-east-1'"]);
    const twice = await refusal(
      change([
        {
          name: 'x.example.com.',
          routingPolicy: geo([
            ['us-east1', '192.0.2.1'],
            ['us-east1', '192.0.2.2'],
          ]),
        },
      ]),
    );
    expect(twice.messages).toEqual(["Invalid value for 'entity.change.additions[0].routingPolicy.geo.items[1].location': 'us-east1'"]);
    const fencing = await refusal(
      change([
        {
          name: 'x.example.com.',
          routingPolicy: { geo: { items: [{ location: 'us-east1', rrdatas: ['192.0.2.1'] }], enableFencing: 'yes' } },
        },
      ]),
    );
    expect(fencing.reasons).toEqual(['invalid']);
  });
});

describe('primaryBackup', () => {
  const healthCheck = 'https://www.googleapis.com/compute/v1/projects/fedsvc-fixture/global/healthChecks/svc';
  const primaryBackup = (endpoints: string[], trickleTraffic?: number) => ({
    healthCheck,
    primaryBackup: {
      primaryTargets: { externalEndpoints: endpoints },
      backupGeoTargets: geo([['us-east1', '192.0.2.9']]).geo,
      ...(trickleTraffic === undefined ? {} : { trickleTraffic }),
    },
  });

  it('health-checks external endpoints of the type, fails over to geo backups, and is listed and deleted as held', async () => {
    await change([{ name: 'svc.example.com.', routingPolicy: primaryBackup(['192.0.2.1', '192.0.2.2'], 0.1) }]);
    expect(withoutKinds((await at('svc.example.com.'))[0]?.routingPolicy)).toEqual(primaryBackup(['192.0.2.1', '192.0.2.2'], 0.1));
    const stale = await refusal(change([], [{ name: 'svc.example.com.', routingPolicy: primaryBackup(['192.0.2.1', '192.0.2.2'], 0.2) }]));
    expect(stale.code).toBe(412);
    await change([], [{ name: 'svc.example.com.', routingPolicy: primaryBackup(['192.0.2.2', '192.0.2.1'], 0.1) }]);
  });

  it('without its health check, with an endpoint not of the type, a trickle outside 0 to 1, or internal load balancers, is refused', async () => {
    const { healthCheck: _, ...unchecked } = primaryBackup(['192.0.2.1']);
    const missing = await refusal(change([{ name: 'svc.example.com.', routingPolicy: unchecked }]));
    expect(missing).toMatchObject({
      code: 400,
      messages: ["The 'entity.change.additions[0].routingPolicy.healthCheck' parameter is required but was missing."],
    });
    const v6 = await refusal(change([{ name: 'svc.example.com.', routingPolicy: primaryBackup(['2001:db8::1']) }]));
    expect(v6.messages).toEqual([
      "Invalid value for 'entity.change.additions[0].routingPolicy.primaryBackup.primaryTargets.externalEndpoints[0]': '2001:db8::1'",
    ]);
    const trickle = await refusal(change([{ name: 'svc.example.com.', routingPolicy: primaryBackup(['192.0.2.1'], 1.5) }]));
    expect(trickle.messages).toEqual(["Invalid value for 'entity.change.additions[0].routingPolicy.primaryBackup.trickleTraffic': '1.5'"]);
    const lb = primaryBackup(['192.0.2.1']);
    const internal = await refusal(
      change([
        {
          name: 'svc.example.com.',
          routingPolicy: { ...lb, primaryBackup: { ...lb.primaryBackup, primaryTargets: { internalLoadBalancers: [{}] } } },
        },
      ]),
    );
    expect(internal.reasons).toEqual(['invalid']);
    await change([
      {
        name: 'svc.example.com.',
        type: 'AAAA',
        routingPolicy: {
          ...primaryBackup(['2001:db8::1']),
          primaryBackup: { ...primaryBackup(['2001:db8::1']).primaryBackup, backupGeoTargets: geo([['us-east1', '2001:db8::9']]).geo },
        },
      },
    ]);
  });
});

describe('a name and type holds one record set, plain or routed, never both', () => {
  it('a routed addition where a plain set is held is 409 alreadyExists, and the other way round', async () => {
    await change([
      { name: 'plain.example.com.', rrdatas: ['192.0.2.1'] },
      { name: 'routed.example.com.', routingPolicy: wrr([1, '192.0.2.1']) },
    ]);
    const routed = await refusal(change([{ name: 'plain.example.com.', routingPolicy: wrr([1, '192.0.2.2']) }]));
    expect(routed).toEqual({
      code: 409,
      reasons: ['alreadyExists'],
      messages: ["The resource 'entity.change.additions[0]' named 'plain.example.com. (A)' already exists"],
    });
    const plain = await refusal(change([{ name: 'routed.example.com.', rrdatas: ['192.0.2.2'] }]));
    expect(plain.reasons).toEqual(['alreadyExists']);
  });

  it('one change may replace a plain set with a routed one, and back', async () => {
    const plain = { name: 'svc.example.com.', rrdatas: ['192.0.2.1'] };
    const routed = {
      name: 'svc.example.com.',
      routingPolicy: geo([
        ['us-east1', '192.0.2.1'],
        ['asia-east1', '192.0.2.2'],
      ]),
    };
    await change([plain]);
    await change([routed], [plain]);
    expect((await at('svc.example.com.'))[0]?.rrdatas).toBeUndefined();
    await change([plain], [routed]);
    expect(await at('svc.example.com.')).toEqual([{ ...plain, type: 'A', ttl: 60 }]);
  });
});

describe('a deletion of a routed record set', () => {
  it('must match its policy exactly (412 conditionNotMet otherwise); the set as listed deletes it', async () => {
    await change([{ name: 'svc.example.com.', routingPolicy: wrr([1, '192.0.2.1'], [2, '192.0.2.2']) }]);
    for (const stale of [
      wrr([1, '192.0.2.1'], [3, '192.0.2.2']),
      wrr([2, '192.0.2.2'], [1, '192.0.2.1']),
      geo([['us-east1', '192.0.2.1']]),
    ]) {
      const e = await refusal(change([], [{ name: 'svc.example.com.', routingPolicy: stale }]));
      expect(e).toEqual({ code: 412, reasons: ['conditionNotMet'], messages: ["Precondition not met for 'entity.change.deletions[0]'"] });
    }
    const asPlain = await refusal(change([], [{ name: 'svc.example.com.', rrdatas: ['192.0.2.1', '192.0.2.2'] }]));
    expect(asPlain.code).toBe(412);
    const [listed] = (await zone.getRecords({ autoPaginate: false })) as unknown as [{ metadata: Rrset }[]];
    const held = listed.filter((r) => r.metadata.name === 'svc.example.com.');
    await zone.createChange({ delete: held as never });
    expect(await at('svc.example.com.')).toEqual([]);
  });
});

describe('quotas', () => {
  it("a routed set's items count toward the rrdata bytes of a change, each item toward rrdatas per record set", async () => {
    await fixture.close();
    await start({ limits: { rrdataBytesPerChange: 40, rrdatasPerRrset: 2 } });
    // Four 9-byte addresses: 36 bytes, two per item.
    await change([{ name: 'a.example.com.', routingPolicy: wrr([1, '192.0.2.1', '192.0.2.2'], [1, '192.0.2.3', '192.0.2.4']) }]);
    const bytes = await refusal(
      change([
        { name: 'b.example.com.', routingPolicy: wrr([1, '192.0.2.1', '192.0.2.2'], [1, '192.0.2.3', '192.0.2.4'], [1, '192.0.2.5']) },
      ]),
    );
    expect(bytes).toEqual({
      code: 403,
      reasons: ['quotaExceeded'],
      messages: ['The change would exceed quota for total rrdata size per change.'],
    });
    const perItem = await refusal(
      change([{ name: 'b.example.com.', routingPolicy: geo([['us-east1', '192.0.2.1', '192.0.2.2', '192.0.2.3']]) }]),
    );
    expect(perItem.messages).toEqual(['The change would exceed quota for resource records per rrset.']);
  });
});

// Property tests: a model of the zone's record sets, driven by random changes that are valid by
// construction, against what the fixture lists back through the SDK.
const NAMES = ['a.example.com.', 'b.example.com.', 'c.example.com.'];
const LOCATIONS = ['us-central1', 'us-east1', 'europe-west1', 'asia-east1'];
const address = fc.integer({ min: 1, max: 254 }).map((n) => `192.0.2.${n}`);
const addresses = fc.uniqueArray(address, { minLength: 1, maxLength: 3 });

/** Any valid record set at `name`: plain, wrr, geo or primaryBackup. */
const rrsetAt = (name: string): fc.Arbitrary<Rrset> =>
  fc.oneof(
    addresses.map((rrdatas) => ({ name, type: 'A', ttl: 60, rrdatas })),
    fc.array(fc.tuple(fc.double({ min: 0, max: 1000, noNaN: true }), addresses), { minLength: 1, maxLength: 4 }).map((items) => ({
      name,
      type: 'A',
      ttl: 60,
      routingPolicy: { wrr: { items: items.map(([weight, rrdatas]) => ({ weight, rrdatas })) } },
    })),
    fc
      .tuple(
        fc.shuffledSubarray(LOCATIONS, { minLength: 1 }),
        fc.array(addresses, { minLength: 4, maxLength: 4 }),
        fc.option(fc.boolean(), { nil: undefined }),
      )
      .map(([locations, data, enableFencing]) => ({
        name,
        type: 'A',
        ttl: 60,
        routingPolicy: {
          geo: {
            items: locations.map((location, i) => ({ location, rrdatas: data[i] ?? [] })),
            ...(enableFencing === undefined ? {} : { enableFencing }),
          },
        },
      })),
    fc
      .tuple(
        addresses,
        fc.shuffledSubarray(LOCATIONS, { minLength: 1 }),
        addresses,
        fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
      )
      .map(([endpoints, locations, backup, trickleTraffic]) => ({
        name,
        type: 'A',
        ttl: 60,
        routingPolicy: {
          healthCheck: 'https://www.googleapis.com/compute/v1/projects/fedsvc-fixture/global/healthChecks/svc',
          primaryBackup: {
            primaryTargets: { externalEndpoints: endpoints },
            backupGeoTargets: { items: locations.map((location) => ({ location, rrdatas: backup })) },
            ...(trickleTraffic === undefined ? {} : { trickleTraffic }),
          },
        },
      })),
  );

/** One step: at a name, the set to hold next (undefined: none). */
const step = fc
  .nat({ max: NAMES.length - 1 })
  .chain((i) => fc.tuple(fc.constant(NAMES[i] as string), fc.option(rrsetAt(NAMES[i] as string), { nil: undefined })));

const withoutKinds = (value: unknown) => JSON.parse(JSON.stringify(value, (key, v) => (key === 'kind' ? undefined : v)));

/** A random violation of one documented rule, at `name`, given what the name holds. */
const violation = (name: string, held: Rrset | undefined): fc.Arbitrary<Rrset> =>
  fc.constantFrom<Rrset>(
    { name, routingPolicy: wrr([1, '192.0.2.1'], [-0.5, '192.0.2.2']) },
    { name, rrdatas: ['192.0.2.1'], routingPolicy: wrr([1, '192.0.2.1']) },
    {
      name,
      routingPolicy: geo([
        ['us-east1', '192.0.2.1'],
        ['us-east1', '192.0.2.2'],
      ]),
    },
    { name, routingPolicy: geo([['eu-west-1', '192.0.2.1']]) },
    { name, routingPolicy: { ...wrr([1, '192.0.2.1']), ...geo([['us-east1', '192.0.2.1']]) } },
    held === undefined ? { name, routingPolicy: wrr([1, '256.0.0.1']) } : { name, routingPolicy: wrr([1, '192.0.2.7']) },
  );

describe('properties', () => {
  let zones = 0;

  it('any sequence of valid changes, plain and routed, lists back exactly in pages of any size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 4 }), async (steps, pageSize) => {
        zone = dns.zone(fixture.createZone(`sequence-${(zones += 1)}`, 'example.com.').name);
        const model = new Map<string, Rrset>();
        for (const [name, next] of steps) {
          const held = model.get(name);
          if (held === undefined && next === undefined) continue;
          await change(next === undefined ? [] : [next], held === undefined ? [] : [held]);
          if (next === undefined) model.delete(name);
          else model.set(name, next);
        }
        const listed = (await listAll(pageSize)).filter((r) => r.name !== 'example.com.');
        expect(withoutKinds(listed)).toEqual(withoutKinds(NAMES.flatMap((name) => (model.has(name) ? [model.get(name)] : []))));
      }),
      { numRuns: 25 },
    );
  });

  it('a change with one rule broken anywhere in it is refused whole: nothing is written', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .option(rrsetAt('svc.example.com.'), { nil: undefined })
          .chain((held) => fc.tuple(fc.constant(held), violation('svc.example.com.', held))),
        fc.nat(),
        fc.array(rrsetAt('free.example.com.'), { maxLength: 3 }),
        async ([held, bad], position, others) => {
          zone = dns.zone(fixture.createZone(`refused-${(zones += 1)}`, 'example.com.').name);
          if (held !== undefined) await change([held]);
          const valid = others.map((r, i) => ({ ...r, name: `free${i}.example.com.` }));
          const additions = [...valid];
          additions.splice(position % (valid.length + 1), 0, bad);
          const before = await listAll();
          const e = await refusal(change(additions));
          expect([400, 409]).toContain(e.code);
          expect(await listAll()).toEqual(before);
        },
      ),
      { numRuns: 25 },
    );
  });
});
