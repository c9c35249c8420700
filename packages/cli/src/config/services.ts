// The services to federate, read from files: plain Service manifests or FederatedServices.
import { readFile } from 'node:fs/promises';
import { type FederatedService, type ServiceManifest, ValidationError } from '@fedsvc/core';
import { parseAllDocuments } from 'yaml';

/** The objects of the YAML documents of `text`, each with where it is; `source` names them in errors. */
function documents(text: string, source: string): { readonly object: unknown; readonly where: string }[] {
  const objects: { object: unknown; where: string }[] = [];
  for (const [i, document] of parseAllDocuments(text).entries()) {
    const where = `${source} (document ${i + 1})`;
    if (document.errors.length > 0)
      throw new ValidationError(where, undefined, `is not valid YAML: ${document.errors[0]!.message.split('\n')[0]}`);
    const object: unknown = document.toJS();
    if (object !== null && object !== undefined) objects.push({ object, where });
  }
  return objects;
}

const kindOf = (object: unknown): { apiVersion?: unknown; kind?: unknown } => {
  const { apiVersion, kind } = object as { apiVersion?: unknown; kind?: unknown };
  return { apiVersion, kind };
};

/** Every v1 Service of the YAML documents of `text`; `source` names them in errors. */
export function parseServices(text: string, source: string): ServiceManifest[] {
  return documents(text, source).map(({ object, where }) => {
    const { apiVersion, kind } = kindOf(object);
    if (apiVersion !== 'v1' || kind !== 'Service') throw new ValidationError(where, { apiVersion, kind }, 'must be a v1 Service manifest');
    return object as ServiceManifest;
  });
}

/**
 * Every federated service of the YAML documents of `text`: a v1 Service federated to every
 * cluster as it is, or a FederatedService (`fedsvc.io/v1alpha1`) with its placement, overrides
 * and TTL, checked as the host source checks one.
 */
export async function parseFederatedServices(text: string, source: string): Promise<FederatedService[]> {
  const services: FederatedService[] = [];
  for (const { object, where } of documents(text, source)) {
    const { apiVersion, kind } = kindOf(object);
    if (apiVersion === 'v1' && kind === 'Service') {
      services.push({ manifest: object as ServiceManifest });
      continue;
    }
    if (kind !== 'FederatedService')
      throw new ValidationError(where, { apiVersion, kind }, 'must be a v1 Service or a fedsvc.io/v1alpha1 FederatedService');
    // Loaded only when a file holds one, as the commands load the kubernetes package.
    const { decodeFederatedService } = await import('@fedsvc/kubernetes');
    try {
      services.push(decodeFederatedService(object));
    } catch (error) {
      if (error instanceof ValidationError) throw new ValidationError(where, error.value, `${error.field}: ${error.reason}`);
      throw error;
    }
  }
  return services;
}

/** A federated service and the config field of the file it came from. */
export interface ServiceFromFile {
  readonly service: FederatedService;
  readonly field: string;
}

/** The federated services of the files, or the problems, one per bad file. */
export async function serviceFiles(files: readonly string[], problems: ValidationError[]): Promise<ServiceFromFile[]> {
  const services: ServiceFromFile[] = [];
  for (const [i, file] of files.entries()) {
    const field = `services.files[${i}]`;
    try {
      services.push(...(await parseFederatedServices(await readFile(file, 'utf8'), file)).map((service) => ({ service, field })));
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
