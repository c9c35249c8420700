// The fixture holds to Route 53's documented behaviour, checked through the real SDK.
import {
  ChangeResourceRecordSetsCommand,
  type Change,
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURE_CREDENTIALS, type HostedZone, type Route53Fixture, startRoute53Fixture } from '../src/testing/index.js';

let fixture: Route53Fixture;
let client: Route53Client;
let zone: HostedZone;

beforeAll(async () => {
  fixture = await startRoute53Fixture();
  client = new Route53Client({ endpoint: fixture.url, region: 'us-east-1', credentials: FIXTURE_CREDENTIALS, maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await fixture.close();
});
beforeEach(() => {
  zone = fixture.createZone(`z${Math.random().toString(36).slice(2, 8)}.example.com`);
});

const rr = (action: Change['Action'], name: string, type: 'A' | 'TXT' | 'CNAME', ttl: number, ...values: string[]): Change => ({
  Action: action,
  ResourceRecordSet: { Name: name, Type: type, TTL: ttl, ResourceRecords: values.map((Value) => ({ Value })) },
});

const send = (...changes: Change[]) =>
  client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone.id, ChangeBatch: { Changes: changes } }));

async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  const e = (await promise.then(
    () => undefined,
    (x: unknown) => x,
  )) as { name: string; message: string; $metadata?: { httpStatusCode?: number } } | undefined;
  expect(e).toBeDefined();
  return { name: e?.name ?? '', message: e?.message ?? '', status: e?.$metadata?.httpStatusCode };
}

describe('ListResourceRecordSets', () => {
  it('sorts by name with labels reversed, then type, and pages from NextRecordName/NextRecordType', async () => {
    const z = zone.name;
    await send(
      rr('CREATE', `b.${z}`, 'A', 60, '192.0.2.1'),
      rr('CREATE', `a.b.${z}`, 'A', 60, '192.0.2.2'),
      rr('CREATE', `b.${z}`, 'TXT', 60, '"t"'),
      rr('CREATE', `a.${z}`, 'A', 60, '192.0.2.3'),
      rr('CREATE', `*.${z}`, 'A', 60, '192.0.2.4'),
    );
    const seen: string[] = [];
    let start: { StartRecordName?: string; StartRecordType?: 'A' | 'TXT' } = {};
    for (let page = 0; page < 10; page += 1) {
      const out = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone.id, MaxItems: 3, ...start }));
      seen.push(...(out.ResourceRecordSets ?? []).map((r) => `${r.Name} ${r.Type}`));
      if (!out.IsTruncated) break;
      start = { StartRecordName: out.NextRecordName, StartRecordType: out.NextRecordType as 'A' };
    }
    expect(seen).toEqual([`${z} NS`, `${z} SOA`, `\\052.${z} A`, `a.${z} A`, `b.${z} A`, `b.${z} TXT`, `a.b.${z} A`]);
  });

  it('returns at most 300 per page, and refuses a type without a name', async () => {
    const changes = Array.from({ length: 400 }, (_, i) => rr('CREATE', `h${i}.${zone.name}`, 'A', 60, '192.0.2.1'));
    await send(...changes);
    const out = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone.id, MaxItems: 1000 }));
    expect(out.ResourceRecordSets).toHaveLength(300);
    expect(out.IsTruncated).toBe(true);
    const e = await failure(client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone.id, StartRecordType: 'A' })));
    expect(e).toMatchObject({ name: 'InvalidInput', status: 400 });
  });
});

describe('ChangeResourceRecordSets', () => {
  it('applies changes in order: DELETE then CREATE of the same record set in one batch', async () => {
    await send(rr('CREATE', `x.${zone.name}`, 'A', 60, '192.0.2.1'));
    const out = await send(rr('DELETE', `x.${zone.name}`, 'A', 60, '192.0.2.1'), rr('CREATE', `x.${zone.name}`, 'A', 60, '192.0.2.2'));
    expect(out.ChangeInfo?.Status).toBe('PENDING');
    expect(out.ChangeInfo?.Id).toMatch(/^\/change\/C[A-Z0-9]+$/);
    expect(fixture.recordSets(zone.id).find((r) => r.name === `x.${zone.name}`)?.values).toEqual(['192.0.2.2']);
  });

  it('is all or nothing, and lists every problem', async () => {
    await send(rr('CREATE', `x.${zone.name}`, 'A', 60, '192.0.2.1'));
    const before = fixture.recordSets(zone.id);
    const e = await failure(
      send(
        rr('CREATE', `new.${zone.name}`, 'A', 60, '192.0.2.9'),
        rr('DELETE', `x.${zone.name}`, 'A', 60, '192.0.2.1'),
        rr('DELETE', `x.${zone.name}`, 'A', 60, '192.0.2.1'),
        rr('CREATE', `new.${zone.name}`, 'A', 60, '192.0.2.9'),
      ),
    );
    expect(e.name).toBe('InvalidChangeBatch');
    expect(e.status).toBe(400);
    expect(e.message).toBe(
      `[Tried to delete resource record set [name='x.${zone.name}', type='A'] but it was not found, ` +
        `Tried to create resource record set [name='new.${zone.name}', type='A'] but it already exists]`,
    );
    expect(fixture.recordSets(zone.id)).toEqual(before);
  });

  it('a DELETE must match TTL and values exactly (values in any order)', async () => {
    await send(rr('CREATE', `x.${zone.name}`, 'A', 60, '192.0.2.1', '192.0.2.2'));
    const ttl = await failure(send(rr('DELETE', `x.${zone.name}`, 'A', 61, '192.0.2.1', '192.0.2.2')));
    expect(ttl.message).toContain('the values provided do not match the current values');
    await send(rr('DELETE', `x.${zone.name}`, 'A', 60, '192.0.2.2', '192.0.2.1'));
  });

  it('counts UPSERT twice against the 1,000 ResourceRecord limit', async () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    const e = await failure(send(rr('UPSERT', `x.${zone.name}`, 'A', 60, ...values(501))));
    expect(e).toMatchObject({ name: 'InvalidChangeBatch', message: '[Number of records limit of 1000 exceeded.]' });
    await send(rr('UPSERT', `x.${zone.name}`, 'A', 60, ...values(500)));
    await send(rr('CREATE', `y.${zone.name}`, 'A', 60, ...values(1000)));
  });

  it('TXT values must be quoted; a CNAME excludes every other type at its name', async () => {
    expect((await failure(send(rr('CREATE', `t.${zone.name}`, 'TXT', 60, 'bare')))).message).toContain('enclosed in quotation marks');
    await send(rr('CREATE', `c.${zone.name}`, 'A', 60, '192.0.2.1'));
    expect((await failure(send(rr('CREATE', `c.${zone.name}`, 'CNAME', 60, 'target.example.com.')))).message).toContain(
      'conflicts with other records',
    );
    await send(rr('DELETE', `c.${zone.name}`, 'A', 60, '192.0.2.1'), rr('CREATE', `c.${zone.name}`, 'CNAME', 60, 'target.example.com.'));
  });
});

describe('hosted zones', () => {
  it('GetHostedZone gives the zone and its name servers; an unknown id is NoSuchHostedZone (404)', async () => {
    const out = await client.send(new GetHostedZoneCommand({ Id: zone.id }));
    expect(out.HostedZone).toMatchObject({ Id: `/hostedzone/${zone.id}`, Name: zone.name });
    expect(out.DelegationSet?.NameServers).toHaveLength(4);
    const e = await failure(client.send(new GetHostedZoneCommand({ Id: 'ZMISSING' })));
    expect(e).toMatchObject({ name: 'NoSuchHostedZone', status: 404 });
  });

  it('ListHostedZonesByName starts at the given name in reversed-label order', async () => {
    const out = await client.send(new ListHostedZonesByNameCommand({ DNSName: zone.name }));
    expect(out.HostedZones?.[0]?.Name).toBe(zone.name);
  });
});
