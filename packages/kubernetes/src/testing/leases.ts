// Leases with optimistic concurrency: a create of an existing Lease answers 409 AlreadyExists, a
// replace carrying a resourceVersion other than the stored one 409 Conflict. Times must be
// metav1.MicroTime, as the API server requires.
import { type Answer, failure, notFound } from './answers.js';
import { type JsonObject, isObject } from './fields.js';
import { type Store, metaOf } from './store.js';

// metav1.MicroTime is RFC 3339 with exactly six fractional digits; the API server rejects other forms.
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/;

/** A Lease as written: it has a name. */
type LeaseBody = JsonObject & { metadata: JsonObject & { name: string } };

/** POST (create) or PUT (replace) of a Lease. */
export function writeLease(store: Store, method: 'POST' | 'PUT', namespace: string, name: string | undefined, body: string): Answer {
  const parsed = parseLease(body);
  if (!parsed.ok) return parsed.refusal;
  const lease = parsed.lease;
  const leaseName = lease.metadata.name;
  const existing = store.get('leases', namespace, leaseName);
  if (method === 'POST') {
    if (existing) {
      return failure(409, 'AlreadyExists', `leases.coordination.k8s.io "${leaseName}" already exists`, {
        name: leaseName,
        group: 'coordination.k8s.io',
        kind: 'leases',
      });
    }
    return { code: 201, body: store.put('leases', { ...lease, metadata: { ...lease.metadata, namespace } }, []) };
  }
  if (name !== leaseName) return failure(400, 'BadRequest', 'the name of the object does not match the name on the URL');
  if (!existing) return notFound(store.kindOf('leases'), leaseName);
  const sentRv = lease.metadata['resourceVersion'];
  if (sentRv !== undefined && sentRv !== metaOf(existing.object)['resourceVersion']) {
    return failure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on leases.coordination.k8s.io "${leaseName}": the object has been modified; please apply your changes to the latest version and try again`,
      {
        name: leaseName,
        group: 'coordination.k8s.io',
        kind: 'leases',
      },
    );
  }
  return { code: 200, body: store.put('leases', { ...lease, metadata: { ...lease.metadata, namespace } }, []) };
}

/** The Lease in a request body, or the answer refusing it. */
function parseLease(body: string): { ok: true; lease: LeaseBody } | { ok: false; refusal: Answer } {
  let lease: unknown;
  try {
    lease = JSON.parse(body);
  } catch {
    return { ok: false, refusal: failure(400, 'BadRequest', 'body is not JSON') };
  }
  if (!isObject(lease) || !isObject(lease['metadata']) || typeof lease['metadata']['name'] !== 'string')
    return { ok: false, refusal: failure(422, 'Invalid', 'Lease.coordination.k8s.io is invalid: metadata.name: Required value') };
  const spec = isObject(lease['spec']) ? lease['spec'] : {};
  for (const field of ['acquireTime', 'renewTime']) {
    const value = spec[field];
    if (value !== undefined && value !== null && (typeof value !== 'string' || !MICRO_TIME.test(value))) {
      const message = `Lease in version "v1" cannot be handled as a Lease: parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05.000000Z07:00": cannot parse`;
      return { ok: false, refusal: failure(400, 'BadRequest', message) };
    }
  }
  return { ok: true, lease: lease as LeaseBody };
}
