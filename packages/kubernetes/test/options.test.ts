import { ValidationError } from '@fedsvc/core';
import { describe, expect, test } from 'vitest';
import { type KubernetesClustersOptions, createKubernetesClusters } from '../src/index.js';

const server = { name: 'c', server: 'https://127.0.0.1:6443' };

function fieldOf(options: unknown): { field: string; value: unknown } {
  try {
    createKubernetesClusters(options as KubernetesClustersOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    const { field, value } = error as ValidationError;
    return { field, value };
  }
  throw new Error('expected a ValidationError');
}

describe('options', () => {
  test.each([
    ['clusters that are not a list', { clusters: 'gce-us-east1' }, 'options.clusters'],
    ['plain http without skipTLSVerify', { clusters: [{ ...server, server: 'http://127.0.0.1:8080' }] }, 'options.clusters[0].server'],
    ['a server that is not a URL', { clusters: [{ ...server, server: 'kube-apiserver' }] }, 'options.clusters[0].server'],
    ['a client certificate without its key', { clusters: [{ ...server, clientCert: 'Y2VydA==' }] }, 'options.clusters[0].clientKey'],
    ['the same cluster twice', { clusters: [server, server] }, 'options.clusters[1]'],
    ['a zone that is no DNS label', { clusters: [{ ...server, topology: { zones: ['Zone A'], region: 'r' } }] }, 'options.clusters[0].topology.zones[0]'],
    ['no zones', { clusters: [{ ...server, topology: { zones: [], region: 'r' } }] }, 'options.clusters[0].topology.zones'],
    ['a label that is not a string', { clusters: [{ ...server, labels: { tier: 1 } }] }, 'options.clusters[0].labels["tier"]'],
    ['a missing kubeconfig file', { clusters: [{ context: 'x', kubeconfig: '/nonexistent/kubeconfig' }] }, 'options.clusters[0].kubeconfig'],
    ['a zero health period', { clusters: [server], healthPeriodMs: 0 }, 'options.healthPeriodMs'],
    ['a backoff bound below its start', { clusters: [server], backoff: { initialMs: 1000, maxMs: 10 } }, 'options.backoff.maxMs'],
    ['a namespace that is no DNS label', { clusters: [server], namespace: 'My_NS' }, 'options.namespace'],
  ])('%s is a ValidationError naming the field', (_, options, field) => {
    expect(fieldOf(options).field).toBe(field);
  });

  test('credentials never appear in a validation message', () => {
    try {
      createKubernetesClusters({ clusters: [{ ...server, token: 's3cret-token', server: 'http://127.0.0.1:1' }] });
    } catch (error) {
      expect(String(error)).not.toContain('s3cret-token');
      return;
    }
    throw new Error('expected a ValidationError');
  });
});
