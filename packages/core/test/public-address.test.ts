// Addresses no public record may carry are refused with a reason: by the planner, and per shard
// by the controller, which plans the shard's other addresses as if the bad ones were not there.
import { BlockList } from 'node:net';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { parseAddress, publicAddress } from '../src/dns/addresses.js';
import { ValidationError } from '../src/errors.js';
import { planServiceRecords } from '../src/planning/plan.js';
import { topology } from './topology.arbitrary.js';

// Node's own subnet matcher is the oracle: the classes as the RFCs give them.
const unpublishable = new BlockList();
unpublishable.addSubnet('127.0.0.0', 8, 'ipv4');
unpublishable.addSubnet('169.254.0.0', 16, 'ipv4');
unpublishable.addSubnet('224.0.0.0', 4, 'ipv4');
unpublishable.addAddress('255.255.255.255', 'ipv4');
unpublishable.addAddress('0.0.0.0', 'ipv4');
unpublishable.addAddress('::', 'ipv6');
unpublishable.addAddress('::1', 'ipv6');
unpublishable.addSubnet('fe80::', 10, 'ipv6');
unpublishable.addSubnet('ff00::', 8, 'ipv6');
const isMapped = (text: string) => /^::ffff:\d/.test(parseAddress(text)?.text ?? '');
const refused = (text: string) => isMapped(text) || unpublishable.check(text, text.includes(':') ? 'ipv6' : 'ipv4');

/** Addresses of every class, the refused ones often. */
const v4 = fc.oneof(
  fc.ipV4(),
  fc.tuple(fc.constantFrom(127, 169, 224, 239, 255, 0), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.')),
  fc.constantFrom('169.254.1.1', '255.255.255.255', '0.0.0.0'),
);
const v6 = fc.oneof(
  fc.ipV6(),
  fc.constantFrom('::1', '::', 'fe80::1', 'FEBF::9', 'ff02::1', '::ffff:192.0.2.1', '::FFFF:c000:201', '0::0:1'),
);
const anyAddress = fc.oneof(v4, v6);
const bad = fc.oneof(anyAddress.filter(refused), fc.constantFrom('not-an-ip', '1.2.3', '010.0.0.1', 'fe80::1%eth0', ''));

describe('publicAddress', () => {
  test.prop([anyAddress], { numRuns: 2000 })('refuses exactly the addresses no public record may carry, with a reason', (text) => {
    const result = publicAddress(text);
    if (refused(text)) expect(result).toMatch(/^is .+: no public record may carry it$/);
    else expect(result).toEqual(parseAddress(text));
  });

  test.prop([fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant(undefined))])(
    'what is not an address is refused',
    (raw) => {
      fc.pre(typeof raw !== 'string' || parseAddress(raw) === null);
      expect(publicAddress(raw)).toBe('must be an IPv4 or IPv6 address');
    },
  );

  test.prop([topology({ maxClusters: 8 }), bad, fc.nat()])(
    'the planner refuses them, naming the shard address and the reason',
    (t, address, at) => {
      fc.pre(t.shards.length > 0);
      const i = at % t.shards.length;
      const shards = t.shards.map((s, k) => (k === i ? { ...s, addresses: [...s.addresses, address] } : s));
      try {
        planServiceRecords({ ...t, shards });
        expect.unreachable('a ValidationError');
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).field).toBe(`shards[${i}].addresses[${t.shards[i]!.addresses.length}]`);
        expect((error as ValidationError).value).toBe(address);
      }
    },
  );
});
