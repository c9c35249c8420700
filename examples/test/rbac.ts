// What RBAC manifests grant, and what a fixture's recorded requests used: each request as the API
// server's authorizer sees it (API group, resource with its subresource, namespace, verb).
import { loadAllYaml } from '@kubernetes/client-node';

export interface Permission {
  readonly group: string;
  /** `services`, `federatedservices/status`; for a non-resource request, its path. */
  readonly resource: string;
  readonly verb: string;
  /** Where the request was made; undefined for cluster-scoped ones. */
  readonly namespace?: string;
  readonly nonResource?: boolean;
}

interface Rule {
  readonly groups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly nonResourceURLs: readonly string[];
  /** A Role's namespace; undefined for a ClusterRole. */
  readonly namespace?: string;
}

/** Every rule of the Roles and ClusterRoles in a manifest file. */
export function grantedRules(yaml: string): Rule[] {
  type RoleDocument = { kind?: string; metadata?: { namespace?: string }; rules?: Record<string, string[] | undefined>[] };
  return (loadAllYaml(yaml) as (RoleDocument | null)[])
    .filter((doc): doc is RoleDocument => doc?.kind === 'Role' || doc?.kind === 'ClusterRole')
    .flatMap((doc) =>
      (doc.rules ?? []).map((rule) => ({
        groups: rule['apiGroups'] ?? [],
        resources: rule['resources'] ?? [],
        verbs: rule['verbs'] ?? [],
        nonResourceURLs: rule['nonResourceURLs'] ?? [],
        namespace: doc.kind === 'Role' ? doc.metadata?.namespace : undefined,
      })),
    );
}

const RESOURCE_PATH = /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?$/;

/** The permission each request needed, once each. */
export function usedPermissions(
  requests: readonly { method: string; path: string; query: URLSearchParams; contentType?: string | undefined }[],
): Permission[] {
  const seen = new Map<string, Permission>();
  const add = (permission: Permission): void => {
    seen.set(JSON.stringify(permission), permission);
  };
  for (const request of requests) {
    if (['/readyz', '/healthz', '/livez'].includes(request.path)) {
      add({ group: '', resource: request.path, verb: 'get', nonResource: true });
      continue;
    }
    const match = RESOURCE_PATH.exec(request.path);
    if (!match) throw new Error(`unrecognised request path ${request.path}`);
    const [, group = '', namespace, resource = '', name, subresource] = match;
    const full = subresource ? `${resource}/${subresource}` : resource;
    const watch = request.query.get('watch') === 'true' || request.query.get('watch') === '1';
    const verbs: string[] = {
      GET: [name ? 'get' : watch ? 'watch' : 'list'],
      POST: ['create'],
      PUT: ['update'],
      DELETE: ['delete'],
      // A server-side apply that finds no object creates it: the API server asks for create as well.
      PATCH: request.contentType?.startsWith('application/apply-patch') && !subresource ? ['patch', 'create'] : ['patch'],
    }[request.method] ?? [request.method.toLowerCase()];
    for (const verb of verbs) add({ group, resource: full, verb, namespace });
  }
  return [...seen.values()];
}

function grants(rule: Rule, p: Permission): boolean {
  if (p.nonResource) return rule.nonResourceURLs.includes(p.resource) && rule.verbs.includes(p.verb);
  return (
    rule.groups.includes(p.group) &&
    rule.resources.includes(p.resource) &&
    rule.verbs.includes(p.verb) &&
    (rule.namespace === undefined || rule.namespace === p.namespace)
  );
}

/** The permissions used that no rule grants, as `group/resource verb (namespace)`. */
export function ungranted(used: readonly Permission[], rules: readonly Rule[]): string[] {
  return used
    .filter((p) => !rules.some((rule) => grants(rule, p)))
    .map((p) => `${p.group}/${p.resource} ${p.verb} (${p.namespace ?? 'cluster'})`);
}

/** What the rules grant that no request used, as `group/resource verb`. */
export function unused(used: readonly Permission[], rules: readonly Rule[]): string[] {
  const out: string[] = [];
  for (const rule of rules) {
    const granted = [
      ...rule.nonResourceURLs.map((url) => ({ group: '', resource: url, nonResource: true })),
      ...rule.groups.flatMap((group) => rule.resources.map((resource) => ({ group, resource, nonResource: false }))),
    ];
    for (const g of granted) {
      for (const verb of rule.verbs) {
        const usedIt = used.some(
          (p) =>
            p.group === g.group &&
            p.resource === g.resource &&
            p.verb === verb &&
            (rule.namespace === undefined || p.namespace === rule.namespace),
        );
        if (!usedIt) out.push(`${g.group}/${g.resource} ${verb}`);
      }
    }
  }
  return out;
}
