import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    [
      'a zone that is no DNS label',
      { clusters: [{ ...server, topology: { zones: ['Zone A'], region: 'r' } }] },
      'options.clusters[0].topology.zones[0]',
    ],
    ['no zones', { clusters: [{ ...server, topology: { zones: [], region: 'r' } }] }, 'options.clusters[0].topology.zones'],
    ['a label that is not a string', { clusters: [{ ...server, labels: { tier: 1 } }] }, 'options.clusters[0].labels["tier"]'],
    [
      'a missing kubeconfig file',
      { clusters: [{ context: 'x', kubeconfig: '/nonexistent/kubeconfig' }] },
      'options.clusters[0].kubeconfig',
    ],
    ['a zero health period', { clusters: [server], healthPeriodMs: 0 }, 'options.healthPeriodMs'],
    ['a zero suspect period', { clusters: [server], suspectPeriodMs: 0 }, 'options.suspectPeriodMs'],
    ['a fractional suspect probe timeout', { clusters: [server], suspectProbeTimeoutMs: 2.5 }, 'options.suspectProbeTimeoutMs'],
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

  function validationError(options: unknown): ValidationError {
    try {
      createKubernetesClusters(options as KubernetesClustersOptions);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return error as ValidationError;
    }
    throw new Error('expected a ValidationError');
  }

  // The usual slip: passing the file's contents as read, a Buffer, where base64 PEM text belongs.
  const pem = Buffer.from('-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB7private-key-material-0123456789\n-----END EC PRIVATE KEY-----\n');

  test('a client key given as a Buffer is rejected without its bytes in the error', () => {
    const error = validationError({ clusters: [{ ...server, clientCert: 'Y2VydA==', clientKey: pem }] });
    expect(error.field).toBe('options.clusters[0].clientKey');
    expect(error.value).not.toBe(pem);
    const shown = `${error.message} ${String(error.value)} ${JSON.stringify(error)}`;
    expect(shown).not.toContain('BEGIN');
    expect(shown).not.toContain('private-key-material');
    expect(shown).not.toContain(pem.subarray(0, 8).toJSON().data.join(','));
    expect(error.message).toContain('Buffer');
  });

  test('a token given as a Buffer or an object is rejected without its value in the error', () => {
    for (const token of [Buffer.from('s3cret-token'), { value: 's3cret-token' }]) {
      const error = validationError({ clusters: [{ ...server, token }] });
      expect(error.field).toBe('options.clusters[0].token');
      const shown = `${error.message} ${String(error.value)} ${JSON.stringify(error)}`;
      expect(shown).not.toContain('s3cret-token');
      expect(shown).not.toContain(Buffer.from('s3cret-token').toJSON().data.join(','));
    }
  });

  test('a kubeconfig that is not valid YAML is named without quoting its lines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedsvc-kubeconfig-'));
    try {
      const file = join(dir, 'config');
      writeFileSync(file, 'apiVersion: v1\nusers:\n- name: u\n  user:\n    token: s3cret-token: [unclosed\n');
      const error = validationError({ clusters: [{ context: 'x', kubeconfig: file }] });
      expect(error.field).toBe('options.clusters[0].kubeconfig');
      expect(error.message).toContain('YAML');
      expect(error.message).not.toContain('s3cret-token');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
