// What the responder answers one question, decided from data: the catalog (configuration), the
// local cluster's Services (watched), and the asking pod's place (zone and region). Pure.
import { Rcode, RRType } from '@fedsvc/dns-rfc2136/wire';
import type { Catalog, FederatedEntry, WireName } from './catalog.js';

/** A local Service as the answer needs it. */
export interface LocalService {
  /**
   * What a pod reaches the local shard at: its cluster IPs (both families of a dual-stack
   * Service), or for a headless Service its ready endpoints' addresses. Empty when the shard is
   * not healthy (no cluster IP, no ready endpoint, being deleted).
   */
  readonly addresses: readonly Address[];
}

/** An address with its record data. */
export interface Address {
  readonly family: 4 | 6;
  readonly text: string;
  /** A or AAAA record data: 4 or 16 bytes. */
  readonly rdata: Uint8Array;
}

/** Where the asking pod runs, as far as it is known. */
export interface Place {
  readonly zone?: string;
  readonly region?: string;
}

/**
 * How a question was answered: `local` (the local shard), `zone`, `region` or `global` (a CNAME
 * to that federated name), `soa` (the subdomain's SOA), `nodata`, `nxdomain`, `refused` (outside the subdomain, or a zone
 * transfer), `notimp` (a query type not served), `formerr` (a query type that is no question).
 */
export type AnswerKind = 'local' | 'zone' | 'region' | 'global' | 'soa' | 'nodata' | 'nxdomain' | 'refused' | 'notimp' | 'formerr';

/** One record of an answer; `owner` undefined means the question's name, as asked. */
export interface AnswerRecord {
  readonly owner: WireName | undefined;
  readonly type: number;
  readonly ttl: number;
  /** Record data: a name's wire form for CNAME (the same object as the owner of the records it leads to), bytes otherwise. */
  readonly data: WireName | Uint8Array;
}

export interface Answer {
  readonly kind: AnswerKind;
  readonly rcode: number;
  /** AA: set on every answer for the subdomain, where the responder is the authority. */
  readonly authoritative: boolean;
  readonly answers: readonly AnswerRecord[];
  readonly authorities: readonly AnswerRecord[];
}

/** The question: its name's labels (lower-case, so that matching ignores case) and its type. */
export interface QuestionKey {
  readonly labels: readonly string[];
  readonly type: number;
}

const TYPE_MAILB = 253;
const TYPE_MAILA = 254;
const TYPE_TKEY = 249;

const bare = (kind: AnswerKind, rcode: number, authoritative = false): Answer => ({
  kind,
  rcode,
  authoritative,
  answers: [],
  authorities: [],
});

/**
 * Answers `question` for the federation's subdomain `<federation>.svc.<cluster domain>`:
 *
 * - a federated service `<name>.<namespace>.<federation>.svc.<cluster domain>` whose local
 *   Service has addresses: a CNAME to `<name>.<namespace>.svc.<cluster domain>` and those
 *   addresses of the asked type (A, AAAA, both for ANY, none for CNAME and other types);
 * - one without: a CNAME to the federated name of the pod's zone, of its region when the zone
 *   is unknown, or the global one when the region is too;
 * - the subdomain itself: its SOA when asked, else NODATA; a namespace holding a federated
 *   service: NODATA (it has children); any other name under the subdomain: NXDOMAIN;
 * - a name outside the subdomain, or a zone transfer: REFUSED (nothing is forwarded).
 *
 * Every record has the catalog's TTL; negative answers carry the subdomain's SOA.
 */
export function answer(
  question: QuestionKey,
  catalog: Catalog,
  local: (entry: FederatedEntry) => LocalService | undefined,
  place: Place,
): Answer {
  const depth = depthBelow(question.labels, catalog.apexLabels);
  if (depth === undefined) return bare('refused', Rcode.REFUSED);
  const type = question.type;
  if (type === RRType.OPT || type === RRType.TSIG || type === TYPE_TKEY) return bare('formerr', Rcode.FORMERR);
  if (type === RRType.AXFR || type === RRType.IXFR) return bare('refused', Rcode.REFUSED);
  if (type === TYPE_MAILA || type === TYPE_MAILB) return bare('notimp', Rcode.NOTIMP);
  const [first = '', second = ''] = question.labels;
  if (depth === 2) {
    const entry = catalog.services.get(`${first}.${second}`);
    if (entry) return federated(entry, type, catalog.ttl, local(entry), place);
  }
  if (depth === 0 && type === RRType.SOA) {
    return { ...bare('soa', Rcode.NOERROR, true), answers: [soa(catalog)] };
  }
  const exists = depth === 0 || (depth === 1 && catalog.namespaces.has(first));
  return {
    ...bare(exists ? 'nodata' : 'nxdomain', exists ? Rcode.NOERROR : Rcode.NXDOMAIN, true),
    authorities: [soa(catalog)],
  };
}

function federated(entry: FederatedEntry, type: number, ttl: number, service: LocalService | undefined, place: Place): Answer {
  if (service && service.addresses.length > 0) {
    const addresses = service.addresses
      .filter((a) => type === RRType.ANY || (type === RRType.A && a.family === 4) || (type === RRType.AAAA && a.family === 6))
      .map((a): AnswerRecord => ({ owner: entry.local, type: a.family === 4 ? RRType.A : RRType.AAAA, ttl, data: a.rdata }));
    return { kind: 'local', rcode: Rcode.NOERROR, authoritative: true, answers: [cname(entry.local, ttl), ...addresses], authorities: [] };
  }
  const { kind, target } = remote(entry, place);
  return { kind, rcode: Rcode.NOERROR, authoritative: true, answers: [cname(target, ttl)], authorities: [] };
}

/** The federated name a pod of `place` is sent to: its zone's, else its region's (never a guessed zone), else the global one. */
function remote(entry: FederatedEntry, place: Place): { kind: 'zone' | 'region' | 'global'; target: WireName } {
  const { zone, region } = place;
  if (region === undefined) return { kind: 'global', target: entry.global };
  try {
    return zone === undefined ? { kind: 'region', target: entry.region(region) } : { kind: 'zone', target: entry.zone(zone, region) };
  } catch {
    // A place whose name would be too long for a record (a long zone with a long service name) has
    // no record to point at; the wider name has.
    return { kind: 'global', target: entry.global };
  }
}

const cname = (target: WireName, ttl: number): AnswerRecord => ({ owner: undefined, type: RRType.CNAME, ttl, data: target });

const soa = (catalog: Catalog): AnswerRecord => ({ owner: catalog.apex, type: RRType.SOA, ttl: catalog.ttl, data: catalog.soa });

/** How many labels `labels` has in front of `tail`, or undefined when it does not end with it. */
function depthBelow(labels: readonly string[], tail: readonly string[]): number | undefined {
  const extra = labels.length - tail.length;
  if (extra < 0) return undefined;
  for (let i = 0; i < tail.length; i++) if (labels[extra + i] !== tail[i]) return undefined;
  return extra;
}
