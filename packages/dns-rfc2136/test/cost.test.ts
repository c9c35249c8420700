// What an UPDATE costs in bytes: exact for one change alone, an upper bound that adds up for
// many, and no request core packs with it exceeds what a server accepts, whatever the names.
import { fc, test } from '@fast-check/vitest';
import { batchChanges, type Change, type RecordSet } from '@fedsvc/core/provider';
import { describe, expect } from 'vitest';
import { UPDATE_RECORD_BYTES, changeBytes } from '../src/cost.js';
import { RFC2136_LIMITS, createRfc2136Provider } from '../src/index.js';
import { signRequest } from '../src/tsig.js';
import { updateMessage } from '../src/update.js';
import { MAX_MESSAGE_SIZE, encodeMessage } from '../src/wire.js';

/** The longest key name (255 bytes on the wire) with the longest MAC. */
const LONGEST_KEY = {
  name: `${'k'.repeat(63)}.${'k'.repeat(63)}.${'k'.repeat(63)}.${'k'.repeat(61)}.`,
  algorithm: 'hmac-sha512' as const,
  secret: Buffer.alloc(64, 1),
};
/** A short zone and one whose name takes 200 of a name's 255 bytes. */
const ZONES = ['example.com.', `${'z'.repeat(63)}.${'z'.repeat(63)}.${'z'.repeat(63)}.example.`];

const label = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,62}$/);
/** A name in `zone`, up to the longest a name may be. */
const nameIn = (zone: string) =>
  fc
    .array(label, { minLength: 0, maxLength: 6 })
    .map((labels) => {
      let name = zone;
      for (const next of labels) {
        if (next.length + 1 + name.length + 1 > 255) break;
        name = `${next}.${name}`;
      }
      return name;
    })
    .chain((name) => fc.constantFrom(name, `_fedsvc.${name}`.length + 1 <= 255 ? `_fedsvc.${name}` : name));

/** Record data of the densest kinds: `::` is 2 characters and 16 bytes; a long CNAME target; long text. */
const rrdatas = (type: string, zone: string) =>
  fc.array(
    type === 'A'
      ? fc.ipV4()
      : type === 'AAAA'
        ? fc.constantFrom('::', '2001:db8::1', 'fe80::1:2:3:4')
        : type === 'TXT'
          ? fc.string({ maxLength: 200 }).map((text) => `"${text.replace(/[\\"]/g, '')}"`)
          : nameIn(zone),
    { minLength: 1, maxLength: type === 'CNAME' ? 1 : 20 },
  );

const recordSet = (zone: string): fc.Arbitrary<RecordSet> =>
  fc
    .record({ name: nameIn(zone), type: fc.constantFrom('A', 'AAAA', 'TXT', 'CNAME'), ttl: fc.integer({ min: 0, max: 86_400 }) })
    .chain(({ name, type, ttl }) => rrdatas(type, zone).map((data) => ({ name, type: type as 'A', ttl, rrdatas: [...new Set(data)] })));

const change = (zone: string): fc.Arbitrary<Change> =>
  fc.oneof(
    recordSet(zone).map((record): Change => ({ kind: 'create', record })),
    recordSet(zone).map((record): Change => ({ kind: 'delete', record })),
    recordSet(zone).chain((record) =>
      rrdatas(record.type, zone).map(
        (data): Change => ({ kind: 'update', before: record, record: { ...record, rrdatas: [...new Set(data)] } }),
      ),
    ),
  );

/** The bytes of an UPDATE's records: the message less its header and zone section. */
const recordBytes = (zone: string, changes: readonly Change[]) =>
  encodeMessage(updateMessage(1, zone, changes), { compress: true }).length - 12 - (Buffer.byteLength(zone) + 1 + 4);

const withZone = fc.constantFrom(...ZONES).chain((zone) => fc.tuple(fc.constant(zone), fc.array(change(zone), { maxLength: 400 })));

describe('the bytes of an UPDATE', () => {
  test.prop([fc.constantFrom(...ZONES).chain((zone) => fc.tuple(fc.constant(zone), change(zone)))])(
    'one change alone: exactly what the message holds',
    ([zone, one]) => {
      expect(changeBytes(one, [zone])).toBe(recordBytes(zone, [one]));
    },
  );

  test.prop([withZone], { numRuns: 60 })(
    'every request core packs with requestCost fits a compression pointer’s reach, and signed, 65,535 bytes',
    ([zone, changes]) => {
      const provider = createRfc2136Provider({ server: { host: '127.0.0.1' }, zones: [zone], tsig: { ...LONGEST_KEY, secret: 'AQ==' } });
      const batches = batchChanges(changes, provider.limits, provider.requestCost);
      for (const batch of batches) {
        const counted = batch.reduce((sum, each) => sum + changeBytes(each, [zone]), 0);
        expect(counted).toBeLessThanOrEqual(UPDATE_RECORD_BYTES);
        expect(recordBytes(zone, batch)).toBeLessThanOrEqual(counted);
        const message = encodeMessage(updateMessage(1, zone, batch), { compress: true });
        expect(message.length).toBeLessThanOrEqual(0x4000);
        expect(signRequest(message, LONGEST_KEY).wire.length).toBeLessThanOrEqual(MAX_MESSAGE_SIZE);
      }
    },
  );

  test.prop([withZone], { numRuns: 30 })(
    'the bound is tight: a packed request holds at least half of what was counted',
    ([zone, changes]) => {
      const provider = createRfc2136Provider({ server: { host: '127.0.0.1' }, zones: [zone], tsig: { ...LONGEST_KEY, secret: 'AQ==' } });
      for (const batch of batchChanges(changes, provider.limits, provider.requestCost)) {
        const counted = batch.reduce((sum, each) => sum + changeBytes(each, [zone]), 0);
        expect(recordBytes(zone, batch)).toBeGreaterThanOrEqual(counted / 2);
      }
    },
  );

  test.prop([fc.constantFrom(...ZONES).chain((zone) => fc.tuple(fc.constant(zone), change(zone)))])(
    'requestCost counts changes and rrdatas as core does, and the bytes as chars',
    ([zone, one]) => {
      const provider = createRfc2136Provider({ server: { host: '127.0.0.1' }, zones: [zone], tsig: { ...LONGEST_KEY, secret: 'AQ==' } });
      const sides = one.kind === 'update' ? [one.before, one.record] : [one.record];
      expect(provider.requestCost?.(one)).toEqual({
        changes: sides.length,
        rrdatas: sides.reduce((sum, side) => sum + side.rrdatas.length, 0),
        chars: changeBytes(one, [zone]),
      });
      expect(RFC2136_LIMITS.maxRrdataCharsPerRequest).toBe(UPDATE_RECORD_BYTES);
    },
  );
});
