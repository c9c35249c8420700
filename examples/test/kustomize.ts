// A kustomization rendered as `kubectl kustomize` renders it, for the features deploy/ uses:
// resources (files, and folders holding a kustomization.yaml), namespace, images,
// configMapGenerator from files, and generatorOptions.disableNameSuffixHash. Any other field is
// refused, so that a kustomization this rendering would get wrong fails instead.
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/** A Kubernetes object as a manifest holds it. */
// biome-ignore lint/suspicious/noExplicitAny: manifests are loose JSON, read field by field as the API takes them
export type Manifest = Record<string, any> & {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
};

const FIELDS = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'images', 'configMapGenerator', 'generatorOptions']);
/** The kinds deploy/ holds that have no namespace. */
export const CLUSTER_SCOPED = new Set(['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding']);

interface Kustomization {
  readonly namespace?: string;
  readonly resources?: readonly string[];
  readonly images?: readonly { name: string; newName?: string; newTag?: string }[];
  readonly configMapGenerator?: readonly { name: string; namespace?: string; files: readonly string[] }[];
  readonly generatorOptions?: { disableNameSuffixHash?: boolean };
}

/** Every document of a YAML manifest file, empty ones left out. */
export function parseManifests(text: string, source: string): Manifest[] {
  return parseAllDocuments(text).flatMap((document) => {
    if (document.errors.length > 0) throw new Error(`${source}: ${document.errors[0]!.message}`);
    const value = document.toJS() as Manifest | null;
    if (value === null) return [];
    if (typeof value.kind !== 'string' || typeof value.metadata?.name !== 'string')
      throw new Error(`${source}: a document without kind or metadata.name`);
    return [value];
  });
}

function generated(dir: string, kustomization: Kustomization): Manifest[] {
  const generators = kustomization.configMapGenerator ?? [];
  if (generators.length > 0 && kustomization.generatorOptions?.disableNameSuffixHash !== true)
    throw new Error(`${dir}: a configMapGenerator is rendered here only with disableNameSuffixHash`);
  return generators.map((generator) => {
    const data = Object.fromEntries(
      generator.files.map((file) => {
        const [key, path] = file.includes('=') ? (file.split('=', 2) as [string, string]) : [basename(file), file];
        return [key, readFileSync(join(dir, path), 'utf8')];
      }),
    );
    const metadata = { name: generator.name, ...(generator.namespace === undefined ? {} : { namespace: generator.namespace }) };
    return { apiVersion: 'v1', kind: 'ConfigMap', metadata, data };
  });
}

function transformed(manifest: Manifest, kustomization: Kustomization): Manifest {
  const copy = structuredClone(manifest);
  if (kustomization.namespace !== undefined && !CLUSTER_SCOPED.has(copy.kind)) copy.metadata.namespace = kustomization.namespace;
  for (const image of kustomization.images ?? []) {
    for (const container of copy['spec']?.['template']?.['spec']?.['containers'] ?? []) {
      const [name, tag] = String(container.image).split(':');
      if (name !== image.name) continue;
      container.image = `${image.newName ?? name}${(image.newTag ?? tag) ? `:${image.newTag ?? tag}` : ''}`;
    }
  }
  return copy;
}

/** The objects `kubectl kustomize dir` prints (in another order). */
export function kustomize(dir: string): Manifest[] {
  const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
  for (const field of Object.keys(kustomization))
    if (!FIELDS.has(field)) throw new Error(`${dir}/kustomization.yaml: ${field} is not rendered here`);
  const resources = (kustomization.resources ?? []).flatMap((resource) => {
    const path = join(dir, resource);
    return statSync(path).isDirectory() ? kustomize(path) : parseManifests(readFileSync(path, 'utf8'), path);
  });
  return [...resources, ...generated(dir, kustomization)].map((manifest) => transformed(manifest, kustomization));
}
