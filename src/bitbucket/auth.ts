import type { InstallationView } from "../core/installations";
import type { CredentialKind } from "../models/installation";
import type { HttpClient } from "../http/client";

/**
 * How requests to Bitbucket are authorised for one installation. Each front door registers the
 * credential kind it creates (Connect: JWT signed with the shared secret; Forge: the system token),
 * so the Bitbucket client and the integrations never know which door an installation came through.
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

const factories = new Map<CredentialKind, AuthFactory>();

export function registerCredentialKind(kind: CredentialKind, factory: AuthFactory): void {
  factories.set(kind, factory);
}

export function createAuth(installation: InstallationView, deps: AuthDeps): BitbucketAuth {
  const factory = factories.get(installation.credentialKind);
  if (!factory) throw new Error(`No credential provider for ${installation.credentialKind}`);
  return factory(installation, deps);
}
