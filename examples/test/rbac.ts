// What RBAC manifests grant, and what a fixture's recorded requests used: each request as the API
// server's authorizer sees it (the fixture's `requestAttributes`).
import { loadAllYaml } from '@kubernetes/client-node';
import { type RecordedRequest, requestAttributes } from '@fedsvc/kubernetes/testing';

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

/** The permission each request needed, once each. */
export function usedPermissions(requests: readonly RecordedRequest[]): Permission[] {
  const seen = new Map<string, Permission>();
  const add = (permission: Permission): void => {
    seen.set(JSON.stringify(permission), permission);
  };
  for (const request of requests) {
    const attributes = requestAttributes(request);
    if (attributes === undefined) {
      add({ group: '', resource: request.path, verb: 'get', nonResource: true });
      continue;
    }
    const { group, resource, subresource, verb } = attributes;
    const full = subresource ? `${resource}/${subresource}` : resource;
    const namespace = attributes.namespace || undefined;
    add({ group, resource: full, verb, namespace });
    // A server-side apply that finds no object creates it: the API server asks for create as well.
    if (verb === 'patch' && !subresource && request.contentType?.startsWith('application/apply-patch'))
      add({ group, resource: full, verb: 'create', namespace });
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
