import { fc, test } from '@fast-check/vitest';
import type { ServiceStatusView } from '@fedsvc/core';
import { describe, expect } from 'vitest';
import { FederatedServices } from '../src/host/federated-services.js';
import { SHARDS_FINALIZER } from '../src/host/host-api.js';
import { type JsonObject, federatedService } from '../src/testing/index.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const web = { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] };

/** What the controller was asked, in order. */
function recordingController() {
  const calls: string[] = [];
  return {
    calls,
    applyService: (service: { manifest: { metadata: { namespace: string; name: string } } }) =>
      calls.push(`apply ${service.manifest.metadata.namespace}/${service.manifest.metadata.name}`),
    deleteService: (namespace: string, name: string) => calls.push(`delete ${namespace}/${name}`),
    status: (namespace: string, name: string) =>
      ({ namespace, name, clusters: [], loadBalancer: { ingress: [] }, failStatic: [] }) as unknown as ServiceStatusView,
  };
}

function services() {
  const controller = recordingController();
  const due: string[] = [];
  const source = new FederatedServices(controller as never, { logger: silent, statusDue: () => {}, finalizerDue: (key) => due.push(key) });
  return { controller, source, due };
}

function object(options: { finalizers: string[]; deleting: boolean; rv?: string; spec?: object }) {
  const o = federatedService('shop', 'cart', web);
  o['metadata'] = {
    ...(o['metadata'] as JsonObject),
    finalizers: options.finalizers,
    resourceVersion: options.rv ?? '10',
    ...(options.deleting ? { deletionTimestamp: '2026-12-04T23:00:00Z' } : {}),
  };
  if (options.spec) o['spec'] = options.spec as JsonObject;
  return o;
}

const others = fc.uniqueArray(fc.constantFrom('kubernetes.io/a', 'example.com/b', 'example.com/c'), { maxLength: 3 });

describe('FederatedServices: finalizers', () => {
  test.prop([others, fc.boolean(), fc.boolean(), fc.boolean()])(
    "keeps others' finalizers as they are; ours is added on first sight, kept while deleting, removed once forgotten",
    (rest, held, deleting, forgotten) => {
      const { source } = services();
      const finalizers = held ? [...rest, SHARDS_FINALIZER] : rest;
      source.handlers.event('ADDED', object({ finalizers, deleting }));
      if (forgotten) source.forgotten('shop/cart');
      const wanted = source.finalizersWanted('shop/cart');
      const after = wanted ?? finalizers;
      expect(after.filter((f) => f !== SHARDS_FINALIZER)).toEqual(rest);
      const removed = forgotten && deleting;
      expect(after.includes(SHARDS_FINALIZER)).toBe(removed ? false : deleting ? held : true);
      expect(after.filter((f) => f === SHARDS_FINALIZER).length).toBeLessThanOrEqual(1);
      // No change is no write.
      if (wanted !== undefined) expect(wanted).not.toEqual(finalizers);
    },
  );
});

describe('FederatedServices: driving the controller', () => {
  test('applies on first sight and on spec changes only; deletes once when it is marked for deletion', () => {
    const { controller, source } = services();
    source.handlers.event('ADDED', object({ finalizers: [], deleting: false, rv: '10' }));
    source.handlers.event('MODIFIED', object({ finalizers: [SHARDS_FINALIZER], deleting: false, rv: '11' }));
    expect(controller.calls).toEqual(['apply shop/cart']);
    source.handlers.event(
      'MODIFIED',
      object({ finalizers: [SHARDS_FINALIZER], deleting: false, rv: '12', spec: { template: { spec: { ...web, type: 'ClusterIP' } } } }),
    );
    expect(controller.calls).toEqual(['apply shop/cart', 'apply shop/cart']);
    source.handlers.event('MODIFIED', object({ finalizers: [SHARDS_FINALIZER], deleting: true, rv: '13' }));
    source.handlers.event('MODIFIED', object({ finalizers: [SHARDS_FINALIZER], deleting: true, rv: '14' }));
    expect(controller.calls).toEqual(['apply shop/cart', 'apply shop/cart', 'delete shop/cart']);
    // An event older than what is held changes nothing.
    source.handlers.event('MODIFIED', object({ finalizers: [], deleting: false, rv: '12' }));
    expect(source.objects.get('shop/cart')?.['metadata']).toMatchObject({ resourceVersion: '14' });
  });

  test('a relist that misses a service deletes it; one marked for deletion at the first list is deleted', () => {
    const { controller, source } = services();
    source.handlers.replace([object({ finalizers: [SHARDS_FINALIZER], deleting: false })]);
    source.handlers.replace([]);
    expect(controller.calls).toEqual(['apply shop/cart', 'delete shop/cart']);
    const restarted = services();
    restarted.source.handlers.replace([object({ finalizers: [SHARDS_FINALIZER], deleting: true })]);
    expect(restarted.controller.calls).toEqual(['delete shop/cart']);
  });
});
