// One ResourceRecordSet of a change's body, checked field by field as Cloud DNS checks it, and
// stored as Cloud DNS stores it.
import { isIPv4, isIPv6 } from 'node:net';
import { ApiError, type ErrorDetail } from './api-error.js';
import type { StoredRrset } from './record-sets.js';
import { isTtl } from '@fedsvc/core/provider';

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
 * One ResourceRecordSet of a request body, checked field by field, for the zone whose DNS name is
 * `apex`; `path` as in API messages.
 */
export function parseRrset(raw: unknown, path: string, apex: string): StoredRrset {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as { name?: unknown; type?: unknown; ttl?: unknown; rrdatas?: unknown };
  const fail = (detail: ErrorDetail) => new ApiError(400, [detail]);
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
  if (!Array.isArray(r.rrdatas) || r.rrdatas.length === 0)
    throw fail({ reason: 'required', message: `The '${path}.rrdata' parameter is required but was missing.` });
  const rrdatas = r.rrdatas.map((rrdata: unknown, i: number) => {
    if (typeof rrdata !== 'string' || !validRrdata(r.type as string, rrdata)) throw fail(invalid(`${path}.rrdata[${i}]`, rrdata));
    return storedRrdata(r.type as string, rrdata);
  });
  const seen = new Set<string>();
  const duplicate = rrdatas.findIndex((rrdata) => seen.size === seen.add(rrdata).size);
  if (duplicate >= 0) throw fail(invalid(`${path}.rrdata[${duplicate}]`, rrdatas[duplicate]));
  if (r.type === 'CNAME' && rrdatas.length > 1) throw fail(invalid(`${path}.rrdata[1]`, rrdatas[1]));
  return { name, type: r.type, ttl: r.ttl as number, rrdatas };
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
