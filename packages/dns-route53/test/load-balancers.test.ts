// Which hostnames the adapter takes for AWS load balancers, and the canonical zone each alias names.
import { ValidationError } from '@fedsvc/core';
import { describe, expect, it } from 'vitest';
import { LOAD_BALANCER_ZONES, loadBalancerTarget } from '../src/load-balancers.js';
import { createRoute53Provider } from '../src/index.js';

describe('loadBalancerTarget', () => {
  it.each([
    // Classic / Application Load Balancers: <lb>.<region>.elb.amazonaws.com, one zone per region.
    ['my-classic-lb-1234567890.us-east-1.elb.amazonaws.com.', 'Z35SXDOTRQ7X7K', false],
    ['k8s-default-web-0a1b2c3d4e-1234567890.eu-west-1.elb.amazonaws.com.', 'Z32O12XQLNTSW2', false],
    ['internal-my-alb-987654321.ap-northeast-1.elb.amazonaws.com.', 'Z14GRHDCWA56QT', false],
    ['dualstack.my-alb-987654321.us-west-2.elb.amazonaws.com.', 'Z1H1FL5HABSF5', true],
    // Network Load Balancers: <lb>.elb.<region>.amazonaws.com, another zone per region.
    ['my-nlb-0123456789abcdef.elb.us-east-1.amazonaws.com.', 'Z26RNL4JYFTOTI', false],
    ['a1b2c3d4e5f6-0123456789abcdef.elb.eu-central-1.amazonaws.com.', 'Z3F0SRJ5LGBH90', false],
    ['dualstack.my-nlb-0123456789abcdef.elb.ap-southeast-2.amazonaws.com.', 'ZCT6FZBF4DROD', true],
    // China: .amazonaws.com.cn.
    ['my-alb-123.cn-north-1.elb.amazonaws.com.cn.', 'Z1GDH35T77C1KE', false],
    ['my-nlb-0123456789abcdef.elb.cn-northwest-1.amazonaws.com.cn.', 'ZQEIKTCZ8352D', false],
    // GovCloud, and regions added to the table later.
    ['my-alb-123.us-gov-west-1.elb.amazonaws.com.', 'Z33AYJ8TM3BH4J', false],
    ['my-alb-123.ap-east-2.elb.amazonaws.com.', 'Z02789141MW7T1WBU19PO', false],
    ['my-nlb-0123456789abcdef.elb.ap-southeast-6.amazonaws.com.', 'Z01392953RKV2Q3RBP0KU', false],
  ])('%s → %s (dualstack %s)', (hostname, hostedZoneId, dualstack) => {
    expect(loadBalancerTarget(hostname)).toEqual({ hostedZoneId, dualstack });
  });

  it.each([
    ['a name outside AWS', 'foo.example.com.'],
    ['two labels under an ELB zone', 'a.my-alb-123.us-east-1.elb.amazonaws.com.'],
    ['two labels under an NLB zone', 'a.my-nlb-1.elb.us-east-1.amazonaws.com.'],
    ['dualstack twice', 'dualstack.dualstack.my-alb-123.us-east-1.elb.amazonaws.com.'],
    ['an unknown region', 'my-alb-123.xx-nowhere-9.elb.amazonaws.com.'],
    ['an unknown NLB region', 'my-nlb-1.elb.xx-nowhere-9.amazonaws.com.'],
    ['a China region under .com', 'my-alb-123.cn-north-1.elb.amazonaws.com.'],
    ['a region outside China under .com.cn', 'my-alb-123.us-east-1.elb.amazonaws.com.cn.'],
    ['the zone itself', 'us-east-1.elb.amazonaws.com.'],
    ['an NLB zone itself', 'elb.us-east-1.amazonaws.com.'],
    ['dualstack. and the zone', 'dualstack.us-east-1.elb.amazonaws.com.'],
    ['another AWS service', 'my-bucket.s3.us-east-1.amazonaws.com.'],
    ['a look-alike', 'my-alb-123.us-east-1.elb.amazonaws.com.evil.example.'],
    ['an invalid label', 'my_alb.us-east-1.elb.amazonaws.com.'],
    ['a label ending in a hyphen', 'my-alb-.us-east-1.elb.amazonaws.com.'],
    ['a label over 63 characters', `${'a'.repeat(64)}.us-east-1.elb.amazonaws.com.`],
    ['upper case (not normalized)', 'My-ALB-123.us-east-1.elb.amazonaws.com.'],
    ['no trailing dot (not normalized)', 'my-alb-123.us-east-1.elb.amazonaws.com'],
    ['an address', '192.0.2.1'],
    ['the empty string', ''],
  ])('refuses %s: %s', (_, hostname) => {
    expect(loadBalancerTarget(hostname)).toBeUndefined();
  });

  it('accepts a 63-character load-balancer label', () => {
    expect(loadBalancerTarget(`${'a'.repeat(63)}.us-east-1.elb.amazonaws.com.`)).toEqual({
      hostedZoneId: 'Z35SXDOTRQ7X7K',
      dualstack: false,
    });
  });

  it('has one zone per region and kind, every name distinct, China under amazonaws.com.cn', () => {
    const names = LOAD_BALANCER_ZONES.map((z) => z.dnsName);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(LOAD_BALANCER_ZONES.map((z) => z.hostedZoneId)).size).toBe(LOAD_BALANCER_ZONES.length);
    for (const { hostedZoneId, dnsName } of LOAD_BALANCER_ZONES) {
      expect(hostedZoneId).toMatch(/^Z[A-Z0-9]+$/);
      expect(dnsName).toMatch(/^(?:[a-z]{2}(?:-gov)?-[a-z]+-\d\.elb|elb\.[a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com\.(?:cn\.)?$/);
      expect(dnsName.endsWith('.com.cn.')).toBe(/\bcn-/.test(dnsName));
    }
    const elb = LOAD_BALANCER_ZONES.filter((z) => !z.dnsName.startsWith('elb.'));
    expect(elb.length).toBe(LOAD_BALANCER_ZONES.length / 2);
  });
});

describe('the aliases option', () => {
  it('must be a boolean: a ValidationError names it', () => {
    for (const bad of ['yes', 1, null]) {
      const thrown = (() => {
        try {
          createRoute53Provider({ aliases: bad as unknown as boolean });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(thrown).toBeInstanceOf(ValidationError);
      expect((thrown as ValidationError).field).toBe('aliases');
      expect((thrown as ValidationError).value).toBe(bad);
    }
  });

  it('without it (or false) the provider has no canAlias', () => {
    const plain = createRoute53Provider({ clientConfig: { region: 'us-east-1' } });
    const off = createRoute53Provider({ clientConfig: { region: 'us-east-1' }, aliases: false });
    try {
      expect(plain.canAlias).toBeUndefined();
      expect('canAlias' in plain).toBe(false);
      expect(off.canAlias).toBeUndefined();
    } finally {
      plain.close();
      off.close();
    }
  });

  it('with it, canAlias says which hostnames are load balancers, in any case, with or without the dot', () => {
    const provider = createRoute53Provider({ clientConfig: { region: 'us-east-1' }, aliases: true });
    try {
      const canAlias = provider.canAlias;
      expect(canAlias).toBeTypeOf('function');
      expect(canAlias?.('dualstack.my-alb-1.us-east-1.elb.amazonaws.com.')).toBe(true);
      expect(canAlias?.('internal-my-alb-1.eu-west-1.elb.amazonaws.com.')).toBe(true);
      expect(canAlias?.('my-nlb-1.elb.us-east-1.amazonaws.com.')).toBe(true);
      expect(canAlias?.('my-alb-1.cn-north-1.elb.amazonaws.com.cn.')).toBe(true);
      expect(canAlias?.('My-ALB-1.US-EAST-1.elb.amazonaws.com')).toBe(true);
      expect(canAlias?.('foo.example.com.')).toBe(false);
      expect(canAlias?.('a.b.us-east-1.elb.amazonaws.com.')).toBe(false);
      expect(canAlias?.('my-alb-1.xx-nowhere-9.elb.amazonaws.com.')).toBe(false);
    } finally {
      provider.close();
    }
  });
});
