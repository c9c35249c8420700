import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { recordNames, ValidationError } from '@fedsvc/core';
import { Rcode, RRType } from '@fedsvc/dns-rfc2136/wire';
import { type Address, answer, type LocalService } from '../src/answer.js';
import { addressOf } from '../src/addresses.js';
import { type Catalog, type FederatedEntry, makeCatalog } from '../src/catalog.js';
import { dnsLabel, ipv4, ipv6, recordText, regionLabel, zoneLabel } from './arbitraries.js';

const federation = { name: 'myfederation', domain: 'example.com' };
const APEX = ['myfederation', 'svc', 'cluster', 'local'];

const world = fc.record({
  services: fc.uniqueArray(fc.record({ namespace: dnsLabel, name: dnsLabel }), {
    minLength: 1,
    maxLength: 5,
    selector: (s) => `${s.namespace}/${s.name}`,
  }),
  ttl: fc.integer({ min: 0, max: 86_400 }),
});
const place = fc.record({ zone: fc.option(zoneLabel, { nil: undefined }), region: fc.option(regionLabel, { nil: undefined }) });
const addresses = fc.array(fc.oneof(ipv4, ipv6), { maxLength: 4 }).map((texts) => texts.map((t) => addressOf(t)!));
const qtype = fc.constantFrom(
  RRType.A,
  RRType.AAAA,
  RRType.CNAME,
  RRType.ANY,
  RRType.TXT,
  RRType.MX,
  RRType.SRV,
  RRType.NS,
  RRType.PTR,
  RRType.SOA,
);

const lookup = (local: ReadonlyMap<string, LocalService>) => (entry: FederatedEntry) => local.get(`${entry.namespace}/${entry.name}`);
const catalogOf = (w: { services: { namespace: string; name: string }[]; ttl: number }): Catalog =>
  makeCatalog({ federation, services: w.services, ttl: w.ttl });

describe('answering a federated service', () => {
  test.prop([world, addresses, place, qtype, fc.nat()])(
    'a local shard with addresses: a CNAME to its local name, then those of its addresses the type asks for',
    (w, local, where, type, pick) => {
      fc.pre(local.length > 0);
      const catalog = catalogOf(w);
      const service = w.services[pick % w.services.length]!;
      const got = answer(
        { labels: [service.name, service.namespace, ...APEX], type },
        catalog,
        lookup(new Map([[`${service.namespace}/${service.name}`, { addresses: local }]])),
        where,
      );
      const localName = `${service.name}.${service.namespace}.svc.cluster.local.`;
      const wanted = (a: Address) =>
        type === RRType.ANY || (type === RRType.A && a.family === 4) || (type === RRType.AAAA && a.family === 6);
      expect(got.kind).toBe('local');
      expect(got.rcode).toBe(Rcode.NOERROR);
      expect(got.authoritative).toBe(true);
      expect(got.answers.map(recordText)).toEqual([
        `@ CNAME ${localName}`,
        ...local.filter(wanted).map((a) => `${localName} ${a.family === 4 ? 'A' : 'AAAA'} ${a.text}`),
      ]);
      expect(got.answers.every((r) => r.ttl === w.ttl)).toBe(true);
    },
  );

  test.prop([world, place, qtype, fc.nat(), fc.boolean()])(
    "no healthy local shard: a CNAME to the zone's federated name, the region's when the zone is unknown, the global one without a region",
    (w, where, type, pick, absent) => {
      const catalog = catalogOf(w);
      const service = w.services[pick % w.services.length]!;
      const local = new Map(absent ? [] : [[`${service.namespace}/${service.name}`, { addresses: [] }]]);
      const got = answer({ labels: [service.name, service.namespace, ...APEX], type }, catalog, lookup(local), where);
      const names = recordNames(federation, service);
      const expected =
        where.region === undefined
          ? { kind: 'global', name: names.global }
          : where.zone === undefined
            ? { kind: 'region', name: names.region(where.region) }
            : { kind: 'zone', name: names.zone(where.zone, where.region) };
      expect(got.kind).toBe(expected.kind);
      expect(got.answers.map(recordText)).toEqual([`@ CNAME ${expected.name}`]);
      expect(got.rcode).toBe(Rcode.NOERROR);
    },
  );
});

describe('other names', () => {
  test.prop([world, fc.array(dnsLabel, { minLength: 1, maxLength: 6 }), qtype, place])(
    'a name outside the subdomain is refused, without authority',
    (w, labels, type, where) => {
      fc.pre(labels.slice(-APEX.length).join('.') !== APEX.join('.'));
      const got = answer({ labels, type }, catalogOf(w), () => undefined, where);
      expect(got).toMatchObject({ kind: 'refused', rcode: Rcode.REFUSED, authoritative: false, answers: [], authorities: [] });
    },
  );

  test.prop([world, fc.array(dnsLabel, { minLength: 0, maxLength: 5 }), qtype, place])(
    'under the subdomain: NXDOMAIN unless the name is a federated service, a namespace holding one (NODATA) or the apex',
    (w, prefix, type, where) => {
      const catalog = catalogOf(w);
      const got = answer({ labels: [...prefix, ...APEX], type }, catalog, () => undefined, where);
      const isService = prefix.length === 2 && w.services.some((s) => s.name === prefix[0] && s.namespace === prefix[1]);
      fc.pre(!isService);
      const exists = prefix.length === 0 || (prefix.length === 1 && w.services.some((s) => s.namespace === prefix[0]));
      const soa = `myfederation.svc.cluster.local. SOA ns.dns.cluster.local. hostmaster.myfederation.svc.cluster.local. 1 28800 7200 604800 ${w.ttl}`;
      expect(got.authoritative).toBe(true);
      if (prefix.length === 0 && type === RRType.SOA) {
        expect(got.answers.map(recordText)).toEqual([soa]);
        return;
      }
      expect(got.rcode).toBe(exists ? Rcode.NOERROR : Rcode.NXDOMAIN);
      expect(got.kind).toBe(exists ? 'nodata' : 'nxdomain');
      expect(got.answers).toEqual([]);
      expect(got.authorities.map(recordText)).toEqual([soa]);
    },
  );

  test.prop([world, fc.nat(), fc.array(dnsLabel, { minLength: 1, maxLength: 3 }), place])(
    'nothing lives below a federated service: a deeper name is NXDOMAIN',
    (w, pick, deeper, where) => {
      const service = w.services[pick % w.services.length]!;
      const got = answer(
        { labels: [...deeper, service.name, service.namespace, ...APEX], type: RRType.A },
        catalogOf(w),
        () => undefined,
        where,
      );
      expect(got.kind).toBe('nxdomain');
    },
  );

  test.prop([world, fc.nat(), fc.constantFrom(RRType.AXFR, RRType.IXFR, RRType.OPT, RRType.TSIG, 249, 253, 254)])(
    'zone transfers are refused, meta types that are no question are FORMERR, MAILA/MAILB not implemented',
    (w, pick, type) => {
      const service = w.services[pick % w.services.length]!;
      const got = answer({ labels: [service.name, service.namespace, ...APEX], type }, catalogOf(w), () => undefined, {});
      const expected = type === RRType.AXFR || type === RRType.IXFR ? 'refused' : type === 253 || type === 254 ? 'notimp' : 'formerr';
      expect(got.kind).toBe(expected);
      expect(got.answers).toEqual([]);
    },
  );
});

describe('the configuration', () => {
  test('a bad field is a ValidationError naming it', () => {
    const bad = [
      () => makeCatalog({ federation, services: [], ttl: -1 }),
      () => makeCatalog({ federation, services: [], clusterDomain: 'cluster_local' }),
      () => makeCatalog({ federation, services: [{ namespace: 'Bad', name: 'nginx' }] }),
    ];
    const fields = bad.map((make) => {
      try {
        make();
        return undefined;
      } catch (error) {
        return error instanceof ValidationError ? error.field : String(error);
      }
    });
    expect(fields).toEqual(['ttl', 'clusterDomain', 'services[0].namespace']);
  });
});
