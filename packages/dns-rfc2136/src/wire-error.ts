// The error of the DNS message codec.

/** Something in a message that does not follow the format. Carries the offset where reading stopped. */
export class WireError extends Error {
  override readonly name = 'WireError';
  constructor(
    message: string,
    readonly offset?: number,
  ) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`);
  }
}
