// The record types the federation owns: all it writes, and all it touches at a name it owns
// (anyone else's types there, an MX or a CAA, are left alone).
import type { RecordType } from '../types.js';

/** Every RecordType once, in the order a name's changes are listed. */
export const RECORD_TYPES = ['A', 'AAAA', 'ALIAS', 'CNAME', 'TXT'] as const satisfies readonly RecordType[];

// Fails to compile, naming the type, when a RecordType is added to the union but not to RECORD_TYPES.
type Listed<Unlisted extends never> = Unlisted;
export type EveryRecordTypeListed = Listed<Exclude<RecordType, (typeof RECORD_TYPES)[number]>>;

const LISTED: ReadonlySet<string> = new Set(RECORD_TYPES);

export const isRecordType = (type: string): type is RecordType => LISTED.has(type);
