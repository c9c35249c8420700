import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { resolveFederatedQuery, ValidationError, type FederatedQueryContext } from '@fedsvc/core';

type Local = { clusterIP?: string; readyEndpoints: number };
const context = (services: Record<string, Local> = {}): FederatedQueryContext => ({
  federation: { name: 'myfederation', domain: 'example.com' },
  zone: 'us-central1-f',
  region: 'us-central1',
  localService: (namespace, name) => services[`${namespace}/${name}`],
});

/** What a pod's resolver sends, in order, for a relative name (ndots 5, kubelet's search path). */
const expansions = (name: string, podNamespace: string) =>
  [`${podNamespace}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local'].map((s) => `${name}.${s}.`).concat(`${name}.`);
const firstAnswer = (name: string, ctx: FederatedQueryContext) =>
  expansions(name, 'default')
    .map((q) => resolveFederatedQuery(q, ctx))
    .find((a) => a !== null) ?? null;

describe('resolveFederatedQuery', () => {
  test("the guide's pod in us-central1-f: no local shard → CNAME to its zone's federated name", () => {
    expect(resolveFederatedQuery('nginx.mynamespace.myfederation.svc.cluster.local', context())).toEqual({
      kind: 'remote',
      cname: 'nginx.mynamespace.myfederation.svc.us-central1-f.example.com.',
    });
  });

  test('a healthy local shard answers with its cluster-local name and cluster IP', () => {
    const ctx = context({ 'mynamespace/nginx': { clusterIP: '10.63.250.98', readyEndpoints: 2 } });
    expect(resolveFederatedQuery('NGINX.mynamespace.myfederation.svc.cluster.local.', ctx)).toEqual({
      kind: 'local',
      cname: 'nginx.mynamespace.svc.cluster.local.',
      addresses: ['10.63.250.98'],
    });
  });

  test('a local shard without ready endpoints, or headless, is not an answer', () => {
    for (const local of [
      { clusterIP: '10.63.250.98', readyEndpoints: 0 },
      { clusterIP: 'None', readyEndpoints: 3 },
      { readyEndpoints: 3 },
    ]) {
      expect(
        resolveFederatedQuery('nginx.mynamespace.myfederation.svc.cluster.local.', context({ 'mynamespace/nginx': local }))?.kind,
      ).toBe('remote');
    }
  });

  test('zone.region federations answer the zone.region name', () => {
    const ctx = { ...context(), federation: { name: 'myfederation', domain: 'example.com', zoneNameFormat: 'zone.region' as const } };
    expect(resolveFederatedQuery('nginx.mynamespace.myfederation.svc.cluster.local.', ctx)).toEqual({
      kind: 'remote',
      cname: 'nginx.mynamespace.myfederation.svc.us-central1-f.us-central1.example.com.',
    });
  });

  test('the short forms a pod writes reach the same answer through its search path', () => {
    const ctx = context();
    const full = resolveFederatedQuery('nginx.mynamespace.myfederation.svc.cluster.local.', ctx);
    expect(full).not.toBeNull();
    for (const short of [
      'nginx.mynamespace.myfederation',
      'nginx.mynamespace.myfederation.svc',
      'nginx.mynamespace.myfederation.svc.cluster.local',
    ]) {
      expect(firstAnswer(short, ctx)).toEqual(full);
    }
  });

  test('names that are not federated-service queries get null', () => {
    const ctx = context();
    for (const q of [
      'nginx.mynamespace.svc.cluster.local.',
      'nginx.mynamespace.otherfederation.svc.cluster.local.',
      'nginx.mynamespace.myfederation.default.svc.cluster.local.',
      'nginx.mynamespace.myfederation.svc.us-central1-f.example.com.',
      'nginx.mynamespace.myfederation.svc.cluster.local.evil.',
      '9nginx.mynamespace.myfederation.svc.cluster.local.',
      '',
      '.',
    ]) {
      expect(resolveFederatedQuery(q, ctx), q).toBeNull();
    }
  });

  test.prop([fc.oneof(fc.string(), fc.stringMatching(/^[a-z0-9.-]{0,40}\.myfederation\.svc\.cluster\.local\.?$/))], { numRuns: 2000 })(
    'any name: null, or a CNAME inside the federation domain or the cluster domain',
    (q) => {
      const answer = resolveFederatedQuery(q, context({ 'mynamespace/nginx': { clusterIP: '10.0.0.1', readyEndpoints: 1 } }));
      if (answer === null) return;
      expect(answer.cname).toMatch(
        answer.kind === 'local' ? /^[a-z][-a-z0-9]*\.[a-z0-9][-a-z0-9]*\.svc\.cluster\.local\.$/ : /\.example\.com\.$/,
      );
    },
  );

  test('a well-formed query whose federated names would be too long gets null, not an error', () => {
    const federation = { name: 'f'.repeat(40), domain: `${'d'.repeat(60)}.example.com` };
    const ctx: FederatedQueryContext = { federation, zone: 'us-central1-a', region: 'us-central1', localService: () => undefined };
    const q = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'f'.repeat(40)}.svc.cluster.local.`;
    expect(resolveFederatedQuery(q, ctx)).toBeNull();
    // A shorter service in the same federation is answered.
    expect(resolveFederatedQuery(`web.ns.${'f'.repeat(40)}.svc.cluster.local.`, ctx)?.kind).toBe('remote');
  });

  test('a bad context is a ValidationError naming the field', () => {
    expect(() => resolveFederatedQuery('x.', { ...context(), zone: 'Zone A' })).toThrow(expect.objectContaining({ field: 'context.zone' }));
    expect(() => resolveFederatedQuery('x.', { ...context(), clusterDomain: 'cluster..local' })).toThrow(ValidationError);
  });
});
