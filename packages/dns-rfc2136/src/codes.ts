// The DNS protocol's numbers (RFC 1035, 2136, 6895): record types and classes, opcodes, rcodes,
// and the size limits of names and messages.

export const RRType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  TSIG: 250,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
} as const;

export const RRClass = { IN: 1, NONE: 254, ANY: 255 } as const;

export const Opcode = { QUERY: 0, UPDATE: 5 } as const;

export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
} as const;

const RCODE_NAMES = new Map<number, string>(Object.entries(Rcode).map(([name, code]) => [code, name]));
export const rcodeName = (rcode: number): string => RCODE_NAMES.get(rcode) ?? `RCODE${rcode}`;

/** The largest message: what fits TCP's two-byte length prefix. */
export const MAX_MESSAGE_SIZE = 65_535;
/** The longest name in wire form (RFC 1035 §2.3.4). */
export const MAX_NAME_WIRE = 255;
export const MAX_LABEL = 63;
