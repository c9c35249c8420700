import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { domainFilter } from '../src/controller/domain-filter.js';
import { resyncPeriod } from '../src/controller/resync.js';

describe('resyncPeriod', () => {
  const said = fc.oneof(
    fc.constant(undefined),
    fc.double({ min: 0, max: 1e9, noNaN: true }),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, -0.5),
  );
  test.prop([fc.integer({ min: 1, max: 1e9 }), said])(
    'the longer of the configured period and what the provider said; a figure that is no duration says nothing',
    (configuredMs, readIntervalMs) => {
      const period = resyncPeriod(configuredMs, readIntervalMs);
      const usable = readIntervalMs !== undefined && Number.isFinite(readIntervalMs) && readIntervalMs >= 0;
      expect(period.configuredMs).toBe(configuredMs);
      expect(period.readIntervalMs).toBe(usable ? readIntervalMs : undefined);
      if (usable && readIntervalMs > configuredMs) {
        expect(period).toMatchObject({ periodMs: Math.ceil(readIntervalMs), reason: 'provider-read-interval' });
      } else {
        expect(period).toMatchObject({ periodMs: configuredMs, reason: 'configured' });
      }
      expect(period.periodMs).toBeGreaterThanOrEqual(configuredMs);
      if (usable) expect(period.periodMs).toBeGreaterThanOrEqual(readIntervalMs);
    },
  );
});

describe('domainFilter', () => {
  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?$/);
  const under = (labels: string[]) => [...labels, 'example.com.'].join('.');
  test.prop([fc.array(fc.array(label, { maxLength: 3 }), { minLength: 1, maxLength: 4 }), fc.array(label, { maxLength: 5 }), fc.boolean()])(
    'a name is in when it is an entry or under one, label by label, whatever case the entries are written in',
    (entries, nameLabels, upper) => {
      const written = entries.map((labels) => {
        const name = under(labels);
        return upper ? name.toUpperCase().slice(0, -1) : name;
      });
      const inFilter = domainFilter(written, 'example.com', 'example.com')!;
      const within = (name: string) =>
        entries.some((labels) => {
          const entry = under(labels);
          return name === entry || name.endsWith(`.${entry}`);
        });
      const name = under(nameLabels);
      expect(inFilter(name)).toBe(within(name));
      // Text that only ends like an entry, without a label boundary, is under it only if under another.
      const [first] = entries;
      if (first && first.length > 0) expect(inFilter(`x${under(first)}`)).toBe(within(`x${under(first)}`));
    },
  );
  test('no filter: no test, every name is in', () => {
    expect(domainFilter(undefined, 'example.com', 'example.com')).toBeUndefined();
  });
});
