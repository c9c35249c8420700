// Reading a DNS message: big-endian integers, bytes and possibly compressed names, each read
// checked against the end of the message.
import { MAX_NAME_WIRE } from './codes.js';
import { labelsToName } from './names.js';
import { WireError } from './wire-error.js';

/** Reads a message front to back. */
export class Reader {
  #offset: number;
  constructor(
    readonly data: Uint8Array,
    offset = 0,
  ) {
    this.#offset = offset;
  }

  get offset(): number {
    return this.#offset;
  }

  #need(n: number): void {
    if (this.#offset + n > this.data.length) throw new WireError('message ends early', this.#offset);
  }

  u8(): number {
    this.#need(1);
    return this.data[this.#offset++]!;
  }

  u16(): number {
    this.#need(2);
    const value = (this.data[this.#offset]! << 8) | this.data[this.#offset + 1]!;
    this.#offset += 2;
    return value;
  }

  u32(): number {
    this.#need(4);
    return this.u16() * 0x10000 + this.u16();
  }

  bytes(n: number): Uint8Array {
    this.#need(n);
    const out = this.data.subarray(this.#offset, this.#offset + n);
    this.#offset += n;
    return out;
  }

  /**
   * Reads a possibly compressed name. Every pointer must point strictly before the label that
   * holds it, so decoding ends within as many jumps as the message has bytes: no loop can form.
   */
  labels(): Uint8Array[] {
    const labels: Uint8Array[] = [];
    let wire = 1;
    let position = this.#offset;
    let jumped = false;
    for (;;) {
      if (position >= this.data.length) throw new WireError('name runs past the end of the message', position);
      const length = this.data[position]!;
      if ((length & 0xc0) === 0xc0) {
        if (position + 1 >= this.data.length) throw new WireError('compression pointer cut short', position);
        const target = ((length & 0x3f) << 8) | this.data[position + 1]!;
        if (target >= position) throw new WireError('compression pointer does not point backwards', position);
        if (!jumped) this.#offset = position + 2;
        jumped = true;
        position = target;
        continue;
      }
      if ((length & 0xc0) !== 0) throw new WireError('unknown label type', position);
      if (length === 0) {
        if (!jumped) this.#offset = position + 1;
        return labels;
      }
      wire += length + 1;
      if (wire > MAX_NAME_WIRE) throw new WireError(`name longer than ${MAX_NAME_WIRE} bytes`, position);
      if (position + 1 + length > this.data.length) throw new WireError('label runs past the end of the message', position);
      labels.push(this.data.subarray(position + 1, position + 1 + length));
      position += 1 + length;
    }
  }

  name(): string {
    return labelsToName(this.labels());
  }
}
