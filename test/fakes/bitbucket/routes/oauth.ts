import type { Reply, Route } from "./router";

export const JWT_GRANT = "urn:bitbucket:oauth2:jwt";

/** OAuth 2.0 errors (RFC 6749 section 5.2), the format of the token endpoint. */
export function oauthError(status: number, error: string, description: string): Reply {
  return { status, json: { error, error_description: description } };
}

/**
 * `POST https://bitbucket.org/site/oauth2/access_token` with `Authorization: JWT ...` (qsh over
 * `POST /site/oauth2/access_token`) and the form `grant_type=urn:bitbucket:oauth2:jwt`.
 */
export const oauthRoutes: Route[] = [
  {
    method: "POST",
    pattern: /^\/site\/oauth2\/access_token$/,
    access: "oauth-token",
    handle(ctx) {
      const installation = ctx.identity.kind === "jwt" && ctx.identity.clientKey ? ctx.state.installations.get(ctx.identity.clientKey) : undefined;
      if (!installation) return oauthError(401, "invalid_client", "The JWT grant needs Authorization: JWT <token> of an installation");
      if (!ctx.contentType.startsWith("application/x-www-form-urlencoded")) {
        return oauthError(400, "invalid_request", "Expected an application/x-www-form-urlencoded body");
      }
      const form = ctx.body;
      const grant = typeof form === "object" && form !== null && "grant_type" in form ? (form as Record<string, unknown>).grant_type : undefined;
      if (grant !== JWT_GRANT) return oauthError(400, "unsupported_grant_type", `Unsupported grant type: ${String(grant ?? "(none)")}`);
      return { status: 200, json: ctx.auth.issueAccessToken(installation) };
    },
  },
];
