// A member's credentials from the Secret its FederatedCluster names: a kubeconfig or a token and
// CA make a KubeConfig for the spec's server; anything else is a ValidationError naming the key
// and the Secret, and never the credentials.
import { fc, test } from '@fast-check/vitest';
import { ValidationError } from '@fedsvc/core';
import { describe, expect } from 'vitest';
import { type FederatedClusterSpec, memberKubeConfig } from '../src/index.js';

const spec: FederatedClusterSpec = {
  name: 'gce-us-central1-a',
  labels: {},
  server: 'https://10.0.0.1:6443',
  secretRef: { name: 'secret-a', namespace: 'fedsvc-system' },
};
const CA = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2Fub3QgYmUgdXNlZA==\n-----END CERTIFICATE-----\n';
const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

function kubeconfig(users: string, current = 'member'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `current-context: ${current}`,
    'clusters:',
    `- name: other\n  cluster:\n    server: https://192.0.2.9:443\n    certificate-authority-data: ${base64('not used')}`,
    `- name: member\n  cluster:\n    server: https://192.0.2.1:443\n    certificate-authority-data: ${base64(CA)}\n    tls-server-name: api.member`,
    'contexts:',
    '- name: other\n  context: { cluster: other, user: other }',
    '- name: member\n  context: { cluster: member, user: member }',
    'users:',
    '- name: other\n  user: { token: other-token }',
    users,
  ].join('\n');
}

describe('memberKubeConfig', () => {
  test('token and ca.crt reach the spec server with that CA and token', () => {
    const config = memberKubeConfig(spec, { data: { token: base64('abc.def.ghi\n'), 'ca.crt': base64(CA) } });
    expect(config.getCurrentCluster()).toMatchObject({ server: spec.server, caData: base64(CA), skipTLSVerify: false });
    expect(config.getCurrentUser()).toMatchObject({ name: spec.name, token: 'abc.def.ghi' });
  });

  test("a kubeconfig gives its current context's user and TLS settings, and the spec's server", () => {
    const config = memberKubeConfig(spec, { data: { kubeconfig: base64(kubeconfig('- name: member\n  user: { token: member-token }')) } });
    expect(config.getCurrentCluster()).toMatchObject({ server: spec.server, caData: base64(CA), tlsServerName: 'api.member' });
    expect(config.getCurrentUser()).toMatchObject({ token: 'member-token' });
    expect(config.getContexts().map((context) => context.name)).toEqual([spec.name]);
  });

  test.each([
    ['a user running a command', '- name: member\n  user:\n    exec: { apiVersion: client.authentication.k8s.io/v1, command: /bin/sh }'],
    ['a user reading files', '- name: member\n  user: { client-certificate: /etc/cert.pem, client-key: /etc/key.pem }'],
    ['a user without credentials', '- name: member\n  user: {}'],
  ])('a kubeconfig with %s is refused at data.kubeconfig', (_, users) => {
    expect(() => memberKubeConfig(spec, { data: { kubeconfig: base64(kubeconfig(users)) } })).toThrow(
      expect.objectContaining({ field: 'data.kubeconfig', message: expect.stringContaining('Secret fedsvc-system/secret-a') }),
    );
  });

  test('a current-context the kubeconfig lacks is refused at data.kubeconfig', () => {
    expect(() =>
      memberKubeConfig(spec, { data: { kubeconfig: base64(kubeconfig('- name: member\n  user: { token: t }', 'gone')) } }),
    ).toThrow(expect.objectContaining({ field: 'data.kubeconfig' }));
  });

  test.each([
    [{}, 'data.token'],
    [{ token: 'not base64!' }, 'data.token'],
    [{ token: base64('   ') }, 'data.token'],
    [{ token: base64('two words'), 'ca.crt': base64(CA) }, 'data.token'],
    [{ token: base64('t') }, 'data["ca.crt"]'],
    [{ token: base64('t'), 'ca.crt': base64('not a certificate') }, 'data["ca.crt"]'],
    [{ token: base64('t'), 'ca.crt': 'QQ' }, 'data["ca.crt"]'],
    [{ kubeconfig: base64('clusters: [') }, 'data.kubeconfig'],
    [{ kubeconfig: Buffer.from([0xff, 0xfe, 0x00]).toString('base64') }, 'data.kubeconfig'],
  ])('%j is refused at %s', (data, field) => {
    expect(() => memberKubeConfig(spec, { data })).toThrow(
      expect.objectContaining({ field, message: expect.stringContaining('Secret fedsvc-system/secret-a of cluster gce-us-central1-a') }),
    );
  });

  test('an http server needs no ca.crt', () => {
    const config = memberKubeConfig({ ...spec, server: 'http://127.0.0.1:8001' }, { data: { token: base64('t') } });
    expect(config.getCurrentCluster()?.server).toBe('http://127.0.0.1:8001');
  });

  const value = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.base64String({ maxLength: 40 }),
    fc.string({ minLength: 8, maxLength: 40 }).map(base64),
    fc.constantFrom(base64(CA), base64(kubeconfig('- name: member\n  user: { token: secret-token-123 }'))),
    fc.jsonValue(),
  );
  test.prop([
    fc.dictionary(fc.constantFrom('kubeconfig', 'token', 'ca.crt', 'other'), value),
    fc.constantFrom('https://h:6443', 'http://h'),
  ])('any Secret data gives a KubeConfig for the spec server or a ValidationError naming a key, without its value', (data, server) => {
    let config: ReturnType<typeof memberKubeConfig> | undefined;
    try {
      config = memberKubeConfig({ ...spec, server }, { data: data as Record<string, string> });
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect(['data.kubeconfig', 'data.token', 'data["ca.crt"]']).toContain((error as ValidationError).field);
      expect((error as Error).message).toContain('Secret fedsvc-system/secret-a');
      expect((error as Error).message).not.toContain('secret-token-123');
      for (const item of Object.values(data))
        if (typeof item === 'string' && item.length >= 12) expect((error as Error).message).not.toContain(item);
      return;
    }
    expect(config.getCurrentCluster()?.server).toBe(server);
  });
});
