import type { InstallationView } from "../core/installations";
import type { CredentialKind } from "../models/installation";
import type { HttpClient } from "../http/client";

/**
 * How requests to Bitbucket are authorised for one installation. Each front door declares the
 * credential kinds it creates (`FrontDoor.credentials`; Connect: JWT signed with the shared secret;
 * Forge: the system token), so the Bitbucket client and the integrations never know which door an
 * installation came through.
 */
export interface BitbucketAuth {
  /** Headers for one API request (a JWT is bound to method and URL through its qsh). */
  headers(method: string, url: string): Promise<Record<string, string>>;
  /** An OAuth bearer token for git-over-HTTPS and downloads outside the REST API. */
  bearerToken(): Promise<string>;
  /** Drops any cached token (after a 401). */
  invalidate(): void;
}

export interface AuthDeps {
  http: HttpClient;
  secrets(installationId: string): Promise<Record<string, string>>;
}

export type AuthFactory = (installation: InstallationView, deps: AuthDeps) => BitbucketAuth;

/** The auth factory of each credential kind, as the front doors declare them (`FrontDoor.credentials`). */
export type CredentialFactories = { readonly [K in CredentialKind]?: AuthFactory };
