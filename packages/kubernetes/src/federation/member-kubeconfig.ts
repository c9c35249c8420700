// A member cluster's credentials, from the Secret its FederatedCluster names. The Secret arrives
// as the API server sends it: `data` values in base64. Its contents are credentials: no error
// carries them, only which key of which Secret is wrong.
import { type Cluster, KubeConfig, type User } from '@kubernetes/client-node';
import { ValidationError } from '@fedsvc/core/provider';
import type { FederatedClusterSpec } from './federated-cluster.js';
import { isFields, keyPath } from './fields.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A KubeConfig reaching the member cluster `spec` names, from its Secret: either `kubeconfig`
 * (its current context's user and TLS settings) or `token` and `ca.crt` (`ca.crt` may be left
 * out only for an `http:` server). The server is always `spec.server`: the FederatedCluster
 * says where the member is, the Secret only how to prove who the federation is. A kubeconfig
 * whose user runs a command (`exec`, `auth-provider`) or reads files is refused: whoever may
 * write the Secret would run code or read files in the source's process. Pure.
 *
 * @param secret - The Secret as the API server returns it (`stringData` never comes back).
 * @returns A KubeConfig with one context, named after the cluster, current.
 * @throws {@link ValidationError} naming `data.kubeconfig`, `data.token` or `data["ca.crt"]`
 * (with the Secret's namespace and name in the message), never the credentials themselves.
 */
export function memberKubeConfig(spec: FederatedClusterSpec, secret: { readonly data?: Readonly<Record<string, string>> }): KubeConfig {
  const where = `Secret ${spec.secretRef.namespace}/${spec.secretRef.name} of cluster ${spec.name}`;
  const data: unknown = secret?.data;
  if (!isFields(data) || (data['kubeconfig'] === undefined && data['token'] === undefined))
    throw new ValidationError('data.token', undefined, `${where} must hold kubeconfig, or token and ca.crt`);
  if (data['kubeconfig'] !== undefined) {
    const { cluster, user } = currentCredentials(decoded(data['kubeconfig'], 'data.kubeconfig', where), where);
    return kubeConfig(spec, { ...user, name: spec.name }, cluster);
  }
  const token = decoded(data['token'], 'data.token', where).trim();
  if (token === '' || /\s/.test(token))
    throw new ValidationError('data.token', '[token]', `${where}: the token must be one word, not empty`);
  const ca = data['ca.crt'];
  if (ca === undefined && spec.server.startsWith('https:'))
    throw new ValidationError(keyPath('data', 'ca.crt'), undefined, `${where} must hold ca.crt beside token for an https server`);
  if (ca !== undefined && !decoded(ca, keyPath('data', 'ca.crt'), where).includes('-----BEGIN CERTIFICATE-----'))
    throw new ValidationError(keyPath('data', 'ca.crt'), '[ca.crt]', `${where}: ca.crt must be PEM certificates`);
  return kubeConfig(spec, { name: spec.name, token }, { caData: ca as string | undefined });
}

function decoded(value: unknown, field: string, where: string): string {
  if (typeof value !== 'string' || !BASE64.test(value))
    throw new ValidationError(field, '[not base64]', `${where}: the value must be base64, as the API server keeps Secret data`);
  try {
    return utf8.decode(Buffer.from(value, 'base64'));
  } catch {
    throw new ValidationError(field, '[not UTF-8]', `${where}: the value must be UTF-8 text`);
  }
}

/** The current context's user and cluster TLS settings of a kubeconfig's text. */
function currentCredentials(text: string, where: string): { cluster: Partial<Cluster>; user: User } {
  const field = 'data.kubeconfig';
  const config = new KubeConfig();
  try {
    config.loadFromString(text);
  } catch (error) {
    throw new ValidationError(field, '[kubeconfig]', `${where}: not a kubeconfig (${(error as Error).message.split('\n')[0]})`);
  }
  const context = config.getContextObject(config.getCurrentContext());
  const cluster = context ? config.getCluster(context.cluster) : null;
  const user = context ? config.getUser(context.user) : null;
  if (!context || !cluster || !user)
    throw new ValidationError(
      field,
      '[kubeconfig]',
      `${where}: the kubeconfig's current-context must name a context whose cluster and user it holds`,
    );
  if (user.exec || user.authProvider || user.certFile || user.keyFile || cluster.caFile)
    throw new ValidationError(
      field,
      '[kubeconfig]',
      `${where}: the kubeconfig's user must carry its credentials inline (token, or client-certificate-data and client-key-data), not run commands or read files`,
    );
  if (!user.token && !(user.certData && user.keyData) && !(user.username && user.password))
    throw new ValidationError(
      field,
      '[kubeconfig]',
      `${where}: the kubeconfig's user holds no credentials (token, or client-certificate-data and client-key-data)`,
    );
  const { caData, skipTLSVerify, tlsServerName } = cluster;
  return { cluster: { caData, skipTLSVerify, tlsServerName }, user };
}

function kubeConfig(spec: FederatedClusterSpec, user: User, tls: Partial<Cluster>): KubeConfig {
  const config = new KubeConfig();
  // The client refuses plain http unless TLS verification is off; there is no TLS to verify there.
  const skipTLSVerify = tls.skipTLSVerify === true || spec.server.startsWith('http:');
  config.loadFromOptions({
    clusters: [{ ...withoutUndefined(tls), name: spec.name, server: spec.server, skipTLSVerify }],
    users: [withoutUndefined(user)],
    contexts: [{ name: spec.name, cluster: spec.name, user: spec.name }],
    currentContext: spec.name,
  });
  return config;
}

const withoutUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
