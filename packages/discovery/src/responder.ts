// One query's bytes in, the reply's bytes out (or none), and how it was answered. Synchronous,
// so every answer is made within a bounded time, whatever the cluster or the client do.
import { RRClass, Rcode } from '@fedsvc/dns-rfc2136/wire';
import { type Answer, type AnswerKind, answer, type LocalService } from './answer.js';
import { addressOf, type Network } from './addresses.js';
import type { Catalog, FederatedEntry } from './catalog.js';
import { type ClusterTopology, clientPlace } from './place.js';
import { parseQuery } from './query.js';
import { ReplyCache } from './replies.js';
import { encodeBareReply, encodeReply, udpLimit } from './reply.js';

/** What answering needs of the cluster: the federated services' local shards and the nodes. */
export interface ClusterView {
  local(entry: FederatedEntry): LocalService | undefined;
  readonly topology: ClusterTopology;
  /** Changes whenever a local shard or the topology does: the replies made before may no longer hold. */
  readonly version: number;
}

/** How a query was answered (`badvers`: an EDNS version other than 0), or why nothing was sent. */
export type Outcome =
  | { readonly kind: AnswerKind | 'badvers'; readonly reply: Buffer }
  /** Not a query that parses (`malformed`), or a response (answering could loop two servers): nothing is sent. */
  | { readonly kind: 'dropped'; readonly reason: 'malformed' | 'response' };

const REFUSED: Answer = { kind: 'refused', rcode: Rcode.REFUSED, authoritative: false, answers: [], authorities: [] };

/**
 * Answers one datagram (`udp`: the reply must fit the client's payload size) or TCP frame from
 * `source` (the peer's address, a pod's when it asked directly; read only when the answer
 * depends on it). Never throws on what the network sends.
 */
export function respond(
  wire: Uint8Array,
  udp: boolean,
  source: (() => Network | undefined) | undefined,
  catalog: Catalog,
  cluster: ClusterView,
): Outcome {
  const parsed = parseQuery(wire);
  if (parsed.kind === 'malformed' || parsed.kind === 'response') return { kind: 'dropped', reason: parsed.kind };
  if (parsed.kind === 'other-opcode') return { kind: 'notimp', reply: encodeBareReply(parsed.id, parsed.opcode, Rcode.NOTIMP) };
  const query = parsed.query;
  const limit = udp ? udpLimit(query) : undefined;
  if (query.edns && query.edns.version !== 0) return { kind: 'badvers', reply: encodeReply(wire, query, REFUSED, 0, limit) };
  if (query.class !== RRClass.IN) return { kind: 'refused', reply: encodeReply(wire, query, REFUSED, 0, limit) };
  const { place, scopePrefix } = clientPlace({ subnet: query.edns?.subnet, source }, cluster.topology);
  const answered = answer({ labels: query.labels, type: query.type }, catalog, (entry) => cluster.local(entry), place);
  // Only a CNAME to a zone's or region's name depends on where the client is.
  const scope = answered.kind === 'zone' || answered.kind === 'region' ? scopePrefix : 0;
  return { kind: answered.kind, reply: encodeReply(wire, query, answered, scope, limit) };
}

/** The peer's address as a /32 or /128 network, for matching against pod CIDRs; parsed on the first call. */
export function sourceOf(address: string): () => Network | undefined {
  let network: Network | undefined | null = null;
  return () => {
    if (network === null) {
      const parsed = addressOf(address);
      network = parsed && { family: parsed.family, bytes: parsed.rdata, prefix: parsed.rdata.length * 8 };
    }
    return network;
  };
}

/**
 * Answers as {@link respond} does, for a peer at `address` (its text), sending again the reply
 * made before to the same query (see ReplyCache) while the cluster's version stays the same: the
 * reply with the query's ID and the name's letters patched in. Most of the time spent per query
 * is the operating system's; the rest, parsing, answering and encoding, is what a kept reply
 * saves.
 */
export function cachedResponder(catalog: Catalog, cluster: ClusterView): (wire: Buffer, udp: boolean, address: string) => Outcome {
  const cache = new ReplyCache();
  let version = cluster.version;
  return (wire, udp, address) => {
    if (cluster.version !== version) {
      cache.clear();
      version = cluster.version;
    }
    const reused = cache.reuse(wire, udp, address);
    if (reused) return reused;
    let read = false;
    const source = sourceOf(address);
    const outcome = respond(
      wire,
      udp,
      () => {
        read = true;
        return source();
      },
      catalog,
      cluster,
    );
    if (outcome.kind !== 'dropped') cache.keep(wire, udp, read ? address : undefined, outcome);
    return outcome;
  };
}
