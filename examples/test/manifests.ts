// How the objects of a rendered kustomization refer to each other, and what RBAC a ServiceAccount
// gets from them: each dangling reference is a problem named by the object that holds it.
import { stringify } from 'yaml';
import { CLUSTER_SCOPED, type Manifest } from './kustomize.js';
import { grantedRules } from './rbac.js';

type Rule = ReturnType<typeof grantedRules>[number];

const key = (kind: string, name: string, namespace?: string) => `${kind} ${namespace === undefined ? '' : `${namespace}/`}${name}`;
const keyOf = (manifest: Manifest) => key(manifest.kind, manifest.metadata.name, manifest.metadata.namespace);

/** The object of that kind and name (in that namespace), or undefined. */
export function find(manifests: readonly Manifest[], kind: string, name: string, namespace?: string): Manifest | undefined {
  return manifests.find((m) => m.kind === kind && m.metadata.name === name && m.metadata.namespace === namespace);
}

/** The container port a probe's port (a number or a port's name) reaches, or undefined. */
export function containerPort(container: Manifest, port: number | string): number | undefined {
  const ports = (container['ports'] ?? []) as { name?: string; containerPort: number }[];
  return ports.find((p) => (typeof port === 'number' ? p.containerPort === port : p.name === port))?.containerPort;
}

function namespaceProblems(manifests: readonly Manifest[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const manifest of manifests) {
    const where = keyOf(manifest);
    if (seen.has(where)) problems.push(`${where}: defined twice`);
    seen.add(where);
    const namespace = manifest.metadata.namespace;
    if (CLUSTER_SCOPED.has(manifest.kind)) {
      if (namespace !== undefined) problems.push(`${where}: is cluster-scoped but names a namespace`);
    } else if (namespace === undefined) problems.push(`${where}: has no namespace`);
    else if (!find(manifests, 'Namespace', namespace)) problems.push(`${where}: its namespace is not defined`);
  }
  return problems;
}

function volumeProblems(manifests: readonly Manifest[], where: string, namespace: string, pod: Manifest): string[] {
  const problems: string[] = [];
  const volumes = (pod['volumes'] ?? []) as Manifest[];
  for (const volume of volumes) {
    const source = volume['configMap'] ?? volume['secret'];
    const kind = volume['configMap'] ? 'ConfigMap' : 'Secret';
    const name = volume['configMap']?.['name'] ?? volume['secret']?.['secretName'];
    if (!source) continue;
    const target = find(manifests, kind, name, namespace);
    if (!target && source['optional'] !== true) problems.push(`${where}: volume ${volume['name']}: no ${kind} ${name}`);
    for (const item of (source['items'] ?? []) as { key: string }[])
      if (target && !(item.key in (target['data'] ?? {})))
        problems.push(`${where}: volume ${volume['name']}: no key ${item.key} in ${kind} ${name}`);
  }
  for (const container of (pod['containers'] ?? []) as Manifest[]) {
    for (const mount of (container['volumeMounts'] ?? []) as { name: string }[])
      if (!volumes.some((v) => v['name'] === mount.name)) problems.push(`${where}: mount of an undefined volume ${mount.name}`);
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      const port = container[probe]?.['httpGet']?.['port'];
      if (port !== undefined && containerPort(container, port) === undefined)
        problems.push(`${where}: ${probe} port ${port} is no container port`);
    }
  }
  return problems;
}

function workloadProblems(manifests: readonly Manifest[]): string[] {
  return manifests
    .filter((m) => m.kind === 'Deployment')
    .flatMap((deployment) => {
      const where = keyOf(deployment);
      const namespace = deployment.metadata.namespace ?? '';
      const pod = deployment['spec']?.['template']?.['spec'] ?? {};
      const labels = deployment['spec']?.['template']?.['metadata']?.['labels'] ?? {};
      const selector = Object.entries(deployment['spec']?.['selector']?.['matchLabels'] ?? {});
      return [
        ...(find(manifests, 'ServiceAccount', pod['serviceAccountName'] ?? 'default', namespace)
          ? []
          : [`${where}: no ServiceAccount ${pod['serviceAccountName']}`]),
        ...(selector.length > 0 && selector.every(([k, v]) => labels[k] === v) ? [] : [`${where}: its selector does not match its pods`]),
        ...volumeProblems(manifests, where, namespace, pod),
      ];
    });
}

function bindingProblems(manifests: readonly Manifest[]): string[] {
  const problems: string[] = [];
  for (const binding of manifests.filter((m) => m.kind === 'RoleBinding' || m.kind === 'ClusterRoleBinding')) {
    const where = keyOf(binding);
    const { kind, name } = binding['roleRef'] as { kind: string; name: string };
    if (!find(manifests, kind, name, kind === 'Role' ? binding.metadata.namespace : undefined))
      problems.push(`${where}: no ${kind} ${name}`);
    for (const subject of (binding['subjects'] ?? []) as { kind: string; name: string; namespace?: string }[])
      if (subject.kind === 'ServiceAccount' && !find(manifests, 'ServiceAccount', subject.name, subject.namespace))
        problems.push(`${where}: no ServiceAccount ${subject.namespace}/${subject.name}`);
  }
  for (const token of manifests.filter((m) => m.kind === 'Secret' && m['type'] === 'kubernetes.io/service-account-token')) {
    const account = token.metadata.annotations?.['kubernetes.io/service-account.name'] ?? '';
    if (!find(manifests, 'ServiceAccount', account, token.metadata.namespace))
      problems.push(`${keyOf(token)}: no ServiceAccount ${account}`);
  }
  return problems;
}

/** Every reference of the objects to another that is not among them, and every namespace that does not agree. */
export function referenceProblems(manifests: readonly Manifest[]): string[] {
  return [...namespaceProblems(manifests), ...workloadProblems(manifests), ...bindingProblems(manifests)];
}

/** The rules the Roles and ClusterRoles bound to a ServiceAccount grant it (a RoleBinding's only in its namespace). */
export function rulesOf(manifests: readonly Manifest[], account: { name: string; namespace: string }): Rule[] {
  return manifests
    .filter((m) => m.kind === 'RoleBinding' || m.kind === 'ClusterRoleBinding')
    .filter((binding) =>
      ((binding['subjects'] ?? []) as { kind: string; name: string; namespace?: string }[]).some(
        (s) => s.kind === 'ServiceAccount' && s.name === account.name && s.namespace === account.namespace,
      ),
    )
    .flatMap((binding) => {
      const { kind, name } = binding['roleRef'] as { kind: string; name: string };
      const role = find(manifests, kind, name, kind === 'Role' ? binding.metadata.namespace : undefined);
      if (!role) return [];
      const rules = grantedRules(stringify(role));
      return binding.kind === 'RoleBinding' ? rules.map((rule) => ({ ...rule, namespace: binding.metadata.namespace })) : rules;
    });
}
