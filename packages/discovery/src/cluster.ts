// The local cluster as the responder answers from it: the federated services' Services and
// EndpointSlices, and the nodes, kept from what the watches list and report. Only the federated
// services are kept, so memory grows with them, not with the cluster.
import { LEGACY_REGION_LABEL, LEGACY_ZONE_LABEL, REGION_LABEL, ZONE_LABEL } from '@fedsvc/kubernetes';
import { ValidationError } from '@fedsvc/core';
import type { Address, LocalService } from './answer.js';
import { addressOf, type Network, networkOf } from './addresses.js';
import type { Catalog, FederatedEntry } from './catalog.js';
import { type ClusterTopology, clusterTopology, type NodePlacement } from './place.js';

/** The list-watch handlers of one resource: the whole list, then every change. */
export interface ObjectHandlers {
  replace(items: readonly unknown[]): void;
  event(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: unknown): void;
}

interface ServiceFacts {
  readonly clusterIPs: readonly Address[];
  readonly headless: boolean;
  /** Being deleted, or an ExternalName: no local shard to send a pod to. */
  readonly unusable: boolean;
}

interface SliceFacts {
  readonly entry: FederatedEntry;
  readonly ready: readonly Address[];
}

type Fields = Record<string, unknown>;
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const NO_ADDRESSES: LocalService = { addresses: [] };

const isFields = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const fieldsOf = (value: unknown): Fields => (isFields(value) ? value : {});
const stringsOf = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** Where an object lives, read leniently so that a deleted object is found by its name. */
function ref(object: unknown): { namespace: string; name: string } | undefined {
  const meta = fieldsOf(fieldsOf(object)['metadata']);
  const { namespace, name } = meta;
  return typeof name === 'string' ? { namespace: typeof namespace === 'string' ? namespace : '', name } : undefined;
}

export class ClusterState {
  readonly #services = new Map<FederatedEntry, ServiceFacts>();
  readonly #slices = new Map<string, SliceFacts>();
  readonly #nodes = new Map<string, NodePlacement>();
  readonly #local = new Map<FederatedEntry, LocalService>();
  #topology: ClusterTopology = clusterTopology([]);
  #version = 0;

  /**
   * @param catalog - Which services are federated: only theirs are kept.
   * @param report - Told about an object that cannot be used (a malformed address, zone label or pod CIDR); the rest of it, and the others, are kept.
   */
  constructor(
    private readonly catalog: Catalog,
    private readonly report: (error: ValidationError) => void,
  ) {}

  /** The local shard of a federated service, as answering needs it. */
  readonly local = (entry: FederatedEntry): LocalService | undefined => this.#local.get(entry);

  get topology(): ClusterTopology {
    return this.#topology;
  }

  /** Changes whenever a local shard or the topology may have: replies made before may no longer hold. */
  get version(): number {
    return this.#version;
  }

  readonly services: ObjectHandlers = {
    replace: (items) => {
      const touched = new Set(this.#services.keys());
      this.#services.clear();
      for (const item of items) this.#putService(item, touched);
      for (const entry of touched) this.#refresh(entry);
    },
    event: (type, object) => {
      const touched = new Set<FederatedEntry>();
      const entry = this.#entryOf(ref(object));
      if (type === 'DELETED' && entry) {
        this.#services.delete(entry);
        touched.add(entry);
      } else if (type !== 'DELETED') this.#putService(object, touched);
      for (const e of touched) this.#refresh(e);
    },
  };

  readonly endpointSlices: ObjectHandlers = {
    replace: (items) => {
      const touched = new Set([...this.#slices.values()].map((s) => s.entry));
      this.#slices.clear();
      for (const item of items) this.#putSlice(item, touched);
      for (const entry of touched) this.#refresh(entry);
    },
    event: (type, object) => {
      const touched = new Set<FederatedEntry>();
      const at = ref(object);
      const key = at && `${at.namespace}/${at.name}`;
      const previous = key === undefined ? undefined : this.#slices.get(key);
      if (previous) touched.add(previous.entry);
      if (key !== undefined) this.#slices.delete(key);
      if (type !== 'DELETED') this.#putSlice(object, touched);
      for (const entry of touched) this.#refresh(entry);
    },
  };

  readonly nodes: ObjectHandlers = {
    replace: (items) => {
      this.#nodes.clear();
      for (const item of items) this.#putNode(item);
      this.#placeNodes();
    },
    event: (type, object) => {
      const at = ref(object);
      const before = at && this.#nodes.get(at.name);
      if (type === 'DELETED') {
        if (at) this.#nodes.delete(at.name);
      } else this.#putNode(object);
      const after = at && this.#nodes.get(at.name);
      // Nodes report their status often; only a change of zone, region or pod CIDRs moves a client.
      if (!before || !after || !samePlacement(before, after)) this.#placeNodes();
    },
  };

  #placeNodes(): void {
    this.#topology = clusterTopology([...this.#nodes.values()]);
    this.#version += 1;
  }

  #entryOf(at: { namespace: string; name: string } | undefined): FederatedEntry | undefined {
    return at && this.catalog.services.get(`${at.name}.${at.namespace}`);
  }

  #putService(object: unknown, touched: Set<FederatedEntry>): void {
    const at = ref(object);
    const entry = this.#entryOf(at);
    if (!entry || !at) return;
    const spec = fieldsOf(fieldsOf(object)['spec']);
    const headless = spec['clusterIP'] === 'None';
    const texts = stringsOf(spec['clusterIPs']);
    if (texts.length === 0 && typeof spec['clusterIP'] === 'string' && !headless) texts.push(spec['clusterIP']);
    const clusterIPs = headless ? [] : this.#addresses(texts, `services/${at.namespace}/${at.name}.spec.clusterIPs`);
    const meta = fieldsOf(fieldsOf(object)['metadata']);
    const unusable = spec['type'] === 'ExternalName' || (meta['deletionTimestamp'] !== undefined && meta['deletionTimestamp'] !== null);
    this.#services.set(entry, { clusterIPs, headless, unusable });
    touched.add(entry);
  }

  #putSlice(object: unknown, touched: Set<FederatedEntry>): void {
    const at = ref(object);
    const fields = fieldsOf(object);
    const service = fieldsOf(fieldsOf(fields['metadata'])['labels'])[SERVICE_NAME_LABEL];
    const entry = typeof service === 'string' && at ? this.#entryOf({ namespace: at.namespace, name: service }) : undefined;
    if (!entry || !at) return;
    const endpoints = Array.isArray(fields['endpoints']) ? fields['endpoints'] : [];
    const ready: Address[] = [];
    endpoints.forEach((endpoint: unknown, i) => {
      const e = fieldsOf(endpoint);
      // The API: a missing ready condition means ready.
      if (fieldsOf(e['conditions'])['ready'] === false) return;
      // An FQDN slice has no addresses a record can carry; one that is not an address is reported.
      if (fields['addressType'] === 'FQDN') return;
      ready.push(...this.#addresses(stringsOf(e['addresses']), `endpointslices/${at.namespace}/${at.name}.endpoints[${i}].addresses`));
    });
    this.#slices.set(`${at.namespace}/${at.name}`, { entry, ready });
    touched.add(entry);
  }

  #putNode(object: unknown): void {
    const at = ref(object);
    if (!at) return;
    const labels = fieldsOf(fieldsOf(fieldsOf(object)['metadata'])['labels']);
    const spec = fieldsOf(fieldsOf(object)['spec']);
    const cidrs = stringsOf(spec['podCIDRs']);
    if (cidrs.length === 0 && typeof spec['podCIDR'] === 'string') cidrs.push(spec['podCIDR']);
    const podCIDRs: Network[] = [];
    cidrs.forEach((cidr, i) => {
      const network = networkOf(cidr);
      if (network) podCIDRs.push(network);
      else this.report(new ValidationError(`nodes/${at.name}.spec.podCIDRs[${i}]`, cidr, 'must be an IPv4 or IPv6 CIDR'));
    });
    const zone = this.#label(at.name, labels, ZONE_LABEL, LEGACY_ZONE_LABEL);
    const region = this.#label(at.name, labels, REGION_LABEL, LEGACY_REGION_LABEL);
    this.#nodes.set(at.name, {
      name: at.name,
      podCIDRs,
      ...(zone === undefined ? {} : { zone }),
      ...(region === undefined ? {} : { region }),
    });
  }

  /** A topology label's value; one that cannot name a DNS zone or region is reported and left out. */
  #label(node: string, labels: Fields, label: string, legacy: string): string | undefined {
    const key = labels[label] !== undefined ? label : legacy;
    const value = labels[key];
    if (value === undefined) return undefined;
    if (typeof value === 'string' && DNS_LABEL.test(value)) return value;
    this.report(
      new ValidationError(`nodes/${node}.metadata.labels["${key}"]`, value, 'must be a DNS-1123 label to name a DNS zone or region'),
    );
    return undefined;
  }

  #addresses(texts: readonly string[], field: string): Address[] {
    return texts.flatMap((text, i) => {
      const address = addressOf(text);
      if (address) return [address];
      this.report(new ValidationError(`${field}[${i}]`, text, 'must be an IPv4 or IPv6 address'));
      return [];
    });
  }

  /** Recomputes one service's local shard: cluster IPs once an endpoint is ready, a headless Service's ready addresses. */
  #refresh(entry: FederatedEntry): void {
    this.#version += 1;
    const service = this.#services.get(entry);
    if (!service) {
      this.#local.delete(entry);
      return;
    }
    const ready = new Map<string, Address>();
    for (const slice of this.#slices.values()) {
      if (slice.entry === entry) for (const address of slice.ready) ready.set(address.text, address);
    }
    let local = NO_ADDRESSES;
    if (!service.unusable && service.headless) local = { addresses: [...ready.values()] };
    else if (!service.unusable && ready.size > 0) local = { addresses: service.clusterIPs };
    this.#local.set(entry, local);
  }
}

function samePlacement(a: NodePlacement, b: NodePlacement): boolean {
  return (
    a.zone === b.zone &&
    a.region === b.region &&
    a.podCIDRs.length === b.podCIDRs.length &&
    a.podCIDRs.every((cidr, i) => {
      const other = b.podCIDRs[i]!;
      return cidr.family === other.family && cidr.prefix === other.prefix && cidr.bytes.every((byte, j) => byte === other.bytes[j]);
    })
  );
}
