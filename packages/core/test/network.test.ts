import { describe, expect, it } from 'vitest';
import { TRANSIENT_NETWORK_CODES, isTransientNetworkError } from '@fedsvc/core/provider';

/** A Node system error as `net` / `http` raise it. */
const system = (code: string) => Object.assign(new Error(`connect ${code} 192.0.2.1:443`), { code, syscall: 'connect', errno: -1 });

describe('isTransientNetworkError', () => {
  it.each(TRANSIENT_NETWORK_CODES)('%s on the thrown error is transient', (code) => {
    expect(isTransientNetworkError(system(code))).toBe(true);
  });

  it('reads the code of a wrapped error along the cause chain', () => {
    // Node's fetch: TypeError "fetch failed" around undici's error around the socket's.
    const socket = system('ECONNRESET');
    const undici = Object.assign(new Error('other side closed', { cause: socket }), { code: 'UND_ERR_SOCKET_WRAPPED' });
    expect(isTransientNetworkError(new TypeError('fetch failed', { cause: undici }))).toBe(true);
    expect(isTransientNetworkError(new Error('list failed', { cause: { code: 'EAI_AGAIN' } }))).toBe(true);
  });

  it('other codes, codes that are not strings, and values without a code are not network failures', () => {
    expect(isTransientNetworkError(Object.assign(new Error('open x'), { code: 'ENOENT' }))).toBe(false);
    expect(isTransientNetworkError(Object.assign(new Error('HTTP 503'), { code: 503 }))).toBe(false);
    expect(isTransientNetworkError(new Error('connect ECONNREFUSED 127.0.0.1:1'))).toBe(false);
    for (const value of [undefined, null, 'ECONNRESET', 42]) expect(isTransientNetworkError(value)).toBe(false);
  });

  it('a cause chain that loops ends', () => {
    const a: { code: string; cause?: unknown } = { code: 'EFIRST' };
    a.cause = { code: 'ESECOND', cause: a };
    expect(isTransientNetworkError(a)).toBe(false);
  });

  it('lists each code once', () => {
    expect(new Set(TRANSIENT_NETWORK_CODES).size).toBe(TRANSIENT_NETWORK_CODES.length);
  });
});
