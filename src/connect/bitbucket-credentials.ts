import * as jwt from "atlassian-jwt";
import type { AuthDeps, AuthFactory, BitbucketAuth } from "../bitbucket/auth";
import type { InstallationView } from "../core/installations";

const TOKEN_GRANT = "urn:bitbucket:oauth2:jwt";
const JWT_LIFETIME_S = 180;

/** The JWT Bitbucket expects from a Connect app: iss = app key, sub = clientKey, qsh over the request. */
export function signConnectJwt(appKey: string, clientKey: string, sharedSecret: string, method: string, url: string, now = Date.now()): string {
  const u = new URL(url);
  const req = jwt.fromMethodAndUrl(method, `${u.pathname}${u.search}`);
  const iat = Math.floor(now / 1000);
  return jwt.encodeSymmetric(
    { iss: appKey, sub: clientKey, iat, exp: iat + JWT_LIFETIME_S, qsh: jwt.createQueryStringHash(req) },
    sharedSecret,
    jwt.SymmetricAlgorithm.HS256,
  );
}

/**
 * Connect installations: API calls carry a per-request JWT; downloads use the bearer token from the
 * JWT grant (`/site/oauth2/access_token`), cached until a minute before it expires.
 */
class ConnectJwtAuth implements BitbucketAuth {
  private token: { value: string; expiresAt: number } | null = null;
  private pending: Promise<string> | null = null;

  constructor(
    private readonly installation: InstallationView,
    private readonly deps: AuthDeps,
  ) {}

  private async secret(): Promise<string> {
    const s = (await this.deps.secrets(this.installation.id)).sharedSecret;
    if (!s) throw new Error("installation has no shared secret");
    return s;
  }

  async headers(method: string, url: string): Promise<Record<string, string>> {
    const token = signConnectJwt(this.installation.appKey, this.installation.clientKey, await this.secret(), method, url);
    return { authorization: `JWT ${token}` };
  }

  async bearerToken(): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now() + 60_000) return this.token.value;
    this.pending ??= this.exchange().finally(() => (this.pending = null));
    return this.pending;
  }

  invalidate(): void {
    this.token = null;
  }

  private async exchange(): Promise<string> {
    const url = `${this.installation.baseUrl.replace(/\/$/, "")}/site/oauth2/access_token`;
    const res = await this.deps.http.send({
      target: "bitbucket",
      method: "POST",
      url,
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({ grant_type: TOKEN_GRANT }).toString(),
      authorize: (m, u) => this.headers(m, u),
    });
    const body = res.json<{ access_token?: string; expires_in?: number }>();
    if (!body?.access_token) throw new Error("Bitbucket's token endpoint answered without an access_token");
    this.token = { value: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000 };
    return body.access_token;
  }
}

/** The `connect-jwt` credential kind of Connect installations. */
export const connectJwtAuth: AuthFactory = (installation, deps) => new ConnectJwtAuth(installation, deps);
