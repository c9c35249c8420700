// Bad input from a member cluster (an object that does not decode, a node without usable labels,
// an answer the server should not have sent) becomes an 'error' event naming the cluster, and
// never stops the watch.
import type { ClusterEvent, Logger } from '@fedsvc/core/provider';

export class BadInput {
  constructor(
    private readonly cluster: string,
    private readonly logger: Logger,
    private readonly emit: (event: ClusterEvent) => void,
  ) {}

  readonly report = (error: unknown): void => {
    const err = error instanceof Error ? error : new Error(String(error));
    this.logger.warn({ cluster: this.cluster, err: err.message }, 'bad input from member cluster');
    this.emit({ type: 'error', cluster: this.cluster, error: err });
  };

  /** `decode(value)`, or undefined when it throws (reported). */
  decode<T>(decode: (value: unknown) => T, value: unknown): T | undefined {
    try {
      return decode(value);
    } catch (error) {
      this.report(error);
      return undefined;
    }
  }
}
