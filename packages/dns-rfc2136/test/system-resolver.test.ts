// core's dnsResolver against a real BIND: what the controller's resolveHostname does with a
// load-balancer hostname.
import { dnsResolver } from '@fedsvc/core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type BindServer, startBind } from '../src/testing/index.js';

let bind: BindServer;
let resolve: (hostname: string) => Promise<string[]>;
beforeAll(async () => {
  bind = await startBind({
    zones: ['elb.example.'],
    records: [
      'both 60 IN A 192.0.2.10',
      'both 60 IN A 192.0.2.11',
      'both 60 IN AAAA 2001:db8::10',
      'v6 60 IN AAAA 2001:db8::20',
      'text 60 IN TXT "no address"',
    ],
  });
  resolve = dnsResolver([`127.0.0.1:${bind.port}`]);
});
afterAll(async () => {
  await bind?.stop();
});

test('A and AAAA addresses of a hostname', async () => {
  expect((await resolve('both.elb.example')).sort()).toEqual(['192.0.2.10', '192.0.2.11', '2001:db8::10']);
  expect(await resolve('v6.elb.example')).toEqual(['2001:db8::20']);
});

test('a name with no address resolves to none, and so does a name that does not exist', async () => {
  expect(await resolve('text.elb.example')).toEqual([]);
  expect(await resolve('missing.elb.example')).toEqual([]);
});

test('a server that refuses the name fails the lookup (the controller then keeps the last addresses)', async () => {
  await expect(resolve('elsewhere.example')).rejects.toMatchObject({ code: expect.stringMatching(/REFUSED|SERVFAIL/) });
});
