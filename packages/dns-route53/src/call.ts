// Every SDK call goes through `call`, so that the provider fails with ProviderError, never with an SDK error.
import type { RecordSet } from '@fedsvc/core/provider';
import { translateError } from './errors.js';

/** `operation` names the call in the error's message; `batch`: the record sets a change batch touched. */
export async function call<T>(operation: string, run: () => Promise<T>, batch: readonly RecordSet<string>[] = []): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw translateError(e, operation, batch);
  }
}
