// Replies made before, kept to be sent again: a reply depends on the query's bytes after its ID
// (the question's name in any letter case), the transport, the cluster, and, only when the
// answer read it, the client's address. Sending one again costs a copy with the ID and the
// name's letters patched in, where making it costs parsing, answering and encoding.
import type { AnswerKind } from './answer.js';

/** A reply and how the query was answered. */
export interface Made {
  readonly kind: AnswerKind | 'badvers';
  readonly reply: Buffer;
}

/** What is kept for one query: its reply, or when the answer depended on the client's address, its reply by address. */
type Kept = Made | ReadonlyMap<string, Made>;

/** Longest query kept: a full 255-byte name, a client subnet and a cookie fit well within it. */
export const MAX_KEPT_QUERY = 512;
/** What the kept replies and their keys may hold together; beyond it every reply is dropped and the cache starts again. */
export const MAX_KEPT_BYTES = 4 * 2 ** 20;
/** Allowance for a kept reply's objects beside its bytes (map entry, key string, Buffer), in bytes. */
const ENTRY_OVERHEAD = 160;

// Where a query with capital letters in its name is lower-cased to make its key.
const scratch = Buffer.allocUnsafe(MAX_KEPT_QUERY);

/**
 * The end of the question's name (uncompressed, as parseQuery reads it), and whether it holds a
 * capital letter; undefined when it does not parse (such a query is never kept).
 */
function nameEnd(wire: Uint8Array): { end: number; capitals: boolean } | undefined {
  let capitals = false;
  let at = 12;
  for (;;) {
    const length = wire[at];
    if (length === undefined || length > 63) return undefined;
    if (length === 0) return { end: at + 1, capitals };
    const end = at + 1 + length;
    if (end > wire.length) return undefined;
    for (let i = at + 1; i < end && !capitals; i++) capitals = wire[i]! >= 0x41 && wire[i]! <= 0x5a;
    at = end;
  }
}

/** The key of a query: its bytes after the ID, its name's ASCII capitals lower-cased (DNS names match ignoring them, and only them). */
function keyOf(wire: Buffer): { key: string; questionEnd: number } | undefined {
  if (wire.length < 12 || wire.length > MAX_KEPT_QUERY) return undefined;
  const name = nameEnd(wire);
  if (!name || name.end + 4 > wire.length) return undefined;
  if (!name.capitals) return { key: wire.toString('latin1', 2), questionEnd: name.end + 4 };
  wire.copy(scratch, 0, 0, wire.length);
  for (let i = 12; i < name.end; i++) if (scratch[i]! >= 0x41 && scratch[i]! <= 0x5a) scratch[i]! += 0x20;
  return { key: scratch.toString('latin1', 2, wire.length), questionEnd: name.end + 4 };
}

/**
 * Replies kept by query, per transport (a UDP reply is cut to the client's payload size, a TCP
 * one is not). The owner clears it whenever the cluster changes; it clears itself when its
 * replies reach {@link MAX_KEPT_BYTES}, so that a client asking for ever new names bounds it.
 */
export class ReplyCache {
  readonly #udp = new Map<string, Kept>();
  readonly #tcp = new Map<string, Kept>();
  #bytes = 0;

  /** Bytes held, as counted against {@link MAX_KEPT_BYTES}. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * The reply made before to the same query (the name in any letter case) over the same
   * transport, from the same `address` when that answer depended on it: a copy with `wire`'s
   * ID and the name's letters as `wire` has them. Undefined when none is kept.
   */
  reuse(wire: Buffer, udp: boolean, address: string): Made | undefined {
    const keyed = keyOf(wire);
    if (!keyed) return undefined;
    const kept = (udp ? this.#udp : this.#tcp).get(keyed.key);
    const made = kept instanceof Map ? kept.get(address) : (kept as Made | undefined);
    if (!made) return undefined;
    const reply = Buffer.allocUnsafe(made.reply.length);
    made.reply.copy(reply);
    reply[0] = wire[0]!;
    reply[1] = wire[1]!;
    wire.copy(reply, 12, 12, keyed.questionEnd);
    return { kind: made.kind, reply };
  }

  /**
   * Keeps `made`, the reply to `wire`, for the same query over the same transport; for that
   * `address` only when given (the answer depended on it). A reply that does not echo the
   * question (an opcode other than QUERY) is not kept.
   */
  keep(wire: Buffer, udp: boolean, address: string | undefined, made: Made): void {
    const keyed = keyOf(wire);
    if (!keyed) return;
    const { key, questionEnd } = keyed;
    if (made.reply.length < questionEnd || made.reply.compare(wire, 12, questionEnd, 12, questionEnd) !== 0) return;
    const size = key.length + made.reply.length + ENTRY_OVERHEAD + (address === undefined ? 0 : address.length);
    if (this.#bytes + size > MAX_KEPT_BYTES) this.clear();
    const kept = udp ? this.#udp : this.#tcp;
    // Kept as sent: nothing writes to a reply once it is made.
    if (address === undefined) kept.set(key, made);
    else {
      const byAddress = kept.get(key);
      const addresses = byAddress instanceof Map ? (byAddress as Map<string, Made>) : new Map<string, Made>();
      addresses.set(address, made);
      kept.set(key, addresses);
    }
    this.#bytes += size;
  }

  /** Drops every kept reply. */
  clear(): void {
    this.#udp.clear();
    this.#tcp.clear();
    this.#bytes = 0;
  }
}
