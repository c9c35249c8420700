// Which member clusters DNS can place together: a cluster whose topology is malformed or
// clashes with another's is left out, so that the rest of the federation is still planned.
import { ValidationError } from '../errors.js';
import type { Federation } from '../types.js';
import { validateCluster, validateFederation } from './validate.js';

/** What {@link compatibleClusters} needs of a cluster. */
export interface PlacedCluster {
  readonly name: string;
  readonly zones: readonly string[];
  readonly region: string;
}

/** A cluster left out of DNS, and why. */
export interface ClusterRefusal {
  readonly cluster: string;
  /** Names the cluster's field at fault (`clusters["aws-eu"].zones[0]`) and the value. */
  readonly error: ValidationError;
}

/**
 * The clusters that can be planned together, and those left out. A cluster is left out when
 * its own topology is malformed (a zone or region that is not a DNS-1123 label, no zone), or
 * when it clashes with a cluster kept before it: a zone that is in another region there, or,
 * with the `zone` name format, a zone named like a region (both would own one DNS name).
 *
 * Clusters are taken in the order of their names (UTF-16 code units), whatever order they are
 * given in, so that of two clashing clusters the one whose name sorts later is left out. The
 * rule depends on nothing but the clusters themselves: every replica, after every restart and
 * change of leader, leaves out the same cluster, and DNS does not flap between two topologies.
 *
 * @param federation - The federation, for its name format; it is validated.
 * @returns `kept` in the order given, `refused` in the order of their names.
 * @throws {@link ValidationError} for a malformed federation only.
 * @example
 * ```ts
 * const { kept, refused } = compatibleClusters(federation, [
 *   { name: 'gce-us-east1-b', zones: ['us-east1-b'], region: 'us-east1' },
 *   { name: 'gce-wrong', zones: ['us-east1-b'], region: 'us-west1' },
 * ]);
 * // kept: gce-us-east1-b; refused: gce-wrong (its zone us-east1-b is in region us-east1 at gce-us-east1-b)
 * ```
 */
export function compatibleClusters<C extends PlacedCluster>(
  federation: Federation,
  clusters: readonly C[],
): { kept: C[]; refused: ClusterRefusal[] } {
  const { zoneNameFormat } = validateFederation(federation);
  const zoneAt = new Map<string, { region: string; cluster: string }>();
  const regionAt = new Map<string, string>();
  const left = new Set<C>();
  const names = new Set<string>();
  const refused: ClusterRefusal[] = [];
  for (const cluster of [...clusters].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const field = `clusters[${JSON.stringify(cluster.name)}]`;
    try {
      const valid = validateCluster({ name: cluster.name, zones: cluster.zones, region: cluster.region, ready: false }, field);
      if (names.has(valid.name)) throw new ValidationError(`${field}.name`, valid.name, 'duplicate cluster name');
      clash(valid, field, zoneNameFormat === 'zone', zoneAt, regionAt);
      for (const zone of valid.zones) zoneAt.set(zone, { region: valid.region, cluster: valid.name });
      if (!regionAt.has(valid.region)) regionAt.set(valid.region, valid.name);
      names.add(valid.name);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      left.add(cluster);
      refused.push({ cluster: cluster.name, error });
    }
  }
  return { kept: clusters.filter((cluster) => !left.has(cluster)), refused };
}

/** Throws when the cluster's zones and region clash with those of the clusters kept. */
function clash(
  cluster: { readonly name: string; readonly zones: readonly string[]; readonly region: string },
  field: string,
  sharedPlace: boolean,
  zoneAt: ReadonlyMap<string, { region: string; cluster: string }>,
  regionAt: ReadonlyMap<string, string>,
): void {
  for (const zone of cluster.zones) {
    const claimed = zoneAt.get(zone);
    if (claimed && claimed.region !== cluster.region)
      throw new ValidationError(`${field}.zones`, zone, `zone is in region "${claimed.region}" at cluster "${claimed.cluster}"`);
    if (!sharedPlace) continue;
    const named = zone === cluster.region ? cluster.name : regionAt.get(zone);
    if (named !== undefined)
      throw new ValidationError(
        `${field}.zones`,
        zone,
        `a zone may not have the name of a region (of cluster "${named}"): both would own the same DNS name`,
      );
  }
  const zoneNamed = sharedPlace ? zoneAt.get(cluster.region) : undefined;
  if (zoneNamed)
    throw new ValidationError(
      `${field}.region`,
      cluster.region,
      `a region may not have the name of a zone (of cluster "${zoneNamed.cluster}"): both would own the same DNS name`,
    );
}
