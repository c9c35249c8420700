// CustomResourceDefinitions as the apiextensions API server takes them: a definition names a
// group, a kind and its plural, a scope, and (here exactly) one version served and stored, with
// a structural schema and optionally the status subresource. Installing one serves its resources.
import { type Answer, failure } from './answers.js';
import { type JsonObject, isObject } from './fields.js';
import { structuralProblems } from './schema.js';
import type { ResourceKind } from './store.js';

/** What the fixture needs of a definition to serve its resources. */
export interface Definition {
  readonly kind: ResourceKind;
  /** The structural schema objects must meet; undefined for built-in kinds written as they come (Events). */
  readonly schema: JsonObject | undefined;
  /** Whether `status` is written only through the status subresource. */
  readonly statusSubresource: boolean;
  /** Whether objects carry `metadata.generation`, bumped when anything but metadata and status changes. */
  readonly generation: boolean;
}

/** The definition a CRD object makes, or the 422 answer refusing it. */
export function readDefinition(crd: JsonObject): { ok: true; definition: Definition } | { ok: false; refusal: Answer } {
  const spec = isObject(crd['spec']) ? crd['spec'] : {};
  const names = isObject(spec['names']) ? spec['names'] : {};
  const versions = Array.isArray(spec['versions']) ? spec['versions'].filter(isObject) : [];
  const version = versions[0];
  const schema = isObject(version?.['schema']) ? version['schema']['openAPIV3Schema'] : undefined;
  const group = spec['group'];
  const problems: string[] = [];
  if (typeof group !== 'string' || group === '') problems.push('spec.group: Required value');
  if (typeof names['plural'] !== 'string' || typeof names['kind'] !== 'string') problems.push('spec.names: plural and kind are required');
  if (spec['scope'] !== 'Namespaced' && spec['scope'] !== 'Cluster') problems.push('spec.scope: Unsupported value');
  if (versions.length !== 1 || version?.['served'] !== true || version['storage'] !== true)
    problems.push('spec.versions: the fixture serves exactly one version, served and stored');
  if (!isObject(schema)) problems.push('spec.versions[0].schema.openAPIV3Schema: Required value');
  else problems.push(...structuralProblems(schema, 'spec.versions[0].schema.openAPIV3Schema'));
  const name = String(isObject(crd['metadata']) ? crd['metadata']['name'] : '');
  if (name !== `${String(names['plural'])}.${String(group)}`) problems.push(`metadata.name: must be spec.names.plural+"."+spec.group`);
  if (problems.length > 0 || !isObject(schema) || !version) {
    const message = `CustomResourceDefinition.apiextensions.k8s.io "${name}" is invalid: ${problems.join(', ')}`;
    return {
      ok: false,
      refusal: failure(422, 'Invalid', message, { name, group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' }),
    };
  }
  const subresources = isObject(version['subresources']) ? version['subresources'] : {};
  return {
    ok: true,
    definition: {
      kind: {
        kind: String(names['kind']),
        apiVersion: `${String(group)}/${String(version['name'])}`,
        namespaced: spec['scope'] === 'Namespaced',
        group: String(group),
        plural: String(names['plural']),
      },
      schema,
      statusSubresource: isObject(subresources['status']),
      generation: true,
    },
  };
}

/** The CRD as the API server shows it once established. */
export function established(crd: JsonObject): JsonObject {
  const spec = isObject(crd['spec']) ? crd['spec'] : {};
  const versions = Array.isArray(spec['versions']) ? spec['versions'].filter(isObject) : [];
  const condition = (type: string, reason: string): JsonObject => ({
    type,
    status: 'True',
    reason,
    message: '',
    lastTransitionTime: '2026-01-01T00:00:00Z',
  });
  return {
    ...structuredClone(crd),
    status: {
      acceptedNames: structuredClone(spec['names'] ?? {}),
      conditions: [condition('NamesAccepted', 'NoConflicts'), condition('Established', 'InitialNamesAccepted')],
      storedVersions: versions.map((v) => String(v['name'])),
    },
  };
}
