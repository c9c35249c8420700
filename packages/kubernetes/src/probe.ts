// One readiness probe of an API server.
import type { KubeConfig } from '@kubernetes/client-node';
import type { ProbeResult } from './health.js';
import { describeError } from './api-errors.js';
import { rawGet } from './request.js';

/** The failed checks of a verbose readiness answer (`[-]etcd failed: reason withheld`), or the HTTP status. */
export function notReadyReason(path: string, status: number, body: string): string {
  const failed = body
    .split('\n')
    .filter((line) => line.startsWith('[-]'))
    .map((line) => line.slice(3).trim());
  return failed.length > 0 ? `${path} check failed: ${failed.join('; ')}` : `${path} answered HTTP ${status}`;
}

/** Probes `/readyz`; servers older than 1.16 have none and answer 404, so `/healthz` stands in. */
export async function probeReadiness(kc: KubeConfig, timeoutMs: number): Promise<ProbeResult> {
  try {
    let path = '/readyz';
    let answer = await rawGet(kc, `${path}?verbose`, timeoutMs);
    if (answer.status === 404) {
      path = '/healthz';
      answer = await rawGet(kc, `${path}?verbose`, timeoutMs);
    }
    if (answer.status === 200) return { kind: 'ready' };
    return { kind: 'not-ready', reason: notReadyReason(path, answer.status, answer.body) };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return {
      kind: 'unreachable',
      reason: timedOut ? `API server did not answer within ${timeoutMs} ms` : `API server unreachable: ${describeError(error)}`,
    };
  }
}
