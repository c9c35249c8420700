// The config of `fedsvc discover`: the federation's names (the same fields as the controller's
// config, so one file can serve both), the services to answer for, and where to listen. Every
// problem is reported at once, naming the field and the value.
import { readFile } from 'node:fs/promises';
import { type Federation, type ServiceRef, ValidationError } from '@fedsvc/core';
import { parse } from 'yaml';
import { parseListen } from '../http.js';
import { LOG_FORMATS, LOG_LEVELS } from './fields.js';
import { ConfigError } from './setup.js';

/** `fedsvc discover`'s settings, defaults filled in. */
export interface DiscoverConfig {
  readonly federation: Federation;
  readonly services: readonly ServiceRef[];
  readonly clusterDomain: string;
  readonly ttl: number;
  /** host:port of the DNS responder, UDP and TCP. */
  readonly listen: { readonly host: string; readonly port: number };
  /** A kubeconfig context to watch; absent: the cluster the pod runs in. */
  readonly context?: string;
  readonly kubeconfig?: string;
  readonly http: { readonly listen: string };
  readonly log: { readonly level: string; readonly format: 'auto' | 'json' | 'pretty' };
}

/** The fields `discovery` takes; any other is refused (a typo would otherwise be silently ignored). */
const DISCOVERY_FIELDS = new Set(['services', 'clusterDomain', 'ttl', 'listen', 'context', 'kubeconfig']);

type Fields = Record<string, unknown>;
const isFields = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads and checks `file`. @throws ConfigError with every problem. */
export async function readDiscoverConfig(file: string | undefined): Promise<DiscoverConfig> {
  if (file === undefined) throw new ConfigError([new ValidationError('--config', file, 'is required: the YAML config file')]);
  let document: unknown;
  try {
    document = parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ConfigError([new ValidationError('--config', file, `cannot be read as YAML: ${(error as Error).message.split('\n')[0]}`)]);
  }
  const problems: ValidationError[] = [];
  const root = isFields(document) ? document : {};
  const section = (name: string): Fields => (isFields(root[name]) ? root[name] : {});
  const discovery = section('discovery');
  for (const key of Object.keys(discovery))
    if (!DISCOVERY_FIELDS.has(key)) problems.push(new ValidationError(`discovery.${key}`, discovery[key], 'is not a field of discovery'));
  const get = <T>(path: string, value: unknown, check: (v: unknown) => v is T, what: string, fallback?: T): T | undefined => {
    if (value === undefined) {
      if (fallback === undefined) problems.push(new ValidationError(path, value, `is required: ${what}`));
      return fallback;
    }
    if (check(value)) return value;
    problems.push(new ValidationError(path, value, `must be ${what}`));
    return undefined;
  };
  const isString = (v: unknown): v is string => typeof v === 'string' && v !== '';
  const federationFields = section('federation');
  const name = get('federation.name', federationFields['name'], isString, "the federation's name");
  const domain = get('federation.domain', federationFields['domain'], isString, 'the DNS domain of its names');
  const zoneNameFormat = get(
    'federation.zoneNameFormat',
    federationFields['zoneNameFormat'],
    (v): v is 'zone' | 'zone.region' => v === 'zone' || v === 'zone.region',
    'zone or zone.region',
    'zone',
  );
  const services = serviceRefs(discovery['services'], problems);
  const clusterDomain = get('discovery.clusterDomain', discovery['clusterDomain'], isString, 'a DNS domain', 'cluster.local');
  const ttl = get('discovery.ttl', discovery['ttl'], (v): v is number => Number.isInteger(v), 'a whole number of seconds', 30);
  const listenText = get('discovery.listen', discovery['listen'], isString, 'host:port or :port', ':1053') ?? ':1053';
  const listen = collectListen('discovery.listen', listenText, problems);
  const context =
    discovery['context'] === undefined ? undefined : get('discovery.context', discovery['context'], isString, 'a kubeconfig context');
  const kubeconfig =
    discovery['kubeconfig'] === undefined ? undefined : get('discovery.kubeconfig', discovery['kubeconfig'], isString, 'a file');
  const httpListen = get('http.listen', section('http')['listen'], isString, 'host:port or :port', ':8080') ?? ':8080';
  collectListen('http.listen', httpListen, problems);
  const log = section('log');
  const level = get(
    'log.level',
    log['level'],
    (v): v is string => (LOG_LEVELS as readonly unknown[]).includes(v),
    LOG_LEVELS.join(', '),
    'info',
  );
  const format = get(
    'log.format',
    log['format'],
    (v): v is 'auto' | 'json' | 'pretty' => (LOG_FORMATS as readonly unknown[]).includes(v),
    LOG_FORMATS.join(', '),
    'auto',
  );
  if (problems.length > 0 || !name || !domain || !listen) throw new ConfigError(problems);
  return {
    federation: { name, domain, zoneNameFormat },
    services,
    clusterDomain: clusterDomain ?? 'cluster.local',
    ttl: ttl ?? 30,
    listen,
    ...(context === undefined ? {} : { context }),
    ...(kubeconfig === undefined ? {} : { kubeconfig }),
    http: { listen: httpListen },
    log: { level: level ?? 'info', format: format ?? 'auto' },
  };
}

/** `discovery.services`: `namespace/name` entries. */
function serviceRefs(value: unknown, problems: ValidationError[]): ServiceRef[] {
  if (!Array.isArray(value)) {
    problems.push(new ValidationError('discovery.services', value, 'must be a list of namespace/name entries, the federated services'));
    return [];
  }
  return value.flatMap((entry: unknown, i) => {
    const match = typeof entry === 'string' ? /^([^/]+)\/([^/]+)$/.exec(entry) : null;
    if (match) return [{ namespace: match[1]!, name: match[2]! }];
    problems.push(new ValidationError(`discovery.services[${i}]`, entry, 'must be namespace/name'));
    return [];
  });
}

function collectListen(field: string, text: string, problems: ValidationError[]): { host: string; port: number } | undefined {
  try {
    const { host, port } = parseListen(text);
    return { host: host ?? '0.0.0.0', port };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems.push(new ValidationError(field, text, error.reason));
    return undefined;
  }
}
