// What an API request asks to do, in the terms RBAC grants it (the API server's request info):
// a verb, the API group, the resource and subresource, the namespace and the object's name, so a
// test can check the requests a client made against the rules of a Role.
import type { RecordedRequest } from './server.js';

/** A request as RBAC sees it. */
export interface RequestAttributes {
  /** get, list, watch, create, update, patch or delete. */
  readonly verb: string;
  /** The API group; `''` for the core group. */
  readonly group: string;
  readonly resource: string;
  /** `status` for the status subresource; `''` for the object itself. */
  readonly subresource: string;
  /** `''` for cluster-scoped resources and requests across namespaces. */
  readonly namespace: string;
  /** `''` for requests on a collection. */
  readonly name: string;
}

const PATH = /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?$/;
const VERBS: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** The RBAC attributes of a recorded API request; undefined for requests outside the resource API (`/readyz`). */
export function requestAttributes(request: Pick<RecordedRequest, 'method' | 'path' | 'query'>): RequestAttributes | undefined {
  const match = PATH.exec(request.path);
  if (!match) return undefined;
  const [, group = '', namespace = '', resource = '', name = '', subresource = ''] = match;
  const watch = request.query.get('watch');
  const verb =
    request.method === 'GET'
      ? watch === 'true' || watch === '1'
        ? 'watch'
        : name === ''
          ? 'list'
          : 'get'
      : (VERBS[request.method] ?? request.method.toLowerCase());
  return { verb, group, resource, subresource, namespace, name };
}
