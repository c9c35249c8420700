// The API paths the fixture serves: `/api/v1/...` for the core group and `/apis/<group>/<version>/...`
// for the others, collections and objects, cluster-scoped or namespaced as the resource is, and an
// object's `status` subresource.
import type { Resource, Store } from './store.js';

export interface Route {
  readonly resource: Resource;
  readonly namespace: string | undefined;
  /** The object's name; undefined for the collection. */
  readonly name: string | undefined;
  /** `status` for the status subresource; undefined for the object itself. */
  readonly subresource: 'status' | undefined;
}

const ROUTE = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+)(?:\/(status))?)?$/;

/** The resource a path names among those `store` serves, or undefined when the server has no such path. */
export function parseRoute(path: string, store: Store): Route | undefined {
  const match = ROUTE.exec(path);
  if (!match) return undefined;
  const [, coreVersion, group, groupVersion, namespace, plural, name, subresource] = match;
  const apiVersion = coreVersion ?? `${group}/${groupVersion}`;
  for (const [resource, kind] of store.resources) {
    if (kind.plural !== plural || kind.apiVersion !== apiVersion) continue;
    if (!kind.namespaced && namespace !== undefined) return undefined;
    return { resource, namespace, name, subresource: subresource as 'status' | undefined };
  }
  return undefined;
}
