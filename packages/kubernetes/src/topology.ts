// A cluster's zones and region, read from its nodes' well-known topology labels.
import { ValidationError } from '@fedsvc/core/provider';

export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const REGION_LABEL = 'topology.kubernetes.io/region';
/** Labels set by clusters older than Kubernetes 1.17; read when the current ones are absent. */
export const LEGACY_ZONE_LABEL = 'failure-domain.beta.kubernetes.io/zone';
export const LEGACY_REGION_LABEL = 'failure-domain.beta.kubernetes.io/region';

export interface Topology {
  readonly zones: readonly string[];
  readonly region: string;
}

export interface NodeTopology {
  readonly zone?: string;
  readonly region?: string;
}

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS_1123_LABEL.test(value);
}

/**
 * The zone and region one node declares. Zone and region become DNS labels, so a value that is
 * not a DNS-1123 label is an error naming the node and the label.
 */
export function nodeTopology(node: string, labels: Readonly<Record<string, string>>): NodeTopology | ValidationError {
  const out: { zone?: string; region?: string } = {};
  for (const [key, current, legacy] of [
    ['zone', ZONE_LABEL, LEGACY_ZONE_LABEL],
    ['region', REGION_LABEL, LEGACY_REGION_LABEL],
  ] as const) {
    const label = labels[current] !== undefined ? current : labels[legacy] !== undefined ? legacy : undefined;
    if (label === undefined) continue;
    const value = labels[label]!;
    if (!isDns1123Label(value)) {
      return new ValidationError(
        `nodes/${node}.metadata.labels["${label}"]`,
        value,
        'must be a DNS-1123 label (lower-case letters, digits and "-", at most 63 characters) to name a DNS zone or region',
      );
    }
    out[key] = value;
  }
  return out;
}

/** Every zone the nodes span and their one region, or why the cluster has no usable topology. */
export function clusterTopology(nodes: readonly NodeTopology[]): Topology | { readonly reason: string } {
  const zones = new Set<string>();
  const regions = new Set<string>();
  for (const node of nodes) {
    if (node.zone !== undefined) zones.add(node.zone);
    if (node.region !== undefined) regions.add(node.region);
  }
  if (zones.size === 0) {
    return { reason: `no node carries a zone label (${ZONE_LABEL} or ${LEGACY_ZONE_LABEL}); give the cluster's topology explicitly` };
  }
  if (regions.size === 0) {
    return {
      reason: `nodes carry zone labels but none a region label (${REGION_LABEL} or ${LEGACY_REGION_LABEL}); give the cluster's topology explicitly`,
    };
  }
  if (regions.size > 1) {
    return { reason: `nodes span several regions (${[...regions].sort().join(', ')}); a member cluster must sit in one region` };
  }
  return { zones: [...zones].sort(), region: [...regions][0]! };
}
