// The fixture as its own token endpoint: the subject token of a workload-identity-federation
// credential, its exchange for a bearer token, and the check of that token on API requests.
import { randomUUID } from 'node:crypto';
import { ApiError } from './api-error.js';

/** An `external_account` credential whose token endpoint is this server. */
export interface FixtureCredentials {
  readonly type: 'external_account';
  readonly audience: string;
  readonly subject_token_type: string;
  readonly token_url: string;
  readonly credential_source: { readonly url: string };
}

const SUBJECT_TOKEN = 'fixture-subject-token';

/** The credential of the fixture at `url`, reading its subject token from `subjectUrl`. */
export function fixtureCredential(url: string, subjectUrl: string): FixtureCredentials {
  return {
    type: 'external_account',
    audience: '//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/fedsvc-fixture/providers/local',
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: `${url}/v1/token`,
    credential_source: { url: subjectUrl },
  };
}

/** The subject token the credential source hands out: the right one, or one the exchange refuses. */
export const subjectToken = (wrong: boolean): string => (wrong ? 'not-the-subject-token' : SUBJECT_TOKEN);

/** Issues access tokens for the subject token, and knows which it issued. */
export class TokenIssuer {
  readonly #issued = new Set<string>();

  /** A token exchange (RFC 8693): a form body in, a status and JSON body out. */
  exchange(body: string): { status: number; body: unknown } {
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:token-exchange' || form.get('subject_token') !== SUBJECT_TOKEN) {
      return { status: 400, body: { error: 'invalid_grant', error_description: 'The subject token could not be verified.' } };
    }
    const token = `fixture-access-${randomUUID()}`;
    this.#issued.add(token);
    return {
      status: 200,
      body: {
        access_token: token,
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        token_type: 'Bearer',
        expires_in: 3600,
      },
    };
  }

  /** Refuses (401) an API request whose Authorization header holds no token issued here. */
  authorize(authorization: string | undefined): void {
    const bearer = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    if (bearer !== undefined && this.#issued.has(bearer)) return;
    throw new ApiError(
      401,
      [
        {
          reason: 'authError',
          message:
            'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        },
      ],
      { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' },
    );
  }

  revokeAll(): void {
    this.#issued.clear();
  }
}
