// Aborting a watch of the client's Watch from outside, whatever state its request is in.
import type { KubeConfig } from '@kubernetes/client-node';

/** Aborts when either aborts (AbortSignal.any, which Node 20.0 to 20.2 lack). */
function eitherSignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  const both = new AbortController();
  const onAbort = (): void => {
    a.removeEventListener('abort', onAbort);
    b.removeEventListener('abort', onAbort);
    both.abort();
  };
  if (a.aborted || b.aborted) both.abort();
  else {
    a.addEventListener('abort', onAbort, { once: true });
    b.addEventListener('abort', onAbort, { once: true });
  }
  return both.signal;
}

/**
 * A view of `kc` for the client's Watch whose requests are aborted with `signal`, from the start
 * (before the server has answered, when the Watch has not handed out its abort handle yet) to
 * the end of the stream. The Watch sets its own signal on the request options it gets from
 * `applyToFetchOptions`; the one set here is combined with it instead of being replaced.
 */
export function abortableConfig(kc: KubeConfig, signal: AbortSignal): KubeConfig {
  const view = Object.create(kc) as KubeConfig;
  view.applyToFetchOptions = async (opts) => {
    const init = await kc.applyToFetchOptions(opts);
    let current: AbortSignal = signal;
    Object.defineProperty(init, 'signal', {
      configurable: true,
      enumerable: true,
      get: () => current,
      set: (theirs: AbortSignal | null | undefined) => {
        current = theirs ? eitherSignal(theirs, signal) : signal;
      },
    });
    return init;
  };
  return view;
}
