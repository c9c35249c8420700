// Paged listings as Cloud DNS answers them: maxResults, and an opaque pageToken for the next page.
import { ApiError } from './api-error.js';

/** Page tokens are opaque to clients; here, the last key of the previous page. */
const encodeToken = (key: string) => Buffer.from(key, 'utf8').toString('base64url');
const decodeToken = (token: string) => Buffer.from(token, 'base64url').toString('utf8');

/** Where the page after `after` starts in `items` (sorted by key): the first item whose key is greater. */
function firstAfter<T>(items: readonly T[], keyOf: (item: T) => string, after: string): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (keyOf(items[middle] as T) > after) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** One page of `items`, which are sorted by `keyOf`. */
export function page<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  query: URLSearchParams,
  defaultSize: number,
): { items: T[]; nextPageToken?: string } {
  const max = query.get('maxResults');
  const size = max === null ? defaultSize : Number(max);
  if (!Number.isInteger(size) || size < 1)
    throw new ApiError(400, [{ reason: 'invalid', message: `Invalid value for 'parameters.maxResults': '${max}'` }]);
  const token = query.get('pageToken');
  const start = token === null || token === '' ? 0 : firstAfter(items, keyOf, decodeToken(token));
  const chosen = items.slice(start, start + size);
  const last = chosen[chosen.length - 1];
  return items.length - start > size && last !== undefined ? { items: chosen, nextPageToken: encodeToken(keyOf(last)) } : { items: chosen };
}
