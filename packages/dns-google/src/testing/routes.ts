// Which API operation a request is: `/dns/v1/projects/{project}/managedZones[/{zone}[/rrsets|/changes[/{id}]]]`.

export type Operation =
  | 'managedZones.list'
  | 'managedZones.get'
  | 'rrsets.list'
  | 'changes.create'
  | 'changes.get'
  | 'changes.list'
  | 'token';

export interface Route {
  readonly operation: Operation;
  readonly zone?: string;
  readonly change?: string;
}

/** Routes one API request; undefined for a path or method the API does not have. */
export function route(method: string, path: string): Route | undefined {
  const m = /^\/dns\/v1\/projects\/([^/]+)\/managedZones(?:\/([^/]+)(\/rrsets|\/changes(?:\/([^/]+))?)?)?$/.exec(path);
  if (!m) return undefined;
  const zone = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
  if (zone === undefined) return method === 'GET' ? { operation: 'managedZones.list' } : undefined;
  if (m[3] === undefined) return method === 'GET' ? { operation: 'managedZones.get', zone } : undefined;
  if (m[3] === '/rrsets') return method === 'GET' ? { operation: 'rrsets.list', zone } : undefined;
  if (m[4] !== undefined) return method === 'GET' ? { operation: 'changes.get', zone, change: decodeURIComponent(m[4]) } : undefined;
  if (method === 'GET') return { operation: 'changes.list', zone };
  return method === 'POST' ? { operation: 'changes.create', zone } : undefined;
}

/** The project a routed path names. */
export const projectOf = (path: string): string => decodeURIComponent(path.split('/')[4] ?? '');
