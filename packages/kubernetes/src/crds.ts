// The CustomResourceDefinitions of the federation's own resources, shipped beside the code in
// `crds/` so that `kubectl apply -f` and code read the same files.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';

/** The CRD files, one per kind, in the package's `crds/` directory. */
const CRD_FILES = ['federatedservices.yaml', 'federatedclusters.yaml'] as const;

/** A CustomResourceDefinition as written in its file: plain JSON data, in the API's wire form. */
export type CrdManifest = Record<string, unknown> & {
  readonly apiVersion: 'apiextensions.k8s.io/v1';
  readonly kind: 'CustomResourceDefinition';
  readonly metadata: { readonly name: string };
};

/**
 * The CustomResourceDefinitions of `FederatedService` (`federatedservices.fedsvc.io`) and
 * `FederatedCluster` (`federatedclusters.fedsvc.io`), parsed from the YAML files the package
 * ships in `crds/` (read on every call; each call returns fresh objects the caller may change).
 * Install them in the host cluster before starting a source: `kubectl apply -f crds/`, or POST
 * each to `/apis/apiextensions.k8s.io/v1/customresourcedefinitions`. The objects are in the API's
 * wire form: @kubernetes/client-node's typed `ApiextensionsV1Api` serializes its own models and
 * would drop `x-kubernetes-*` and `enum` from them, so convert first (`loadYaml(JSON.stringify(crd))`).
 */
export function crdManifests(): CrdManifest[] {
  return CRD_FILES.map((file) => {
    const path = fileURLToPath(new URL(`../crds/${file}`, import.meta.url));
    const manifest = yaml.load(readFileSync(path, 'utf8')) as CrdManifest;
    if (manifest?.kind !== 'CustomResourceDefinition') throw new Error(`${path} holds no CustomResourceDefinition`);
    return manifest;
  });
}
