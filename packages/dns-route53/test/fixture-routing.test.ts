// The fixture's routing-policy records hold to Route 53's documented rules, checked through the
// real SDK: each rule once kept and once broken, and property tests over random change sequences.
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandOutput,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURE_CREDENTIALS, type HostedZone, type Route53Fixture, startRoute53Fixture } from '../src/testing/index.js';

let fixture: Route53Fixture;
let client: Route53Client;
let zone: HostedZone;

const clientFor = (f: Route53Fixture) =>
  new Route53Client({ endpoint: f.url, region: 'us-east-1', credentials: FIXTURE_CREDENTIALS, maxAttempts: 1 });

beforeAll(async () => {
  fixture = await startRoute53Fixture();
  client = clientFor(fixture);
});
afterAll(async () => {
  client.destroy();
  await fixture.close();
});
beforeEach(() => {
  zone = fixture.createZone(`z${Math.random().toString(36).slice(2, 8)}.example.com`);
});

type Routing = Omit<ResourceRecordSet, 'Name' | 'Type' | 'TTL' | 'ResourceRecords'>;

/** An A record at `label` under the zone: simple without routing, routed with it. */
const record = (label: string, routing: Routing = {}, ttl = 60, ...values: string[]): ResourceRecordSet => ({
  Name: `${label}.${zone.name}`,
  Type: 'A',
  TTL: ttl,
  ResourceRecords: (values.length > 0 ? values : ['192.0.2.1']).map((Value) => ({ Value })),
  ...routing,
});
const create = (r: ResourceRecordSet): Change => ({ Action: 'CREATE', ResourceRecordSet: r });
const remove = (r: ResourceRecordSet): Change => ({ Action: 'DELETE', ResourceRecordSet: r });

const sendTo = (c: Route53Client, zoneId: string, changes: Change[]) =>
  c.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } }));
const send = (...changes: Change[]) => sendTo(client, zone.id, changes);

async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  const e = (await promise.then(
    () => undefined,
    (x: unknown) => x,
  )) as { name: string; message: string; $metadata?: { httpStatusCode?: number } } | undefined;
  expect(e, 'the request should have been refused').toBeDefined();
  return { name: e?.name ?? '', message: e?.message ?? '', status: e?.$metadata?.httpStatusCode };
}

/** Every record of the zone through the SDK, `pageSize` at a time, following NextRecordName/Type/Identifier. */
async function listAll(c: Route53Client, zoneId: string, pageSize: number): Promise<ResourceRecordSet[]> {
  const all: ResourceRecordSet[] = [];
  let start: Pick<ListResourceRecordSetsCommandOutput, 'NextRecordName' | 'NextRecordType' | 'NextRecordIdentifier'> = {};
  for (let page = 0; page < 10_000; page += 1) {
    const out = await c.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        MaxItems: pageSize,
        StartRecordName: start.NextRecordName,
        StartRecordType: start.NextRecordType,
        StartRecordIdentifier: start.NextRecordIdentifier,
      }),
    );
    all.push(...(out.ResourceRecordSets ?? []));
    if (!out.IsTruncated) return all;
    start = out;
  }
  throw new Error('listing did not end');
}

const listed = async (label: string) => (await listAll(client, zone.id, 300)).filter((r) => r.Name === `${label}.${zone.name}`);

describe('a routing-policy record needs its SetIdentifier and exactly one policy', () => {
  it('a Weight without a SetIdentifier is InvalidInput; with one it is written', async () => {
    const e = await failure(send(create(record('w', { Weight: 1 }))));
    expect(e).toMatchObject({ name: 'InvalidInput', status: 400 });
    expect(e.message).toBe(
      `Invalid request: Missing field 'SetIdentifier' in Change with [Action=CREATE, Name=w.${zone.name}, Type=A, SetIdentifier=null]`,
    );
    await send(create(record('w', { Weight: 1, SetIdentifier: 'one' })));
    expect(await listed('w')).toMatchObject([{ SetIdentifier: 'one', Weight: 1 }]);
  });

  it('a SetIdentifier with no policy, or with two, is InvalidInput', async () => {
    const none = await failure(send(create(record('x', { SetIdentifier: 'one' }))));
    expect(none.message).toContain(
      'Expected exactly one of [Weight, Region, Failover, GeoLocation, MultiValueAnswer, or CidrRoutingConfig], but found none',
    );
    const two = await failure(send(create(record('x', { SetIdentifier: 'one', Weight: 1, Region: 'us-east-1' }))));
    expect(two).toMatchObject({ name: 'InvalidInput' });
    expect(two.message).toContain('but found more than one in Change with');
    expect(await listed('x')).toEqual([]);
  });

  it('a SetIdentifier has 1 to 128 characters', async () => {
    await send(create(record('id', { SetIdentifier: 'i'.repeat(128), Weight: 1 })));
    const e = await failure(send(create(record('id', { SetIdentifier: 'j'.repeat(129), Weight: 1 }))));
    expect(e.message).toContain(
      "at 'changeBatch.changes.1.member.resourceRecordSet.setIdentifier' failed to satisfy constraint: Member must have length less than or equal to 128",
    );
  });

  it('a SetIdentifier is unique per name and type, not per name', async () => {
    await send(
      create(record('u', { SetIdentifier: 'one', Weight: 1 })),
      create({ ...record('u', { SetIdentifier: 'one', Weight: 1 }), Type: 'TXT', ResourceRecords: [{ Value: '"t"' }] }),
    );
    const e = await failure(send(create(record('u', { SetIdentifier: 'one', Weight: 2 }))));
    expect(e).toMatchObject({ name: 'InvalidChangeBatch', status: 400 });
    expect(e.message).toBe(
      `[Tried to create resource record set [name='u.${zone.name}', type='A', set-identifier='one'] but it already exists]`,
    );
  });
});

describe('weighted records', () => {
  it('a Weight is 0 to 255', async () => {
    await send(create(record('w', { SetIdentifier: 'max', Weight: 255 })), create(record('w', { SetIdentifier: 'min', Weight: 0 })));
    const e = await failure(send(create(record('w', { SetIdentifier: 'over', Weight: 256 }))));
    expect(e.message).toContain('failed to satisfy constraint: Member must have value less than or equal to 255');
  });

  it('share one TTL', async () => {
    await send(create(record('w', { SetIdentifier: 'a', Weight: 1 }, 60)), create(record('w', { SetIdentifier: 'b', Weight: 1 }, 60)));
    const e = await failure(send(create(record('w', { SetIdentifier: 'c', Weight: 1 }, 61))));
    expect(e.message).toBe(
      `[RRSet with DNS name w.${zone.name} and type A, SetIdentifier c cannot be created as weighted sets must contain the same TTL.]`,
    );
  });

  it('at most 100 share a name and type', async () => {
    await send(...Array.from({ length: 100 }, (_, i) => create(record('w', { SetIdentifier: `s${i}`, Weight: 1 }))));
    const e = await failure(send(create(record('w', { SetIdentifier: 's100', Weight: 1 }))));
    expect(e.message).toBe(`[Exceeded limit on number of weighted RRSets for w.${zone.name}, type A in this zone.]`);
    await send(remove(record('w', { SetIdentifier: 's0', Weight: 1 })), create(record('w', { SetIdentifier: 's100', Weight: 1 })));
  });
});

describe('latency records', () => {
  it('name one of the API enum regions; another value is InvalidInput', async () => {
    await send(create(record('l', { SetIdentifier: 'use1', Region: 'us-east-1' })));
    const e = await failure(send(create(record('l', { SetIdentifier: 'moon', Region: 'moon-1' as 'us-east-1' }))));
    expect(e).toMatchObject({ name: 'InvalidInput', status: 400 });
    expect(e.message).toContain(
      "at 'changeBatch.changes.1.member.resourceRecordSet.region' failed to satisfy constraint: Member must satisfy enum value set: [",
    );
  });

  it('a region of another partition is InvalidChangeBatch: Cannot find region', async () => {
    const e = await failure(send(create(record('l', { SetIdentifier: 'gov', Region: 'us-gov-west-1' }))));
    expect(e).toMatchObject({ name: 'InvalidChangeBatch', message: "[Cannot find region 'us-gov-west-1'. No changes made.]" });
  });

  it('one per region and name and type; TTLs may differ', async () => {
    await send(
      create(record('l', { SetIdentifier: 'a', Region: 'eu-west-1' }, 60)),
      create(record('l', { SetIdentifier: 'b', Region: 'us-west-2' }, 300)),
    );
    const e = await failure(send(create(record('l', { SetIdentifier: 'c', Region: 'eu-west-1' }))));
    expect(e.message).toBe(
      `[RRSet with DNS name l.${zone.name}, type A, SetIdentifier c, and Region Name=eu-west-1 cannot be created because a latency RRSet with the same name, type and region already exists.]`,
    );
    expect((await listed('l')).map((r) => [r.SetIdentifier, r.Region, r.Weight])).toEqual([
      ['a', 'eu-west-1', undefined],
      ['b', 'us-west-2', undefined],
    ]);
  });
});

describe('geolocation records', () => {
  it('a continent, a country, a country and subdivision, and the default `*`, each once', async () => {
    await send(
      create(record('g', { SetIdentifier: 'eu', GeoLocation: { ContinentCode: 'EU' } })),
      create(record('g', { SetIdentifier: 'de', GeoLocation: { CountryCode: 'DE' } })),
      create(record('g', { SetIdentifier: 'us-ca', GeoLocation: { CountryCode: 'US', SubdivisionCode: 'CA' } })),
      create(record('g', { SetIdentifier: 'default', GeoLocation: { CountryCode: '*' } })),
    );
    // In set identifier order within the name and type.
    expect((await listed('g')).map((r) => r.GeoLocation)).toEqual([
      { CountryCode: 'DE' },
      { CountryCode: '*' },
      { ContinentCode: 'EU' },
      { CountryCode: 'US', SubdivisionCode: 'CA' },
    ]);
    const e = await failure(send(create(record('g', { SetIdentifier: 'de2', GeoLocation: { CountryCode: 'DE' } }))));
    expect(e.message).toBe(
      `[RRSet with DNS name g.${zone.name}, type A, SetIdentifier de2, and GeoLocation CountryCode=DE cannot be created because a geolocation RRSet with the same name, type and location already exists.]`,
    );
  });

  it('a continent and a country together, a subdivision without its country, or a code of the wrong length is InvalidInput', async () => {
    const both = await failure(send(create(record('g', { SetIdentifier: 'x', GeoLocation: { ContinentCode: 'EU', CountryCode: 'DE' } }))));
    expect(both.message).toContain('Expected exactly one of [ContinentCode, or CountryCode], but found more than one');
    const orphan = await failure(
      send(create(record('g', { SetIdentifier: 'x', GeoLocation: { CountryCode: '*', SubdivisionCode: 'CA' } }))),
    );
    expect(orphan).toMatchObject({ name: 'InvalidInput' });
    const long = await failure(send(create(record('g', { SetIdentifier: 'x', GeoLocation: { ContinentCode: 'Default' } }))));
    expect(long.message).toBe(
      "Invalid XML ; cvc-length-valid: Value 'Default' with length = '7' is not facet-valid with respect to length '2' for type 'ContinentCode'.",
    );
    const unknown = await failure(send(create(record('g', { SetIdentifier: 'x', GeoLocation: { ContinentCode: 'XX' } }))));
    expect(unknown).toMatchObject({ name: 'InvalidInput' });
    expect(await listed('g')).toEqual([]);
  });
});

describe('failover records', () => {
  it('one PRIMARY and one SECONDARY, each with its health check, listed back and deleted only as written', async () => {
    const primary = record('f', { SetIdentifier: 'p', Failover: 'PRIMARY', HealthCheckId: 'hc-primary' });
    const secondary = record('f', { SetIdentifier: 's', Failover: 'SECONDARY' }, 60, '192.0.2.2');
    await send(create(primary), create(secondary));
    expect((await listed('f')).map((r) => [r.SetIdentifier, r.Failover, r.HealthCheckId])).toEqual([
      ['p', 'PRIMARY', 'hc-primary'],
      ['s', 'SECONDARY', undefined],
    ]);
    const second = await failure(send(create(record('f', { SetIdentifier: 'p2', Failover: 'PRIMARY' }))));
    expect(second.message).toBe(
      `[RRSet with DNS name f.${zone.name}, type A, SetIdentifier p2, and Failover PRIMARY cannot be created because a failover RRSet with the same name, type and failover type already exists.]`,
    );
    const withoutHealthCheck = await failure(send(remove(record('f', { SetIdentifier: 'p', Failover: 'PRIMARY' }))));
    expect(withoutHealthCheck.message).toContain('the values provided do not match the current values');
    await send(remove(primary));
  });

  it('a Failover other than PRIMARY or SECONDARY is InvalidInput', async () => {
    const e = await failure(send(create(record('f', { SetIdentifier: 't', Failover: 'TERTIARY' as 'PRIMARY' }))));
    expect(e.message).toContain('Member must satisfy enum value set: [PRIMARY, SECONDARY]');
  });
});

describe('multivalue answer records', () => {
  it('are written and listed with MultiValueAnswer', async () => {
    await send(
      create(record('m', { SetIdentifier: 'a', MultiValueAnswer: true })),
      create(record('m', { SetIdentifier: 'b', MultiValueAnswer: true }, 60, '192.0.2.2')),
    );
    expect((await listed('m')).map((r) => [r.SetIdentifier, r.MultiValueAnswer])).toEqual([
      ['a', true],
      ['b', true],
    ]);
  });
});

describe('multivalue answer alias records', () => {
  it('are InvalidInput; a weighted alias record is written', async () => {
    const alias = { HostedZoneId: zone.id, DNSName: `target.${zone.name}`, EvaluateTargetHealth: false };
    const aliased = (routing: Routing): ResourceRecordSet => ({ Name: `m.${zone.name}`, Type: 'A', AliasTarget: alias, ...routing });
    const e = await failure(send(create(aliased({ SetIdentifier: 'a', MultiValueAnswer: true }))));
    expect(e).toMatchObject({ name: 'InvalidInput', status: 400 });
    expect(e.message).toContain('MultiValueAnswer cannot be used with AliasTarget');
    await send(create(record('target')), create(aliased({ SetIdentifier: 'a', Weight: 1 })));
  });
});

describe('alias records to another record of the zone', () => {
  const to = (label: string, type: 'A' | 'AAAA', routing: Routing = {}): ResourceRecordSet => ({
    Name: `${label}.${zone.name}`,
    Type: type,
    AliasTarget: { HostedZoneId: zone.id, DNSName: `target.${zone.name}`, EvaluateTargetHealth: true },
    ...routing,
  });
  const notFound = (type: string) =>
    `[Tried to create an alias that targets target.${zone.name}, type ${type} in zone ${zone.id}, but that target was not found]`;

  it('need a record of their type at the target: refused without one, written once it exists, earlier in the same batch too', async () => {
    for (const alias of [
      to('plain', 'A'),
      to('near', 'A', { SetIdentifier: 'us-east-1', Region: 'us-east-1' }),
      to('heavy', 'A', { SetIdentifier: 'a', Weight: 1 }),
    ]) {
      const e = await failure(send(create(alias)));
      expect(e).toMatchObject({ name: 'InvalidChangeBatch', status: 400, message: notFound('A') });
    }
    const target = record('target', { SetIdentifier: 'blue', Weight: 1 });
    await send(create(target), create(to('near', 'A', { SetIdentifier: 'us-east-1', Region: 'us-east-1' })));
    await send(create(to('heavy', 'A', { SetIdentifier: 'a', Weight: 1 })));
    // The target holds A records only.
    const e = await failure(send(create(to('near', 'AAAA', { SetIdentifier: 'us-east-1', Region: 'us-east-1' }))));
    expect(e.message).toBe(notFound('AAAA'));
  });
});

describe('a name and type holds one simple record or routing-policy records of one policy, never both', () => {
  it('a routed record beside a simple one is refused, and a simple one beside routed ones', async () => {
    await send(create(record('s')), create(record('r', { SetIdentifier: 'a', Weight: 1 })));
    const routed = await failure(send(create(record('s', { SetIdentifier: 'a', Weight: 1 }))));
    expect(routed.message).toBe(
      `[RRSet with DNS name s.${zone.name}, type A, SetIdentifier a cannot be created as a non-weighted set exists with the same name and type.]`,
    );
    const simple = await failure(send(create(record('r'))));
    expect(simple.message).toBe(
      `[RRSet with DNS name r.${zone.name}, type A cannot be created as other RRSets exist with the same name and type.]`,
    );
  });

  it('records of two policies are refused; the error names the policy being written', async () => {
    await send(create(record('p', { SetIdentifier: 'lat', Region: 'us-east-1' })));
    const e = await failure(send(create(record('p', { SetIdentifier: 'w', Weight: 1 }))));
    expect(e.message).toContain('SetIdentifier w cannot be created as a non-weighted set exists');
    const geo = await failure(send(create(record('p', { SetIdentifier: 'g', GeoLocation: { CountryCode: '*' } }))));
    expect(geo.message).toContain('SetIdentifier g cannot be created as a non-geolocation set exists');
  });

  it('one batch may replace a simple record with routed ones, and back', async () => {
    await send(create(record('s')));
    const routed = [record('s', { SetIdentifier: 'a', Region: 'us-east-1' }), record('s', { SetIdentifier: 'b', Region: 'eu-west-1' })];
    await send(remove(record('s')), ...routed.map(create));
    expect((await listed('s')).map((r) => r.Region)).toEqual(['us-east-1', 'eu-west-1']);
    await send(...routed.map(remove), create(record('s')));
    expect((await listed('s')).map((r) => [r.SetIdentifier, r.Region, r.TTL])).toEqual([[undefined, undefined, 60]]);
  });
});

describe('DELETE of a routed record', () => {
  it('must name its SetIdentifier and match its policy, TTL and values exactly', async () => {
    const held = record('d', { SetIdentifier: 'a', Weight: 5 });
    await send(create(held));
    const wrongWeight = await failure(send(remove(record('d', { SetIdentifier: 'a', Weight: 6 }))));
    expect(wrongWeight.message).toBe(
      `[Tried to delete resource record set [name='d.${zone.name}', type='A', set-identifier='a'] but the values provided do not match the current values]`,
    );
    const noIdentifier = await failure(send(remove(record('d'))));
    expect(noIdentifier.message).toBe(`[Tried to delete resource record set [name='d.${zone.name}', type='A'] but it was not found]`);
    await send(remove(held));
    expect(await listed('d')).toEqual([]);
  });
});

describe('limits', () => {
  it("each routed record's values count against the 1,000 ResourceRecord elements of a batch", async () => {
    const values = (n: number, base: number) => Array.from({ length: n }, (_, i) => `10.${base}.${i >> 8}.${i & 255}`);
    const routed = (n: number) =>
      Array.from({ length: 4 }, (_, i) => create(record('big', { SetIdentifier: `r${i}`, Weight: 1 }, 60, ...values(n, i))));
    const e = await failure(send(...routed(250), create(record('one'))));
    expect(e.message).toBe('[Number of records limit of 1000 exceeded.]');
    await send(...routed(250));
  });

  it('each routed record counts as one record against the records-per-zone quota', async () => {
    const small = await startRoute53Fixture({ recordsPerZone: 5 });
    const c = clientFor(small);
    try {
      const z = small.createZone('quota.example.com');
      const weighted = (i: number) => create({ ...record('w', { SetIdentifier: `s${i}`, Weight: 1 }), Name: `w.${z.name}` });
      await sendTo(c, z.id, [weighted(0), weighted(1), weighted(2)]);
      const e = await failure(sendTo(c, z.id, [weighted(3)]));
      expect(e.message).toBe(`[The hosted zone ${z.name} would hold 6 records, over its limit of 5.]`);
      expect(small.recordSets(z.id)).toHaveLength(5);
    } finally {
      c.destroy();
      await small.close();
    }
  });
});

// Property tests: a model of one zone's routed names, driven by random intents that are valid by
// construction, against what the fixture lists back through the SDK.
type Policy = 'simple' | 'weighted' | 'latency' | 'geolocation' | 'failover' | 'multivalue';
const POLICIES: readonly Policy[] = ['simple', 'weighted', 'latency', 'geolocation', 'failover', 'multivalue'];
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'sa-east-1'] as const;
const LOCATIONS = [{ CountryCode: '*' }, { ContinentCode: 'EU' }, { CountryCode: 'DE' }, { CountryCode: 'US', SubdivisionCode: 'CA' }];
const LABELS = ['a', 'b', 'c'];

interface Intent {
  readonly label: number;
  readonly policy: Policy;
  readonly action: 'add' | 'drop' | 'replace';
  readonly pick: number;
  readonly weight: number;
}

const intent = fc.record({
  label: fc.nat({ max: LABELS.length - 1 }),
  policy: fc.constantFrom(...POLICIES),
  action: fc.constantFrom('add', 'drop', 'replace') as fc.Arbitrary<Intent['action']>,
  pick: fc.nat({ max: 7 }),
  weight: fc.integer({ min: 0, max: 255 }),
});

/** The zone as the model holds it: label → its records. */
type Model = Map<string, ResourceRecordSet[]>;

const policyOf = (r: ResourceRecordSet): Policy =>
  r.SetIdentifier === undefined
    ? 'simple'
    : r.Weight !== undefined
      ? 'weighted'
      : r.Region !== undefined
        ? 'latency'
        : r.GeoLocation !== undefined
          ? 'geolocation'
          : r.Failover !== undefined
            ? 'failover'
            : 'multivalue';

/** A new record of `policy` at `label` that its siblings leave room for; undefined when there is none. */
function newRecord(
  label: string,
  policy: Policy,
  held: readonly ResourceRecordSet[],
  i: Intent,
  serial: number,
): ResourceRecordSet | undefined {
  const id = `${policy}-${serial}`;
  const value = `192.0.2.${(serial % 250) + 1}`;
  const free = <T>(options: readonly T[], used: (o: T) => boolean) => options.filter((o) => !used(o))[i.pick % options.length];
  switch (policy) {
    case 'simple':
      return held.length === 0 ? record(label, {}, 60, value) : undefined;
    case 'weighted':
      return record(label, { SetIdentifier: id, Weight: i.weight }, 60, value);
    case 'latency': {
      const region = free(REGIONS, (r) => held.some((h) => h.Region === r));
      return region === undefined ? undefined : record(label, { SetIdentifier: id, Region: region }, 30 + i.pick, value);
    }
    case 'geolocation': {
      const location = free(LOCATIONS, (l) => held.some((h) => JSON.stringify(h.GeoLocation) === JSON.stringify(l)));
      return location === undefined ? undefined : record(label, { SetIdentifier: id, GeoLocation: location }, 60, value);
    }
    case 'failover': {
      const role = free(['PRIMARY', 'SECONDARY'] as const, (f) => held.some((h) => h.Failover === f));
      return role === undefined
        ? undefined
        : record(label, { SetIdentifier: id, Failover: role, HealthCheckId: i.weight % 2 ? `hc-${serial}` : undefined }, 60, value);
    }
    case 'multivalue':
      return record(label, { SetIdentifier: id, MultiValueAnswer: true }, 60, value);
  }
}

/** The batch an intent becomes against the model, valid by construction; the model is moved to its result. */
function batchFor(model: Model, i: Intent, serial: number): Change[] {
  const label = LABELS[i.label] as string;
  const held = model.get(label) ?? [];
  const policy = held[0] === undefined ? i.policy : policyOf(held[0]);
  if (i.action === 'drop' && held.length > 0) {
    const gone = held[i.pick % held.length] as ResourceRecordSet;
    model.set(
      label,
      held.filter((r) => r !== gone),
    );
    return [remove(gone)];
  }
  if (i.action === 'replace' && held.length > 0) {
    const next = newRecord(label, i.policy, [], i, serial) as ResourceRecordSet;
    model.set(label, [next]);
    return [...held.map(remove), create(next)];
  }
  const added = newRecord(label, policy, held, i, serial);
  if (added === undefined) return [];
  model.set(label, [...held, added]);
  return [create(added)];
}

const comparable = (r: ResourceRecordSet) =>
  JSON.stringify({ ...r, ResourceRecords: r.ResourceRecords?.map((v) => v.Value).sort() }, Object.keys(r).sort());

describe('properties', () => {
  it('any sequence of valid routed changes is accepted, and listing in pages of any size gives back exactly the model, in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(intent, { minLength: 1, maxLength: 10 }), fc.integer({ min: 1, max: 4 }), async (intents, pageSize) => {
        zone = fixture.createZone(`p${Math.random().toString(36).slice(2, 8)}.example.com`);
        const model: Model = new Map();
        for (const [serial, i] of intents.entries()) {
          const batch = batchFor(model, i, serial);
          if (batch.length > 0) await send(...batch);
        }
        const read = (await listAll(client, zone.id, pageSize)).filter((r) => r.Name !== zone.name);
        const expected = LABELS.flatMap((label) =>
          [...(model.get(label) ?? [])].sort((a, b) => ((a.SetIdentifier ?? '') < (b.SetIdentifier ?? '') ? -1 : 1)),
        );
        expect(read.map(comparable)).toEqual(expected.map(comparable));
      }),
      { numRuns: 25 },
    );
  });

  it('a batch that would leave a simple record beside routed ones at a name and type is refused whole: nothing is written', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(intent, { maxLength: 6 }),
        fc.nat({ max: LABELS.length - 1 }),
        fc.constantFrom(...POLICIES.filter((p) => p !== 'simple')),
        fc.array(fc.nat({ max: 200 }), { maxLength: 4 }),
        fc.nat(),
        async (intents, target, policy, unrelated, position) => {
          zone = fixture.createZone(`m${Math.random().toString(36).slice(2, 8)}.example.com`);
          const model: Model = new Map();
          for (const [serial, i] of intents.entries()) {
            const batch = batchFor(model, i, serial);
            if (batch.length > 0) await send(...batch);
          }
          const label = LABELS[target] as string;
          const held = model.get(label) ?? [];
          const routed = newRecord(
            label,
            policy,
            [],
            { label: target, policy, action: 'add', pick: 0, weight: 1 },
            999,
          ) as ResourceRecordSet;
          // Whatever the name holds, the batch brings the other kind: a simple record to routed ones, a routed one to a simple one, both to none.
          const clash =
            held.length === 0
              ? [create(record(label)), create(routed)]
              : policyOf(held[0] as ResourceRecordSet) === 'simple'
                ? [create(routed)]
                : [create(record(label))];
          const others = [...new Set(unrelated)].map((n) => create(record(`free${n}`, { SetIdentifier: `w${n}`, Weight: 1 })));
          const batch = [...others];
          batch.splice(position % (batch.length + 1), 0, ...clash);
          const before = await listAll(client, zone.id, 300);
          const e = await failure(send(...batch));
          expect(e).toMatchObject({ name: 'InvalidChangeBatch', status: 400 });
          expect(e.message).toMatch(/cannot be created as (other RRSets exist|a non-\w+ set exists) with the same name and type/);
          expect(await listAll(client, zone.id, 300)).toEqual(before);
        },
      ),
      { numRuns: 25 },
    );
  });
});
