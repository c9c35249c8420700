// The Google adapter's options, and their checks.
import type { DNSOptions } from '@google-cloud/dns';
import { positiveInteger, positiveNumber, ValidationError } from '@fedsvc/core/provider';

export interface WaitForDoneOptions {
  /** Give up (ProviderError `transient`) when the change is not `done` after this long. Default 120 000. */
  readonly timeoutMs?: number;
  /** Pause between `changes.get` calls; each counts against the project's read quota. Default 2 000. */
  readonly pollIntervalMs?: number;
}

export interface GoogleProviderOptions {
  /** The project holding the managed zones. Default: the credentials' project, then `GOOGLE_CLOUD_PROJECT` / `GCLOUD_PROJECT`. */
  readonly projectId?: string;
  /** A service-account key or external-account (workload identity federation) JSON file. */
  readonly keyFilename?: string;
  /** The contents of such a file. Without this and `keyFilename`: Application Default Credentials. */
  readonly credentials?: DNSOptions['credentials'];
  /**
   * The API host (default `dns.googleapis.com`; the SDK prefixes `https://`). A URL with a scheme,
   * such as `http://127.0.0.1:8080` for a local server, is used as given.
   */
  readonly apiEndpoint?: string;
  /** Record sets per `rrsets.list` page (`maxResults`). Default: as many as the server gives. */
  readonly pageSize?: number;
  /**
   * How long one request may take, from the moment it is made (the auth library's token included)
   * to the last byte of its answer; then it is aborted and fails as a `transient` ProviderError,
   * which core's reconcile retries. A positive number of milliseconds. Default 10 000.
   */
  readonly requestTimeoutMs?: number;
  /** After each change, poll `changes.get` until it is `done`, so a later change never runs ahead of DNS. Off by default. */
  readonly waitForDone?: boolean | WaitForDoneOptions;
}

export function validate(options: GoogleProviderOptions): void {
  const { pageSize, apiEndpoint, projectId } = options;
  if (pageSize !== undefined) positiveInteger('pageSize', pageSize);
  if (options.requestTimeoutMs !== undefined) positiveNumber('requestTimeoutMs', options.requestTimeoutMs);
  if (apiEndpoint !== undefined && (typeof apiEndpoint !== 'string' || !/^(https?:\/\/)?[\w.-]+(:\d+)?\/?$/.test(apiEndpoint))) {
    throw new ValidationError('apiEndpoint', apiEndpoint, 'must be a host[:port], or an http(s) URL with no path');
  }
  if (projectId !== undefined && (typeof projectId !== 'string' || !/^[a-z][-a-z0-9.:]{4,62}$/.test(projectId))) {
    throw new ValidationError('projectId', projectId, 'must be a Google Cloud project id such as my-project-123');
  }
  const wait = options.waitForDone;
  if (wait !== undefined && typeof wait !== 'boolean' && (typeof wait !== 'object' || wait === null)) {
    throw new ValidationError('waitForDone', wait, 'must be a boolean or { timeoutMs, pollIntervalMs }');
  }
  if (typeof wait === 'object') {
    for (const field of ['timeoutMs', 'pollIntervalMs'] as const) {
      const value = wait[field];
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
        throw new ValidationError(`waitForDone.${field}`, value, 'must be a non-negative number of milliseconds');
      }
    }
  }
}
