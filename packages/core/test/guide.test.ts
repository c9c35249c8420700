// The guide's `gcloud dns record-sets list` listing, as a golden test.
import { describe, expect, test } from 'vitest';
import { planServiceRecords } from '@fedsvc/core';
import { guideClusters, guideFederation, guideHealthyAddresses, guideService, guideShards } from '@fedsvc/core/testing';

const records = planServiceRecords({ federation: guideFederation, service: guideService, clusters: guideClusters, shards: guideShards });
const table = new Map(records.map((r) => [`${r.name} ${r.type}`, `${r.ttl} ${r.rrdatas.join(', ')}`]));

describe("the guide's example", () => {
  // Verbatim from the guide, except the global set, which the guide cuts short with "...".
  test.each([
    ['nginx.mynamespace.myfederation.svc.us-central1-a.example.com. A', '180 104.197.247.191'],
    ['nginx.mynamespace.myfederation.svc.us-central1-b.example.com. A', '180 104.197.244.180'],
    ['nginx.mynamespace.myfederation.svc.us-central1-c.example.com. A', '180 104.197.245.170'],
    [
      'nginx.mynamespace.myfederation.svc.us-central1-f.example.com. CNAME',
      '180 nginx.mynamespace.myfederation.svc.us-central1.example.com.',
    ],
    ['nginx.mynamespace.myfederation.svc.asia-east1-a.example.com. A', '180 130.211.57.243'],
    [
      'nginx.mynamespace.myfederation.svc.asia-east1-b.example.com. CNAME',
      '180 nginx.mynamespace.myfederation.svc.asia-east1.example.com.',
    ],
    ['nginx.mynamespace.myfederation.svc.asia-east1-c.example.com. A', '180 130.211.56.221'],
    ['nginx.mynamespace.myfederation.svc.europe-west1.example.com. CNAME', '180 nginx.mynamespace.myfederation.svc.example.com.'],
    [
      'nginx.mynamespace.myfederation.svc.europe-west1-d.example.com. CNAME',
      '180 nginx.mynamespace.myfederation.svc.europe-west1.example.com.',
    ],
  ])('%s', (key, data) => {
    expect(table.get(key)).toBe(data);
  });

  test("the regional sets hold their zones' addresses (the guide lists them in another order)", () => {
    const set = (key: string) => new Set(table.get(key)?.split(' ').slice(1).join(' ').split(', '));
    expect(set('nginx.mynamespace.myfederation.svc.us-central1.example.com. A')).toEqual(
      new Set(['104.197.247.191', '104.197.244.180', '104.197.245.170']),
    );
    expect(set('nginx.mynamespace.myfederation.svc.asia-east1.example.com. A')).toEqual(new Set(['130.211.57.243', '130.211.56.221']));
  });

  test('the global set starts as the guide shows and holds every healthy shard', () => {
    const global = records.find((r) => r.name === 'nginx.mynamespace.myfederation.svc.example.com.');
    expect(global?.type).toBe('A');
    expect(new Set(global?.rrdatas)).toEqual(new Set(Object.values(guideHealthyAddresses)));
    for (const shown of ['104.197.246.190', '130.211.57.243', '104.196.14.231', '104.199.136.89']) expect(global?.rrdatas).toContain(shown);
  });

  test('"... etc.": the rest the rules imply, and nothing else', () => {
    expect(table.get('nginx.mynamespace.myfederation.svc.europe-west1-b.example.com. CNAME')).toBe(
      '180 nginx.mynamespace.myfederation.svc.europe-west1.example.com.',
    );
    expect(table.get('nginx.mynamespace.myfederation.svc.europe-west1-c.example.com. CNAME')).toBe(
      '180 nginx.mynamespace.myfederation.svc.europe-west1.example.com.',
    );
    expect(table.get('nginx.mynamespace.myfederation.svc.us-east1.example.com. A')).toBe(
      '180 104.196.14.231, 104.197.246.190, 104.199.136.89',
    );
    expect(table.get('nginx.mynamespace.myfederation.svc.us-east1-b.example.com. A')).toBe('180 104.197.246.190');
    expect(table.get('nginx.mynamespace.myfederation.svc.us-east1-c.example.com. A')).toBe('180 104.196.14.231');
    expect(table.get('nginx.mynamespace.myfederation.svc.us-east1-d.example.com. A')).toBe('180 104.199.136.89');
    // 1 global + 4 regions + 13 zones, one record set each.
    expect(records).toHaveLength(18);
  });
});
