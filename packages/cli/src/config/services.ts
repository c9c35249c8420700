// The Service manifests to federate, read from files (until FederatedService resources arrive).
import { readFile } from 'node:fs/promises';
import { type FederatedService, type ServiceManifest, ValidationError } from '@fedsvc/core';
import { parseAllDocuments } from 'yaml';

/** Every v1 Service of the YAML documents of `text`; `source` names them in errors. */
export function parseServices(text: string, source: string): ServiceManifest[] {
  const manifests: ServiceManifest[] = [];
  for (const [i, document] of parseAllDocuments(text).entries()) {
    const where = `${source} (document ${i + 1})`;
    if (document.errors.length > 0)
      throw new ValidationError(where, undefined, `is not valid YAML: ${document.errors[0]!.message.split('\n')[0]}`);
    const object: unknown = document.toJS();
    if (object === null || object === undefined) continue;
    const { apiVersion, kind } = object as { apiVersion?: unknown; kind?: unknown };
    if (apiVersion !== 'v1' || kind !== 'Service') throw new ValidationError(where, { apiVersion, kind }, 'must be a v1 Service manifest');
    manifests.push(object as ServiceManifest);
  }
  return manifests;
}

/** A federated service and the config field of the file it came from. */
export interface ServiceFromFile {
  readonly service: FederatedService;
  readonly field: string;
}

/** The federated services of the files (every cluster, no overrides), or the problems, one per bad file. */
export async function serviceFiles(files: readonly string[], problems: ValidationError[]): Promise<ServiceFromFile[]> {
  const services: ServiceFromFile[] = [];
  for (const [i, file] of files.entries()) {
    const field = `services.files[${i}]`;
    try {
      services.push(...parseServices(await readFile(file, 'utf8'), file).map((manifest) => ({ service: { manifest }, field })));
    } catch (error) {
      if (error instanceof ValidationError) problems.push(new ValidationError(field, file, `${error.field}: ${error.reason}`));
      else
        problems.push(
          new ValidationError(field, file, `cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`),
        );
    }
  }
  return services;
}
