// Shared generators and readers for the discovery tests.
import { fc } from '@fast-check/vitest';
import { labelsToName, rdataToText, RRType } from '@fedsvc/dns-rfc2136/wire';
import type { AnswerRecord } from '../src/answer.js';
import { addressOf } from '../src/addresses.js';

export const dnsLabel = fc.stringMatching(/^[a-z]([a-z0-9-]{0,8}[a-z0-9])?$/);
export const zoneLabel = fc.stringMatching(/^[a-z]{2,6}-[a-z]{2,6}[0-9]-[a-f]$/);
export const regionLabel = fc.stringMatching(/^[a-z]{2,6}-[a-z]{2,6}[0-9]$/);

export const ipv4 = fc.ipV4().filter((text) => addressOf(text) !== undefined);
export const ipv6 = fc.ipV6().filter((text) => addressOf(text) !== undefined);

/** A name with random letter case, as a resolver using 0x20 encoding sends it. */
export const randomCase = (name: string): fc.Arbitrary<string> =>
  fc
    .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((upper) => [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));

/** An answer record as text: `owner TYPE data` (owner `@` for the question's name). */
export function recordText(record: AnswerRecord): string {
  const owner = record.owner === undefined ? '@' : record.owner.text;
  const data = record.data instanceof Uint8Array ? rdataToText(record.type, record.data) : record.data.text;
  return `${owner} ${record.type === RRType.CNAME ? 'CNAME' : record.type === RRType.A ? 'A' : record.type === RRType.AAAA ? 'AAAA' : record.type === RRType.SOA ? 'SOA' : record.type} ${data}`;
}

export const nameOf = (labels: readonly string[]): string => labelsToName(labels.map((l) => Buffer.from(l, 'latin1')));
