// Which failures of a list or watch say the cluster could not be reached (logged, retried, the
// cluster's health decided by its probes) rather than that the API server answered badly.
import { ApiException } from '@kubernetes/client-node';
import { TRANSIENT_NETWORK_CODES } from '@fedsvc/core/provider';
import { describe, expect, it } from 'vitest';
import { isConnectionError } from '../src/api-errors.js';

/** A Node system error as `net` / `http` raise it. */
const system = (code: string) => Object.assign(new Error(`connect ${code} 192.0.2.1:443`), { code, syscall: 'connect', errno: -1 });

describe('isConnectionError', () => {
  it.each(TRANSIENT_NETWORK_CODES)(
    '%s, a code every adapter retries, is a connection error (also wrapped, or named only in a message)',
    (code) => {
      expect(isConnectionError(system(code))).toBe(true);
      expect(isConnectionError(new Error('list failed', { cause: system(code) }))).toBe(true);
      expect(isConnectionError(new Error(`request to https://192.0.2.1/api/v1/nodes failed, reason: connect ${code} 192.0.2.1:443`))).toBe(
        true,
      );
    },
  );

  it("Node's wording for a reset and for a response cut short is a connection error", () => {
    expect(isConnectionError(new Error('socket hang up'))).toBe(true);
    expect(isConnectionError(new Error('Premature close'))).toBe(true);
  });

  it('an answer from the server, another system error, or a code inside a word is not', () => {
    expect(isConnectionError(new ApiException(403, 'Forbidden', { message: 'forbidden' }, {}))).toBe(false);
    expect(isConnectionError(Object.assign(new Error('open /kubeconfig'), { code: 'ENOENT' }))).toBe(false);
    expect(isConnectionError(new Error('service XECONNRESETX not found'))).toBe(false);
  });
});
