// Error answers in the Google JSON API shape.

export interface ErrorDetail {
  readonly reason: string;
  readonly message: string;
}

/** An error answer in the Google JSON API shape: `{ error: { code, message, errors: [{ domain, reason, message }] } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly details: readonly ErrorDetail[],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(details[0]?.message ?? `HTTP ${status}`);
  }

  body(): string {
    return JSON.stringify({
      error: {
        code: this.status,
        message: this.message,
        errors: this.details.map((d) => ({ message: d.message, domain: 'global', reason: d.reason })),
      },
    });
  }
}
