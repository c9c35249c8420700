// A secondary index of the fixture's store: which values the objects of one resource hold (say
// the node ports of every Service), kept as objects are written, so that a request asking "is
// this value taken?" does not read every object.
import type { Json, JsonObject } from './fields.js';

export class ValueIndex {
  /** How many objects hold each value (values compared as a Set compares them). */
  private readonly counts = new Map<Json, number>();

  constructor(private readonly valuesOf: (object: Readonly<JsonObject>) => Iterable<Json>) {}

  /** Whether some object holds `value`. */
  has(value: Json): boolean {
    return this.counts.has(value);
  }

  add(object: Readonly<JsonObject>): void {
    for (const value of new Set(this.valuesOf(object))) this.counts.set(value, (this.counts.get(value) ?? 0) + 1);
  }

  remove(object: Readonly<JsonObject>): void {
    for (const value of new Set(this.valuesOf(object))) {
      const left = (this.counts.get(value) ?? 0) - 1;
      if (left > 0) this.counts.set(value, left);
      else this.counts.delete(value);
    }
  }

  clear(): void {
    this.counts.clear();
  }
}
