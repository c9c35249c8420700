// What Cloud DNS accepts in the routed record sets fedsvc writes: the locations of a `geo` policy
// (Google Cloud regions), and the weights and items core may plan.
import type { RoutingLimits } from '@fedsvc/core/provider';

/**
 * The locations a `geo` routing policy item may name. The API reference says of an item's
 * `location`: "The geo-location granularity is a GCP region. This location string should
 * correspond to a GCP region", and Cloud DNS refuses any other; these are Google Cloud's regions,
 * as its list of Compute Engine regions gives them. A region Google opens later is refused here
 * (core reports it when the controller is created) until it is added to this list.
 */
export const CLOUD_DNS_GEO_LOCATIONS: ReadonlySet<string> = new Set([
  'africa-south1',
  'asia-east1',
  'asia-east2',
  'asia-northeast1',
  'asia-northeast2',
  'asia-northeast3',
  'asia-south1',
  'asia-south2',
  'asia-southeast1',
  'asia-southeast2',
  'australia-southeast1',
  'australia-southeast2',
  'europe-central2',
  'europe-north1',
  'europe-north2',
  'europe-southwest1',
  'europe-west1',
  'europe-west2',
  'europe-west3',
  'europe-west4',
  'europe-west6',
  'europe-west8',
  'europe-west9',
  'europe-west10',
  'europe-west12',
  'me-central1',
  'me-central2',
  'me-west1',
  'northamerica-northeast1',
  'northamerica-northeast2',
  'northamerica-south1',
  'southamerica-east1',
  'southamerica-west1',
  'us-central1',
  'us-east1',
  'us-east4',
  'us-east5',
  'us-south1',
  'us-west1',
  'us-west2',
  'us-west3',
  'us-west4',
]);

/**
 * What the routed record sets of Cloud DNS accept (`DnsProvider.routing`).
 *
 * - `locationOf(region)`: the region itself when it is a Google Cloud region (a cluster's region
 *   on GKE is one), else `undefined`, so that the `nearest` policy's `locations` must name it.
 * - `isLocation(location)`: whether `location` is a Google Cloud region ({@link CLOUD_DNS_GEO_LOCATIONS}).
 * - `maxWeight`: 1,000. A `wrr` item's weight is any non-negative number (a double: "This weight
 *   must be non-negative"), so the range is fedsvc's choice: integers up to 1,000 give each of
 *   100 clusters a share to a thousandth of the total, carry ready-endpoint counts up to 1,000
 *   unscaled, and are exact in JSON and in every comparison.
 * - `maxMembers`: 100. The items of one policy are bounded by the project's `itemsPerRoutingPolicy`
 *   quota, which the API lists (`projects.get`) but whose default Google does not document; 100 is
 *   the documented limit of records per record set that each item is held to, Route 53's limit of
 *   weighted records per name, and more than the Google Cloud regions a `geo` policy can name.
 */
export const GOOGLE_ROUTING: RoutingLimits = Object.freeze({
  locationOf: (region: string) => (CLOUD_DNS_GEO_LOCATIONS.has(region) ? region : undefined),
  isLocation: (location: string) => CLOUD_DNS_GEO_LOCATIONS.has(location),
  maxWeight: 1000,
  maxMembers: 100,
});
