import type { ProviderErrorKind } from './types.js';

/** Bad input at the library's boundary. Names the offending field and value. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(
    /** Path of the field, e.g. `shards[3].addresses[0]`. */
    readonly field: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`${field}: ${reason} (got ${describe(value)})`);
  }
}

/** A DNS provider refused or failed a request. Never carries credentials. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly kind: ProviderErrorKind;
  readonly provider: string;
  /** The record set the provider blamed, when it said. */
  readonly record?: { readonly name: string; readonly type: string };
  /** Server-suggested wait before retrying, milliseconds. */
  readonly retryAfterMs?: number;
  /** How many attempts were made before this error was surfaced. */
  readonly attempts: number;

  constructor(
    provider: string,
    kind: ProviderErrorKind,
    message: string,
    options: {
      cause?: unknown;
      record?: { name: string; type: string };
      retryAfterMs?: number;
      attempts?: number;
    } = {},
  ) {
    super(`${provider}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.provider = provider;
    this.kind = kind;
    if (options.record) this.record = options.record;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    this.attempts = options.attempts ?? 1;
  }
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 300 ? `${value.slice(0, 300)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  try {
    const json = JSON.stringify(value);
    return json.length > 300 ? `${json.slice(0, 300)}…` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
