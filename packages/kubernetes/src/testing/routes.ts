// The API paths the fixture serves: collections and objects of nodes, Services, EndpointSlices
// and Leases, each under its own API group, cluster-scoped or namespaced as the resource is.
import { KIND, type Resource } from './store.js';

export const GROUP: Record<Resource, string | undefined> = {
  nodes: undefined,
  services: undefined,
  endpointslices: 'discovery.k8s.io',
  leases: 'coordination.k8s.io',
};

export interface Route {
  readonly resource: Resource;
  readonly namespace: string | undefined;
  /** The object's name; undefined for the collection. */
  readonly name: string | undefined;
}

const ROUTE =
  /^\/(?:api\/v1|apis\/(discovery\.k8s\.io|coordination\.k8s\.io)\/v1)(?:\/namespaces\/([^/]+))?\/(nodes|services|endpointslices|leases)(?:\/([^/]+))?$/;

/** The resource a path names, or undefined when the server has no such path. */
export function parseRoute(path: string): Route | undefined {
  const match = ROUTE.exec(path);
  const resource = match?.[3] as Resource | undefined;
  if (!match || !resource || GROUP[resource] !== match[1] || (KIND[resource].namespaced === false && match[2] !== undefined))
    return undefined;
  return { resource, namespace: match[2], name: match[4] };
}
