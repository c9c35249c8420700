// The cluster this process runs in, through its service account. The kubelet rotates projected
// service-account tokens (by swapping the file), and the client's own token-file authentication
// keeps a token for a minute after reading it: a request in that minute after a rotation, once
// the old token has expired, is refused. This reads the file again whenever it changed.
import { stat, readFile } from 'node:fs/promises';
import { KubeConfig, type User } from '@kubernetes/client-node';
import { ValidationError } from '@fedsvc/core/provider';

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const PROVIDER = 'fedsvc-token-file';

/** Bearer tokens read from a file, read again whenever the file is replaced or changes. */
class TokenFileAuthenticator {
  #read: { readonly version: string; readonly token: string } | undefined;

  isAuthProvider(user: User): boolean {
    return (user.authProvider as { name?: unknown } | undefined)?.name === PROVIDER;
  }

  async applyAuthentication(user: User, opts: { headers?: Record<string, unknown> }): Promise<void> {
    const path = String((user.authProvider as { config: { path: string } }).config.path);
    const file = await stat(path);
    const version = `${file.ino}:${file.size}:${file.mtimeMs}`;
    if (this.#read?.version !== version) this.#read = { version, token: (await readFile(path, 'utf8')).trim() };
    opts.headers ??= {};
    opts.headers['Authorization'] = `Bearer ${this.#read.token}`;
  }
}

/**
 * The KubeConfig of the cluster this process runs in: the API server from
 * `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT`, its CA and token from the service
 * account's files. The token is read again for the next request whenever its file changes, so a
 * rotated projected token is used at once.
 *
 * @param options.root Prefix of the service account's directory; default none
 *   (`/var/run/secrets/kubernetes.io/serviceaccount`).
 * @throws ValidationError naming `KUBERNETES_SERVICE_HOST` when it is not set (not in a cluster).
 * @example
 * ```ts
 * const clusters = createKubernetesClusters({ clusters: [{ name: 'home', kubeConfig: inClusterKubeConfig() }] });
 * ```
 */
export function inClusterKubeConfig(options: { readonly root?: string } = {}): KubeConfig {
  const root = options.root ?? '';
  if (!process.env['KUBERNETES_SERVICE_HOST'])
    throw new ValidationError('KUBERNETES_SERVICE_HOST', process.env['KUBERNETES_SERVICE_HOST'], 'is not set: not running in a cluster');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromCluster(root);
  const cluster = kubeConfig.getCurrentCluster()!;
  kubeConfig.addAuthenticator(new TokenFileAuthenticator());
  kubeConfig.loadFromClusterAndUser(cluster, {
    name: 'inClusterUser',
    authProvider: { name: PROVIDER, config: { path: `${root}${SERVICE_ACCOUNT_DIR}/token` } },
  });
  return kubeConfig;
}
