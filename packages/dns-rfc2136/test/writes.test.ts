// Writes against each real server (BIND 9, Knot, PowerDNS) that the server could take without
// doing them: adds it drops without a word or refuses (RFC 2136 §3.4.2.2), bad record data in a
// batch, a zone it does not serve, a backend that cannot be written, and a server name that
// does not resolve.
import { ProviderError, reconcileZone, type Change, type RecordSet } from '@fedsvc/core';
import { batchChanges } from '@fedsvc/core/provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRfc2136Provider, type Rfc2136ProviderOptions } from '../src/index.js';
import { SERVER_KINDS, startDnsProxy, startDnsServer, startPowerDns, type DnsServer } from '../src/testing/index.js';
import { clientFor, readDirect, writeDirect } from './helpers.js';

const zone = 'writes.test.';
const dnsZone = { id: zone, dnsName: zone };
const set = (name: string, type: string, rrdatas: string[], ttl = 60): RecordSet => ({
  name: `${name}.${zone}`,
  type: type as 'A',
  ttl,
  rrdatas,
});
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe.each(SERVER_KINDS)('writes against %s', (kind) => {
  let bind: DnsServer;
  beforeAll(async () => {
    bind = await startDnsServer(kind, { zones: [zone] });
  });
  afterAll(async () => {
    await bind?.stop();
  });
  const provider = (extra: Partial<Rfc2136ProviderOptions> = {}) =>
    createRfc2136Provider({ server: { host: bind.host, port: bind.port }, zones: [zone], tsig: bind.key, timeoutMs: 5_000, ...extra });
  const held = async (record: RecordSet) =>
    (await readDirect(clientFor(bind), zone)).find((r) => r.name === record.name && r.type === record.type);

  /**
   * Either the write is refused as a conflict, or it went through and `added` is in the zone.
   * Never a success with `added` missing.
   */
  async function expectNoSilentDrop(changes: Change[], added: RecordSet): Promise<ProviderError | undefined> {
    const error = await failure(provider().applyChanges(dnsZone, changes));
    if (error === undefined) {
      expect(await held(added), `${added.name} ${added.type} after a successful write`).toMatchObject({ rrdatas: added.rrdatas });
      return undefined;
    }
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('conflict');
    return error as ProviderError;
  }

  it('(a) delete A + create CNAME at a name that still holds an AAAA: a conflict naming the CNAME, not a silent success', async () => {
    const a = set('a', 'A', ['192.0.2.1']);
    await writeDirect(clientFor(bind), zone, [
      { kind: 'create', record: a },
      { kind: 'create', record: set('a', 'AAAA', ['2001:db8::1']) },
    ]);
    const cname = set('a', 'CNAME', [`target.${zone}`]);
    const error = await expectNoSilentDrop(
      [
        { kind: 'delete', record: a },
        { kind: 'create', record: cname },
      ],
      cname,
    );
    expect(error?.record).toEqual({ name: cname.name, type: 'CNAME' });
    expect(error?.message).toContain(`${cname.name} CNAME`);
    expect(await held(cname)).toBeUndefined();
  });

  it('(b) update CNAME + create A at one name: refused, not a silent success', async () => {
    const before = set('b', 'CNAME', [`one.${zone}`]);
    await writeDirect(clientFor(bind), zone, [{ kind: 'create', record: before }]);
    const address = set('b', 'A', ['192.0.2.2']);
    await expectNoSilentDrop(
      [
        { kind: 'update', before, record: set('b', 'CNAME', [`two.${zone}`]) },
        { kind: 'create', record: address },
      ],
      address,
    );
    expect(await held(address)).toBeUndefined();
  });

  it('(c) update TXT + create CNAME at a name that also holds an A: refused, not a silent success', async () => {
    const before = set('c', 'TXT', ['"one"']);
    await writeDirect(clientFor(bind), zone, [
      { kind: 'create', record: before },
      { kind: 'create', record: set('c', 'A', ['192.0.2.3']) },
    ]);
    const cname = set('c', 'CNAME', [`target.${zone}`]);
    await expectNoSilentDrop(
      [
        { kind: 'update', before, record: set('c', 'TXT', ['"two"']) },
        { kind: 'create', record: cname },
      ],
      cname,
    );
    expect(await held(cname)).toBeUndefined();
  });

  it('switches a name between addresses and a CNAME the way core plans it, markers included', async () => {
    const p = provider();
    const ownerId = 'writes-test';
    const addresses = [set('switch', 'A', ['192.0.2.4']), set('switch', 'AAAA', ['2001:db8::4']), set('switch', 'TXT', ['"note"'])];
    const cname = set('switch', 'CNAME', [`target.${zone}`]);
    const scope = (name: string) => name === `switch.${zone}`;
    await reconcileZone({ provider: p, zone: dnsZone, ownerId, scope, desired: addresses });
    for (const record of addresses) expect(await held(record)).toMatchObject({ rrdatas: record.rrdatas });
    // Three deletes and a create at the name (and the marker's TTL at _fedsvc.switch): one UPDATE.
    const toCname = await reconcileZone({ provider: p, zone: dnsZone, ownerId, scope, desired: [cname] });
    expect(toCname.replans).toBe(0);
    expect(toCname.changes.map((c) => `${c.kind} ${c.record.type}`)).toContain('create CNAME');
    expect((await readDirect(clientFor(bind), zone)).filter((r) => r.name === cname.name)).toEqual([cname]);
    const back = await reconcileZone({ provider: p, zone: dnsZone, ownerId, scope, desired: [addresses[0]!] });
    expect(back.replans).toBe(0);
    expect((await readDirect(clientFor(bind), zone)).filter((r) => r.name === cname.name)).toEqual([addresses[0]]);
    // Converged: the next pass plans nothing.
    expect((await reconcileZone({ provider: p, zone: dnsZone, ownerId, scope, desired: [addresses[0]!] })).changes).toEqual([]);
  });

  it('one bad TXT among good record sets: reconcileZone writes the good ones and reports the bad one as invalid', async () => {
    const good = [set('good-a', 'A', ['192.0.2.5']), set('good-txt', 'TXT', ['"fine"'])];
    const bad = [set('bad-quote', 'TXT', ['"abc']), set('bad-long', 'TXT', [`"${'x'.repeat(256)}"`])];
    const scope = (name: string) => name.startsWith('good-') || name.startsWith('bad-');
    const error = await failure(
      reconcileZone({ provider: provider(), zone: dnsZone, ownerId: 'writes-test', scope, desired: [bad[0]!, ...good, bad[1]!] }),
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('invalid');
    // Core names the first rejected record set (in name order) and lists every one.
    expect((error as ProviderError).record).toEqual({ name: bad[1]!.name, type: 'TXT' });
    for (const record of bad) expect((error as ProviderError).message).toContain(`${record.name} TXT`);
    for (const record of good) expect(await held(record)).toMatchObject({ rrdatas: record.rrdatas });
    for (const record of bad) expect(await held(record)).toBeUndefined();
  });

  it('a TXT with non-ASCII text reads back as written, so the next pass plans nothing', async () => {
    const p = provider();
    const scope = (name: string) => name === `utf8.${zone}`;
    const desired = [set('utf8', 'TXT', ['"é — 日本語 🙂"', '"a\\"b\\\\c"'])];
    await reconcileZone({ provider: p, zone: dnsZone, ownerId: 'writes-test', scope, desired });
    // In the server's order, which need not be ours.
    expect((await held(desired[0]!))?.rrdatas.slice().sort()).toEqual(desired[0]!.rrdatas.slice().sort());
    expect((await reconcileZone({ provider: p, zone: dnsZone, ownerId: 'writes-test', scope, desired })).changes).toEqual([]);
  });

  it('takes a large address set in one UPDATE: creates 150 addresses, changes 60, grows 50 to 51, removes 150 someone else wrote', async () => {
    const p = provider();
    const addresses = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `10.${(from + i) >> 8}.${(from + i) & 255}.1`);
    const big = (name: string, n: number, from = 0) => set(name, 'A', addresses(n, from));
    const direct = clientFor(bind);
    await writeDirect(direct, zone, [
      { kind: 'create', record: big('sixty', 60) },
      { kind: 'create', record: big('fifty', 50) },
      { kind: 'create', record: big('theirs', 150) },
    ]);
    const cases: Change[] = [
      { kind: 'create', record: big('hundred-fifty', 150) },
      { kind: 'update', before: big('sixty', 60), record: big('sixty', 60, 1_000) },
      { kind: 'update', before: big('fifty', 50), record: big('fifty', 51) },
      { kind: 'delete', record: big('theirs', 150) },
    ];
    for (const change of cases) {
      // Core packs each into one request; the server takes it.
      expect(batchChanges([change], p.limits, p.requestCost)).toEqual([[change]]);
      await p.applyChanges(dnsZone, [change]);
      const after = await held(change.record);
      if (change.kind === 'delete') expect(after).toBeUndefined();
      else expect(after?.rrdatas.slice().sort()).toEqual(change.record.rrdatas.slice().sort());
    }
  });

  it('an UPDATE for a zone the server does not serve is not-found, as a listing of it is', async () => {
    const unserved = 'unserved.test.';
    const p = provider({ zones: [zone, unserved] });
    const there = { id: unserved, dnsName: unserved };
    const write = await failure(
      p.applyChanges(there, [{ kind: 'create', record: { name: `www.${unserved}`, type: 'A', ttl: 60, rrdatas: ['192.0.2.6'] } }]),
    );
    const read = await failure(p.records(there));
    expect(write).toBeInstanceOf(ProviderError);
    expect((write as ProviderError).kind).toBe('not-found');
    expect((read as ProviderError).kind).toBe('not-found');
    // The zone it does serve is still written to with the same key.
    await p.applyChanges(dnsZone, [{ kind: 'create', record: set('served', 'A', ['192.0.2.6']) }]);
    expect(await held(set('served', 'A', ['192.0.2.6']))).toBeDefined();
  });
});

describe('a PowerDNS zone whose backend cannot be written (NOTIMP)', () => {
  it('fails the pass once, as denied saying the server takes no updates, instead of blaming each record set in turn', async () => {
    const server = await startPowerDns({ zones: [zone], backend: 'bind' });
    const proxy = await startDnsProxy({ host: server.host, port: server.port });
    try {
      const p = createRfc2136Provider({
        server: { host: proxy.host, port: proxy.port },
        zones: [zone],
        tsig: server.key,
        timeoutMs: 5_000,
      });
      // Enough record sets for several requests at the adapter's limits.
      const desired = Array.from({ length: 120 }, (_, i) => set(`svc-${i}`, 'A', ['192.0.2.10', '192.0.2.11']));
      const error = await failure(reconcileZone({ provider: p, zone: dnsZone, ownerId: 'writes-test', scope: () => true, desired }));
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).kind).toBe('denied');
      expect((error as ProviderError).message).toContain('does not take updates');
      expect((error as ProviderError).record).toBeUndefined();
      expect(proxy.counts().writes).toBe(1);
    } finally {
      await proxy.close();
      await server.stop();
    }
  });
});

describe('a server name that does not resolve', () => {
  it('fails every call with a transient ProviderError, never an uncaught exception', async () => {
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', record);
    process.on('unhandledRejection', record);
    try {
      const p = createRfc2136Provider({
        server: { host: 'nonexistent.invalid', port: 53 },
        zones: [zone],
        tsig: { name: 'k', algorithm: 'hmac-sha256', secret: Buffer.alloc(32, 7).toString('base64') },
        timeoutMs: 5_000,
      });
      const create: Change = { kind: 'create', record: set('www', 'A', ['192.0.2.7']) };
      const many: Change[] = Array.from({ length: 20 }, (_, i) => ({ kind: 'create', record: set(`tcp-${i}`, 'A', ['192.0.2.7']) }));
      // A small UPDATE (UDP), a large one (TCP), a transfer (TCP), the SOA check (UDP).
      for (const call of [
        () => p.applyChanges(dnsZone, [create]),
        () => p.applyChanges(dnsZone, many),
        () => p.records(dnsZone),
        () => p.zones(),
      ]) {
        const error = await failure(call());
        expect(error).toBeInstanceOf(ProviderError);
        expect((error as ProviderError).kind).toBe('transient');
        expect((error as ProviderError).message).toContain('nonexistent.invalid');
      }
      // Give any stray socket event a turn to surface.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', record);
      process.off('unhandledRejection', record);
    }
  });
});
