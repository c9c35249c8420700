// One ResourceRecordSet of a change's body, checked field by field as Cloud DNS checks it, and
// stored as Cloud DNS stores it.
import { isIPv4, isIPv6 } from 'node:net';
import { ApiError, type ErrorDetail } from './api-error.js';
import type { StoredRrset } from './record-sets.js';
import { parseRoutingPolicy } from './routing-policy.js';
import { isTtl } from '@fedsvc/core/provider';

const fail = (detail: ErrorDetail) => new ApiError(400, [detail]);
const invalid = (field: string, value: unknown) => ({ reason: 'invalid', message: `Invalid value for '${field}': '${String(value)}'` });
export const SUPPORTED_TYPES = new Set(['A', 'AAAA', 'CAA', 'CNAME', 'DS', 'HTTPS', 'MX', 'NS', 'PTR', 'SOA', 'SPF', 'SRV', 'SVCB', 'TXT']);
const LABEL = /^(\*|[a-z0-9_]([-a-z0-9_]{0,61}[a-z0-9_])?)$/;

/**
 * Cloud DNS stores TXT data as quoted character-strings: unquoted text is split at spaces
 * into one string per word, and every TXT rrdata is listed quoted.
 */
export function storedRrdata(type: string, rrdata: string): string {
  if (type !== 'TXT' || rrdata.startsWith('"')) return rrdata;
  return rrdata
    .split(/\s+/)
    .filter((word) => word !== '')
    .map((word) => `"${word}"`)
    .join(' ');
}

/**
 * The rrdatas at `path` (a record set, or one item of its routing policy) for records of `type`:
 * present, each valid for the type, none twice, one at most for a CNAME; stored as Cloud DNS
 * stores them.
 */
function readRrdatas(type: string, raw: unknown, path: string): string[] {
  if (!Array.isArray(raw) || raw.length === 0)
    throw fail({ reason: 'required', message: `The '${path}.rrdata' parameter is required but was missing.` });
  const rrdatas = raw.map((rrdata: unknown, i: number) => {
    if (typeof rrdata !== 'string' || !validRrdata(type, rrdata)) throw fail(invalid(`${path}.rrdata[${i}]`, rrdata));
    return storedRrdata(type, rrdata);
  });
  const seen = new Set<string>();
  const duplicate = rrdatas.findIndex((rrdata) => seen.size === seen.add(rrdata).size);
  if (duplicate >= 0) throw fail(invalid(`${path}.rrdata[${duplicate}]`, rrdatas[duplicate]));
  if (type === 'CNAME' && rrdatas.length > 1) throw fail(invalid(`${path}.rrdata[1]`, rrdatas[1]));
  return rrdatas;
}

/**
 * The data of a record set: its rrdatas, or a routing policy and no rrdatas (quoted from the API
 * reference: "A valid ResourceRecordSet contains only rrdata (for static resolution) or a
 * routingPolicy (for dynamic resolution)").
 */
function readData(
  type: string,
  r: { rrdatas?: unknown; routingPolicy?: unknown },
  path: string,
): Pick<StoredRrset, 'rrdatas' | 'routingPolicy'> {
  if (r.routingPolicy === undefined) return { rrdatas: readRrdatas(type, r.rrdatas, path) };
  if (Array.isArray(r.rrdatas) && r.rrdatas.length > 0) {
    throw fail({
      reason: 'invalid',
      message: `The resource record set '${path}' is invalid because it has both rrdatas and a routingPolicy: a record set may have either, but not both.`,
    });
  }
  return {
    rrdatas: [],
    routingPolicy: parseRoutingPolicy(r.routingPolicy, `${path}.routingPolicy`, type, (raw, at) => readRrdatas(type, raw, at)),
  };
}

/**
 * One ResourceRecordSet of a request body, checked field by field, for the zone whose DNS name is
 * `apex`; `path` as in API messages.
 */
export function parseRrset(raw: unknown, path: string, apex: string): StoredRrset {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as {
    name?: unknown;
    type?: unknown;
    ttl?: unknown;
    rrdatas?: unknown;
    routingPolicy?: unknown;
  };
  if (typeof r.name !== 'string' || r.name === '')
    throw fail({ reason: 'required', message: `The '${path}.name' parameter is required but was missing.` });
  const name = r.name.toLowerCase();
  if (
    !name.endsWith('.') ||
    !name
      .slice(0, -1)
      .split('.')
      .every((label) => LABEL.test(label))
  )
    throw fail(invalid(`${path}.name`, r.name));
  if (name !== apex && !name.endsWith(`.${apex}`)) throw fail(invalid(`${path}.name`, r.name));
  if (typeof r.type !== 'string' || !SUPPORTED_TYPES.has(r.type)) throw fail(invalid(`${path}.type`, r.type));
  if (!isTtl(r.ttl)) throw fail(invalid(`${path}.ttl`, r.ttl));
  return { name, type: r.type, ttl: r.ttl as number, ...readData(r.type, r, path) };
}

function validRrdata(type: string, rrdata: string): boolean {
  switch (type) {
    case 'A':
      return isIPv4(rrdata);
    case 'AAAA':
      return isIPv6(rrdata);
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return /^([a-z0-9_*]([-a-z0-9_]*[a-z0-9_])?\.)+$/i.test(rrdata);
    default:
      return rrdata.trim() !== '';
  }
}
