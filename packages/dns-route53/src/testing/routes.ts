// Which API operation a request's method and path name (REST API 2013-04-01).

export type Operation =
  | 'ListHostedZones'
  | 'ListHostedZonesByName'
  | 'GetHostedZone'
  | 'ListResourceRecordSets'
  | 'ChangeResourceRecordSets'
  | 'GetChange';

export interface Route {
  readonly operation: Operation;
  /** The hosted zone's or the change's id, URL-decoded. */
  readonly id?: string;
}

export function route(method: string, path: string): Route | undefined {
  const m = /^\/2013-04-01\/(hostedzone|hostedzonesbyname|change)(?:\/([^/]+))?(\/rrset\/?)?$/.exec(path);
  if (!m) return undefined;
  const [, resource, id, rrset] = m;
  const decodedId = id === undefined ? undefined : decodeURIComponent(id);
  if (resource === 'hostedzonesbyname' && !id && method === 'GET') return { operation: 'ListHostedZonesByName' };
  if (resource === 'change' && decodedId && method === 'GET') return { operation: 'GetChange', id: decodedId };
  if (resource !== 'hostedzone') return undefined;
  if (!decodedId && method === 'GET') return { operation: 'ListHostedZones' };
  if (decodedId && rrset && method === 'GET') return { operation: 'ListResourceRecordSets', id: decodedId };
  if (decodedId && rrset && method === 'POST') return { operation: 'ChangeResourceRecordSets', id: decodedId };
  if (decodedId && !rrset && method === 'GET') return { operation: 'GetHostedZone', id: decodedId };
  return undefined;
}
