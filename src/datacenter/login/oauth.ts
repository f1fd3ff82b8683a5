import { z } from "zod";
import type { DataCenterInstanceConfig } from "../../config/datacenter";
import type { HttpClient } from "../../http/client";
import { HttpError } from "../../http/errors";

/** Where DC's OAuth 2.0 provider lives under the base URL (datacenter-app.md §1.2; python-social-auth's DC backend). */
export const DC_OAUTH_PATHS = { authorize: "/rest/oauth2/latest/authorize", token: "/rest/oauth2/latest/token" } as const;

/** The callback the application link's Redirect URL must name exactly. */
export function dataCenterRedirectUri(baseUrl: string): string {
  return `${baseUrl.replace(/\/$/, "")}/datacenter/oauth/callback`;
}

/**
 * The authorize URL of an instance: authorization code with PKCE S256, `state`, and the scopes
 * space-separated (python-social-auth `SCOPE_SEPARATOR=" "`). Scope names other than
 * `PUBLIC_REPOS`, `REPO_READ`, `REPO_WRITE`, `PROJECT_ADMIN` are UNVERIFIED (reference §1.2).
 */
export function authorizeUrl(instance: DataCenterInstanceConfig, p: { redirectUri: string; scope: string; state: string; challenge: string }): string {
  const u = new URL(`${instance.baseUrl}${DC_OAUTH_PATHS.authorize}`);
  u.searchParams.set("client_id", instance.oauth.clientId);
  u.searchParams.set("redirect_uri", p.redirectUri);
  u.searchParams.set("response_type", "code");
  u.searchParams.set("scope", p.scope);
  u.searchParams.set("state", p.state);
  u.searchParams.set("code_challenge", p.challenge);
  u.searchParams.set("code_challenge_method", "S256");
  return u.toString();
}

const TokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.coerce.number().positive().optional(),
  token_type: z.string().optional(),
  scope: z.string().optional(),
});

export interface DcTokens {
  accessToken: string;
  refreshToken: string | null;
  /** Epoch ms; DC's maximum is 3600 s (assumed when the answer has no `expires_in`). */
  accessExpiresAt: number;
  scope: string | null;
}

/** The token endpoint refused the grant (400 `invalid_grant` etc.): the user has to log in again. */
export class GrantRefusedError extends Error {
  constructor(readonly oauthError: string) {
    super(`Bitbucket Data Center refused the grant (${oauthError})`);
    this.name = "GrantRefusedError";
  }
}

/**
 * `POST {base}/rest/oauth2/latest/token` as a form with the client credentials in the body
 * (python-social-auth `USE_BASIC_AUTH=False`): `authorization_code` (with `code_verifier` and the
 * same `redirect_uri`) or `refresh_token`. A 400/401 answer is a `GrantRefusedError` (its OAuth
 * `error` code only: the body is never logged, it may echo the request); other failures are the HTTP
 * client's errors. The tokens are returned, never logged.
 */
export async function requestTokens(
  http: HttpClient,
  instance: DataCenterInstanceConfig,
  grant: { grant_type: "authorization_code"; code: string; code_verifier: string; redirect_uri: string } | { grant_type: "refresh_token"; refresh_token: string },
  now = Date.now(),
): Promise<DcTokens> {
  const body = new URLSearchParams({ ...grant, client_id: instance.oauth.clientId, client_secret: instance.oauth.clientSecret }).toString();
  let raw: unknown;
  try {
    const res = await http.send({
      target: "bitbucket-dc-oauth",
      method: "POST",
      url: `${instance.baseUrl}${DC_OAUTH_PATHS.token}`,
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body,
      retries: 0,
    });
    raw = res.json();
  } catch (err) {
    if (err instanceof HttpError && (err.status === 400 || err.status === 401)) throw new GrantRefusedError(oauthErrorCode(err.bodySnippet));
    throw err;
  }
  const parsed = TokenResponse.safeParse(raw);
  if (!parsed.success) throw new GrantRefusedError("malformed token response");
  const t = parsed.data;
  return { accessToken: t.access_token, refreshToken: t.refresh_token ?? null, accessExpiresAt: now + (t.expires_in ?? 3600) * 1000, scope: t.scope ?? null };
}

/** The OAuth `error` code of an error body (RFC 6749 §5.2), nothing else of it. */
function oauthErrorCode(body: string): string {
  try {
    const code = (JSON.parse(body) as { error?: unknown }).error;
    return typeof code === "string" && /^[a-z_]{1,40}$/.test(code) ? code : "error";
  } catch {
    return "error";
  }
}

export interface DcIdentity {
  /** DC's numeric user id: the stable key. */
  id: number;
  name: string;
  slug: string;
  displayName: string;
}

const RestApplicationUser = z.object({ id: z.number().int().positive(), name: z.string().min(1), slug: z.string().min(1), displayName: z.string().min(1), active: z.boolean().optional() });

/**
 * Who owns an access token, asked of DC with that token (never from anything the browser sends):
 * `GET /rest/api/latest/application-properties` answers with `X-AUSERNAME` (the authenticated user's
 * name), then `GET /rest/api/latest/users/{name}` gives the id, slug and display name
 * (python-social-auth's DC backend; reference §1.2). That `users/{userSlug}` resolves a name whose
 * slug differs is UNVERIFIED. Error when DC names no user or an inactive one.
 */
export async function identify(http: HttpClient, instance: DataCenterInstanceConfig, accessToken: string): Promise<DcIdentity> {
  const auth = { authorization: `Bearer ${accessToken}`, accept: "application/json" };
  const props = await http.send({ target: "bitbucket", method: "GET", url: `${instance.baseUrl}/rest/api/latest/application-properties`, headers: auth });
  const username = props.headers["x-ausername"];
  if (!username) throw new GrantRefusedError("no authenticated user (X-AUSERNAME missing)");
  const res = await http.send({ target: "bitbucket", method: "GET", url: `${instance.baseUrl}/rest/api/latest/users/${encodeURIComponent(username)}`, headers: auth });
  const user = RestApplicationUser.safeParse(res.json());
  if (!user.success) throw new GrantRefusedError("malformed user");
  if (user.data.active === false) throw new GrantRefusedError("user is not active");
  return { id: user.data.id, name: user.data.name, slug: user.data.slug, displayName: user.data.displayName };
}
