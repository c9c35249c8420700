// The zone's records by service, as last read and since written, so that a pass for one service
// reads nothing. Unknown until the first read, and again after a failed pass or a change of
// leader; a full resync reads the zone anew, which repairs drift. With it, the zone's version
// (the provider's zoneVersion) the records are known at, so that a periodic resync can tell
// whether anyone changed the zone since.
import type { ReconcileReport } from '../zone/report.js';
import type { RecordSet } from '../types.js';
import type { ServiceKey } from './types.js';

export class ZoneCache {
  #byService: Map<ServiceKey, RecordSet<string>[]> | undefined;
  #version: string | undefined;

  /** `serviceOf`: the service a record name (or its ownership marker) belongs to, if any. */
  constructor(private readonly serviceOf: (name: string) => ServiceKey | undefined) {}

  /** The records of `keys` as the zone holds them, or undefined when that is not known. */
  records(keys: Iterable<ServiceKey>): RecordSet<string>[] | undefined {
    const zone = this.#byService;
    return zone && [...keys].flatMap((key) => zone.get(key) ?? []);
  }

  /**
   * The zone's version at which the records are known, when the provider gave one and nothing
   * since casts doubt on it; undefined otherwise.
   */
  get version(): string | undefined {
    return this.#byService && this.#version;
  }

  /** Another writer may have been at the zone: read it again next time. */
  forget(): void {
    this.#byService = undefined;
    this.#version = undefined;
  }

  /**
   * Keeps what a pass read and wrote: the whole zone when it read it, then the records of the
   * services in its scope; `version` is the zone's version they are known at (undefined: not known).
   */
  remember(report: ReconcileReport, inScope: (key: ServiceKey) => boolean, version: string | undefined): void {
    if (report.read) this.#byService = this.#group(report.read);
    this.#version = version;
    const zone = this.#byService;
    if (!zone) return;
    if (!report.records) {
      this.forget();
      return;
    }
    for (const key of [...zone.keys()]) if (inScope(key)) zone.delete(key);
    for (const [key, records] of this.#group(report.records)) zone.set(key, records);
  }

  #group(records: readonly RecordSet<string>[]): Map<ServiceKey, RecordSet<string>[]> {
    const out = new Map<ServiceKey, RecordSet<string>[]>();
    for (const record of records) {
      const key = this.serviceOf(record.name);
      if (key === undefined) continue;
      const list = out.get(key);
      if (list) list.push(record);
      else out.set(key, [record]);
    }
    return out;
  }
}
