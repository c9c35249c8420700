// A plain request through a KubeConfig's applied options (agent with CA / client certificate,
// bearer token), for endpoints whose body the generated API hides, such as `/readyz?verbose`.
import { request as httpRequest } from 'node:http';
import { type RequestOptions, request as httpsRequest } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export interface RawResponse {
  readonly status: number;
  readonly body: string;
}

/** GETs `path` from the KubeConfig's current cluster; rejects on network failure or after `timeoutMs`. */
export async function rawGet(kc: KubeConfig, path: string, timeoutMs: number): Promise<RawResponse> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/$/, '') + path);
  const options: RequestOptions = { method: 'GET' };
  await kc.applyToHTTPSOptions(options);
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { ...options, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        // A readiness answer is a few lines; anything larger is not one.
        if (chunks.reduce((n, c) => n + c.length, 0) < 65536) chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
