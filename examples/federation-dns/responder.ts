// What the cluster's DNS server answers a pod, as kube-dns did for federated services. Pure:
// a query's bytes in, a decision out; the server does the sockets and the upstream exchanges.
import { isIP } from 'node:net';
import { isTtl, MAX_TTL, resolveFederatedQuery, ValidationError, type FederatedAnswer, type FederatedQueryContext } from '@fedsvc/core';
import {
  Opcode,
  RRClass,
  RRType,
  Rcode,
  decodeMessage,
  encodeMessage,
  nameToLabels,
  normalizeWireName,
  rdataFromText,
  type DecodedMessage,
  type Message,
  type Question,
  type ResourceRecord,
} from '@fedsvc/dns-rfc2136/wire';

export interface ResponderConfig extends FederatedQueryContext {
  /** TTL of every record the responder makes up. kube-dns used 30 s. */
  readonly ttl: number;
  /** An upstream server is configured: names outside the cluster domain go there, and remote CNAMEs are followed through it. */
  readonly recursion: boolean;
}

export type Decision =
  /** Not a query (a response, or not even a header): answering could start a loop between two servers. */
  | { readonly kind: 'drop' }
  | { readonly kind: 'reply'; readonly message: Message; readonly udpLimit: number }
  /** Ask the upstream `question`; `finish` makes the reply from its answer (`undefined`: it failed). */
  | {
      readonly kind: 'ask-upstream';
      readonly question: Question;
      readonly finish: (upstream: DecodedMessage | undefined) => Message;
      readonly udpLimit: number;
    };

/** RFC 1035's UDP payload without EDNS; with EDNS we offer the size that avoids IP fragmentation (DNS Flag Day 2020). */
const PLAIN_UDP = 512;
const EDNS_UDP = 1232;
const BADVERS = 16;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Checks the configuration once, where it enters, so that answering cannot fail on it. */
export function validateResponderConfig(config: ResponderConfig): ResponderConfig {
  if (!isTtl(config.ttl)) {
    throw new ValidationError('ttl', config.ttl, `must be a whole number of seconds from 0 to ${MAX_TTL}`);
  }
  // resolveFederatedQuery validates its context (federation, zone, region, cluster domain) on every call.
  resolveFederatedQuery('.', config);
  return config;
}

/** What answering one query needs: the query, the header of our reply, and its size limit over UDP. */
interface Exchange {
  readonly query: DecodedMessage;
  readonly question: Question;
  readonly base: Message;
  readonly udpLimit: number;
  readonly config: ResponderConfig;
}

/** Decides the answer to one datagram or TCP frame. Never throws on what the network sends. */
export function respond(wire: Uint8Array, config: ResponderConfig): Decision {
  if (wire.length < 12 || (wire[2]! & 0x80) !== 0) return { kind: 'drop' };
  let query: DecodedMessage;
  try {
    query = decodeMessage(wire);
  } catch {
    return { kind: 'reply', message: undecodable(wire, config.recursion), udpLimit: PLAIN_UDP };
  }
  const opts = query.additionals.filter((r) => r.type === RRType.OPT);
  const edns = opts.length === 1 && opts[0]!.name === '.' ? opts[0]! : undefined;
  const base = { ...reply(query, query.id, config.recursion), additionals: edns ? [optRecord(0)] : [] };
  const udpLimit = edns ? Math.min(Math.max(edns.class, PLAIN_UDP), EDNS_UDP) : PLAIN_UDP;
  const refused = refusal(query, opts.length, edns, base);
  if (refused) return { kind: 'reply', message: refused, udpLimit };
  const exchange: Exchange = { query, question: query.questions[0]!, base, udpLimit, config };
  const domain = normalizeWireName(config.clusterDomain ?? 'cluster.local');
  const depth = depthBelow(exchange.question.name, domain);
  return depth === undefined ? forward(exchange) : answerInClusterDomain(exchange, domain, depth);
}

/** A query that does not decode: FORMERR under its id and opcode, the header being readable. */
function undecodable(wire: Uint8Array, recursion: boolean): Message {
  return { ...reply(undefined, (wire[0]! << 8) | wire[1]!, recursion), opcode: (wire[2]! >> 3) & 0xf, rcode: Rcode.FORMERR };
}

/**
 * The error a query gets before its name is looked at, if any: EDNS malformed or of a version we
 * do not speak, an opcode other than QUERY, not exactly one question, or a class or type we do not serve.
 */
function refusal(query: DecodedMessage, opts: number, edns: ResourceRecord | undefined, base: Message): Message | undefined {
  if (opts > 1 || (opts === 1 && !edns)) return { ...base, rcode: Rcode.FORMERR };
  // RFC 6891 §6.1.3: version is the second byte of the TTL; we speak version 0 only.
  if (edns && ((edns.ttl >>> 16) & 0xff) !== 0) return { ...base, additionals: [optRecord(BADVERS >> 4)], rcode: BADVERS & 0xf };
  if (query.opcode !== Opcode.QUERY) return { ...base, rcode: Rcode.NOTIMP };
  const [question] = query.questions;
  if (!question || query.questions.length !== 1) return { ...base, rcode: Rcode.FORMERR };
  // Zone transfers and other classes: nothing here to transfer, and pods ask IN only.
  if (question.class !== RRClass.IN || question.type === RRType.AXFR || question.type === RRType.IXFR) {
    return { ...base, rcode: Rcode.REFUSED };
  }
  return undefined;
}

/**
 * Not the cluster's name: forward it, as kube-dns did to the node's nameservers. A pod lists
 * only this server in its resolv.conf, so a name refused here cannot be resolved at all.
 */
function forward({ query, question, base, udpLimit, config }: Exchange): Decision {
  if (!config.recursion) return { kind: 'reply', message: { ...base, rcode: Rcode.REFUSED }, udpLimit };
  return { kind: 'ask-upstream', question, udpLimit, finish: (upstream) => relay(base, query, upstream, []) };
}

/**
 * A name `depth` labels below the cluster domain. There we are the authority, as kube-dns was: a
 * name we do not know is NXDOMAIN, so that a pod's resolver moves on to the next search-path suffix.
 */
function answerInClusterDomain(exchange: Exchange, domain: string, depth: number): Decision {
  const { question, base, udpLimit, config } = exchange;
  const authoritative = { ...base, aa: true };
  const answer = (message: Message): Decision => ({ kind: 'reply', message, udpLimit });
  const negative = (rcode: number): Message => ({ ...authoritative, rcode, authorities: [soa(domain, config.ttl)] });
  const federated = resolveFederatedQuery(question.name, config);
  if (federated) return answerFederated(exchange, authoritative, federated);

  // A label holding an escape (`a\.b`) splits wrongly here, but then holds a backslash and matches nothing.
  const labels = question.name.split('.').slice(0, depth);
  const local =
    depth === 3 && labels[2] === 'svc' && labels.every((l) => DNS_LABEL.test(l)) ? config.localService(labels[1]!, labels[0]!) : undefined;
  if (local?.clusterIP !== undefined && isIP(local.clusterIP) !== 0) {
    // kube-dns answered a Service's cluster IP whether or not it had ready endpoints.
    const answers = addressRecords(question.name, [local.clusterIP], question.type, config.ttl);
    return answer(answers.length > 0 ? { ...authoritative, answers } : negative(Rcode.NOERROR));
  }
  if (depth === 0 && question.type === RRType.SOA) return answer({ ...authoritative, answers: [soa(domain, config.ttl)] });
  // Names with children: the apex, `svc`, a namespace, and the two above a federated name
  // (RFC 8020: NXDOMAIN at one of them would deny everything below it).
  const exists =
    depth === 0 ||
    (depth === 1 && labels[0] === 'svc') ||
    (depth === 2 && labels[1] === 'svc') ||
    (depth === 3 && labels[2] === 'svc' && labels[1] === config.federation.name);
  return answer(negative(exists ? Rcode.NOERROR : Rcode.NXDOMAIN));
}

/** A federated name: a CNAME to the local shard (with its addresses) or to the federated name, followed upstream. */
function answerFederated({ query, question, udpLimit, config }: Exchange, authoritative: Message, federated: FederatedAnswer): Decision {
  const answer = (message: Message): Decision => ({ kind: 'reply', message, udpLimit });
  const cname = record(question.name, RRType.CNAME, config.ttl, federated.cname);
  if (federated.kind === 'local') {
    const addresses = addressRecords(federated.cname, federated.addresses, question.type, config.ttl);
    return answer({ ...authoritative, answers: [cname, ...addresses] });
  }
  if (!config.recursion || !query.rd || question.type === RRType.CNAME) return answer({ ...authoritative, answers: [cname] });
  // A pod's stub resolver does not follow a CNAME itself: it expects its server to, as kube-dns did.
  const target = { name: federated.cname, type: question.type, class: RRClass.IN };
  return { kind: 'ask-upstream', question: target, udpLimit, finish: (upstream) => relay(authoritative, query, upstream, [cname]) };
}

/** Encodes a reply; over UDP one that does not fit is sent truncated (TC), and the client retries over TCP. */
export function encodeReply(message: Message, udpLimit: number | undefined): Buffer {
  const wire = encodeMessage(message, { compress: true });
  if (udpLimit === undefined || wire.length <= udpLimit) return wire;
  const opt = message.additionals.filter((r) => r.type === RRType.OPT);
  return encodeMessage({ ...message, tc: true, answers: [], authorities: [], additionals: opt }, { compress: true });
}

/** How many labels `name` has below `domain`, or `undefined` when it is not at or below it. */
function depthBelow(name: string, domain: string): number | undefined {
  const labels = nameToLabels(name);
  const tail = nameToLabels(domain);
  const extra = labels.length - tail.length;
  if (extra < 0) return undefined;
  // Compared as wire labels: an escaped dot (`a\.cluster.local.`) is not a label boundary.
  return tail.every((label, i) => Buffer.from(label).equals(labels[extra + i]!)) ? extra : undefined;
}

/**
 * RA says whether this server recurses, so it is the same on every answer: set when an upstream
 * is configured (names outside the cluster domain, and remote CNAMEs, are resolved by forwarding
 * them there), clear when not. It does not depend on the query's RD.
 */
function reply(query: DecodedMessage | undefined, id: number, recursion: boolean): Message {
  return {
    id,
    qr: true,
    opcode: Opcode.QUERY,
    aa: false,
    tc: false,
    rd: query?.rd ?? false,
    ra: recursion,
    rcode: Rcode.NOERROR,
    questions: query ? query.questions : [],
    answers: [],
    authorities: [],
    additionals: [],
  };
}

/**
 * The upstream's answer under our header: id, question and EDNS are the client's. We are not
 * the authority for what the upstream says, so its AA is never passed on: AA stays set only when
 * the answer starts with our own CNAME (RFC 1035 §4.1.1: AA is about the query name, the first
 * owner name in the answer); a plain forwarded answer has AA clear.
 */
function relay(base: Message, query: DecodedMessage, upstream: DecodedMessage | undefined, chain: readonly ResourceRecord[]): Message {
  if (!upstream) return { ...base, aa: false, rcode: Rcode.SERVFAIL };
  return {
    ...base,
    aa: chain.length > 0 && base.aa,
    rd: query.rd,
    rcode: upstream.rcode,
    answers: [...chain, ...upstream.answers],
    authorities: upstream.authorities,
    additionals: [...base.additionals, ...upstream.additionals.filter((r) => r.type !== RRType.OPT)],
  };
}

function addressRecords(name: string, addresses: readonly string[], qtype: number, ttl: number): ResourceRecord[] {
  return addresses.flatMap((address) => {
    const type = isIP(address) === 6 ? RRType.AAAA : RRType.A;
    return qtype === type || qtype === RRType.ANY ? [record(name, type, ttl, address)] : [];
  });
}

const record = (name: string, type: number, ttl: number, text: string): ResourceRecord => ({
  name,
  type,
  class: RRClass.IN,
  ttl,
  rdata: rdataFromText(type, text),
});

/** The cluster domain's SOA, as kube-dns made it up, for negative answers (RFC 2308). */
const soa = (domain: string, ttl: number): ResourceRecord =>
  record(domain, RRType.SOA, ttl, `ns.dns.${domain} hostmaster.${domain} 1 28800 7200 604800 ${ttl}`);

/** Our EDNS record: our UDP payload size as its class, the extended rcode in the TTL's first byte. */
const optRecord = (extendedRcode: number): ResourceRecord => ({
  name: '.',
  type: RRType.OPT,
  class: EDNS_UDP,
  ttl: (extendedRcode << 24) >>> 0,
  rdata: new Uint8Array(0),
});
