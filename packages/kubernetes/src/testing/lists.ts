// List pages with continue tokens. A token carries the resourceVersion the list was served at and
// the offset of the next page.
import { type Answer, failure } from './answers.js';
import { isObject } from './fields.js';
import type { Resource, Store } from './store.js';

export class ListPages {
  private expireContinue = false;

  constructor(private readonly store: Store) {}

  /** The next list page asked for with a continue token answers 410 Expired, as after etcd compaction. */
  expireNextContinue(): void {
    this.expireContinue = true;
  }

  page(resource: Resource, namespace: string | undefined, query: URLSearchParams): Answer {
    const all = this.store.list(resource, namespace);
    let offset = 0;
    let listRv = this.store.resourceVersion;
    const token = query.get('continue');
    if (token) {
      const decoded = decodeContinue(token);
      if (!decoded) return failure(400, 'BadRequest', 'continue key is not valid');
      const expire = this.expireContinue;
      this.expireContinue = false;
      if (expire || decoded.rv < this.store.compacted || decoded.rv !== this.store.resourceVersion) {
        // A real server serves later pages from a snapshot; the fixture keeps none, so a page
        // after a write expires the continue token as a compacted snapshot would.
        return failure(
          410,
          'Expired',
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
      }
      offset = decoded.offset;
      listRv = decoded.rv;
    }
    const limit = Number(query.get('limit') ?? '0');
    const page = limit > 0 ? all.slice(offset, offset + limit) : all.slice(offset);
    const more = limit > 0 && offset + limit < all.length;
    const { kind, apiVersion } = this.store.kindOf(resource);
    return {
      code: 200,
      body: {
        kind: `${kind}List`,
        apiVersion,
        // A JsonObject has no undefined members: `continue` is there or not.
        metadata: { resourceVersion: String(listRv), ...(more ? { continue: encodeContinue(listRv, offset + limit) } : {}) },
        items: page,
      },
    };
  }
}

function encodeContinue(rv: number, offset: number): string {
  return Buffer.from(JSON.stringify({ rv, offset })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; offset: number } | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (isObject(value) && typeof value['rv'] === 'number' && typeof value['offset'] === 'number')
      return { rv: value['rv'], offset: value['offset'] };
  } catch {
    // fall through: not a token this server issued
  }
  return undefined;
}
