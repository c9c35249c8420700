// Writing a DNS message: big-endian integers, bytes and names into a buffer of at most
// MAX_MESSAGE_SIZE bytes.
import { MAX_MESSAGE_SIZE } from './codes.js';
import { labelsToName, nameToLabels } from './names.js';
import { WireError } from './wire-error.js';

/** Appends to a buffer of at most MAX_MESSAGE_SIZE bytes, with optional name compression. */
export class Writer {
  readonly #buffer = Buffer.alloc(MAX_MESSAGE_SIZE);
  #offset = 0;
  readonly #names: Map<string, number> | undefined;

  constructor(compress = false) {
    this.#names = compress ? new Map() : undefined;
  }

  get offset(): number {
    return this.#offset;
  }

  #room(n: number): void {
    if (this.#offset + n > MAX_MESSAGE_SIZE) throw new WireError(`message larger than ${MAX_MESSAGE_SIZE} bytes`);
  }

  u8(value: number): void {
    this.#room(1);
    this.#buffer.writeUInt8(value, this.#offset);
    this.#offset += 1;
  }

  u16(value: number): void {
    this.#room(2);
    this.#buffer.writeUInt16BE(value, this.#offset);
    this.#offset += 2;
  }

  u32(value: number): void {
    this.#room(4);
    this.#buffer.writeUInt32BE(value, this.#offset);
    this.#offset += 4;
  }

  bytes(data: Uint8Array): void {
    this.#room(data.length);
    this.#buffer.set(data, this.#offset);
    this.#offset += data.length;
  }

  name(name: string): void {
    const labels = nameToLabels(name);
    for (let i = 0; i < labels.length; i++) {
      if (this.#names) {
        const suffix = labelsToName(labels.slice(i));
        const at = this.#names.get(suffix);
        if (at !== undefined) {
          this.u16(0xc000 | at);
          return;
        }
        if (this.#offset < 0x4000) this.#names.set(suffix, this.#offset);
      }
      const label = labels[i]!;
      this.u8(label.length);
      this.bytes(label);
    }
    this.u8(0);
  }

  finish(): Buffer {
    return Buffer.from(this.#buffer.subarray(0, this.#offset));
  }
}
