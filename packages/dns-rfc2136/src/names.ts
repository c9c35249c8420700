// Domain names (RFC 1035 §3.1): presentation form with RFC 1035 escapes ↔ labels of raw bytes ↔
// canonical wire form.
import { MAX_LABEL, MAX_NAME_WIRE } from './codes.js';
import { WireError } from './wire-error.js';

/** Presentation name → labels of raw bytes. Accepts names with or without the trailing dot. */
export function nameToLabels(name: string): Uint8Array[] {
  if (name === '.' || name === '') return [];
  const labels: Uint8Array[] = [];
  let current: number[] = [];
  const bytes = Buffer.from(name, 'utf8');
  const finish = () => {
    if (current.length === 0) throw new WireError(`empty label in name ${JSON.stringify(name)}`);
    if (current.length > MAX_LABEL) throw new WireError(`label longer than ${MAX_LABEL} bytes in name ${JSON.stringify(name)}`);
    labels.push(Uint8Array.from(current));
    current = [];
  };
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0x2e /* . */) {
      finish();
    } else if (c === 0x5c /* \ */) {
      const next = bytes[i + 1];
      if (next === undefined) throw new WireError(`dangling escape in name ${JSON.stringify(name)}`);
      if (next >= 0x30 && next <= 0x39) {
        const digits = bytes.subarray(i + 1, i + 4);
        const value = Number(Buffer.from(digits).toString('latin1'));
        if (digits.length !== 3 || !/^\d{3}$/.test(Buffer.from(digits).toString('latin1')) || value > 255) {
          throw new WireError(`bad \\DDD escape in name ${JSON.stringify(name)}`);
        }
        current.push(value);
        i += 3;
      } else {
        current.push(next);
        i += 1;
      }
    } else {
      current.push(c);
    }
  }
  // A name without its trailing dot ends in a label; one with it has just finished its last.
  if (current.length > 0) finish();
  const wire = labels.reduce((sum, label) => sum + label.length + 1, 1);
  if (wire > MAX_NAME_WIRE) throw new WireError(`name longer than ${MAX_NAME_WIRE} bytes: ${JSON.stringify(name)}`);
  return labels;
}

/** Labels → presentation name, lower-cased (names compare without case), escaping what needs it. */
export function labelsToName(labels: readonly Uint8Array[]): string {
  if (labels.length === 0) return '.';
  let out = '';
  for (const label of labels) {
    for (const byte of label) {
      const c = byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte;
      if (c === 0x2e || c === 0x5c) out += `\\${String.fromCharCode(c)}`;
      else if (c <= 0x20 || c >= 0x7f || c === 0x22 || c === 0x28 || c === 0x29 || c === 0x3b || c === 0x40 || c === 0x24) {
        out += `\\${String(c).padStart(3, '0')}`;
      } else out += String.fromCharCode(c);
    }
    out += '.';
  }
  return out;
}

/** Canonical (lower-case, uncompressed) wire form of a name: what TSIG and prerequisites use. */
export function encodeName(name: string): Buffer {
  const labels = nameToLabels(name);
  const out = Buffer.alloc(labels.reduce((sum, label) => sum + label.length + 1, 1));
  let offset = 0;
  for (const label of labels) {
    out[offset++] = label.length;
    for (const byte of label) out[offset++] = byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte;
  }
  return out;
}

export const normalizeWireName = (name: string): string => labelsToName(nameToLabels(name));
