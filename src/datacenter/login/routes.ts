import { Router, type Request, type Response } from "express";
import { safeEqual } from "../../crypto/secrets";
import { cookieValue, SessionError } from "../../web/session/cookie-session";
import { loginAttempts, LOGIN_ATTEMPT_TTL_MS, TooManyLoginsError } from "./attempts";
import { sendDcError } from "./html";
import { authorizeUrl, dataCenterRedirectUri, GrantRefusedError, identify, requestTokens } from "./oauth";
import { configuredInstance, instanceInstallation, type DcLoginContext } from "./viewer";

/** Paths of the login flow (the callback is the application link's Redirect URL). */
export const DC_LOGIN_PATHS = { login: "/datacenter/login", callback: "/datacenter/oauth/callback", logout: "/datacenter/logout" } as const;

const str = (v: unknown): string => (typeof v === "string" && v.length <= 2048 ? v : "");

/** The cookie tying a login's callback to the browser that started it (`__Host-` on https). */
function loginCookie(ctx: DcLoginContext): { name: string; secure: boolean } {
  const secure = ctx.sessions.secure;
  return { name: secure ? "__Host-relay-dc-login" : "relay-dc-login", secure };
}

/**
 * "Log in with Bitbucket Data Center" (OAuth 2.0 authorization code with PKCE S256; reference
 * datacenter-app.md §1.2):
 * - `GET /datacenter/login?instance=<id>`: a single-use login attempt (state, verifier, browser
 *   nonce: `loginAttempts`), the nonce in a short-lived `HttpOnly; SameSite=Lax` cookie, then 302 to
 *   the instance's authorize URL. 400 for an instance that is not configured.
 * - `GET /datacenter/oauth/callback?code&state`: the attempt is used up (unknown/used/expired state or
 *   another browser: 400), the code exchanged with the verifier (client credentials in the body;
 *   refused: 400), the user identified by DC with the new token, the tokens stored sealed, and the
 *   cookie session started (ids only); 303 to the repository picker.
 * - `POST /datacenter/logout` (form with the session's CSRF token; Origin checked when sent): the
 *   user's stored tokens are deleted (every session of theirs ends) and the cookie cleared.
 */
export function loginRoutes(ctx: DcLoginContext): Router {
  const r = Router();
  const { services } = ctx;

  r.get(DC_LOGIN_PATHS.login, async (req, res, next) => {
    try {
      const instances = services.config.dataCenter.instances;
      const instance = configuredInstance(services, req.query.instance ?? (instances.length === 1 ? instances[0]!.id : undefined));
      if (!instance) return sendDcError(res, 400, "Unknown Bitbucket Data Center instance.");
      const installation = await instanceInstallation(services, instance);
      if (!installation) return sendDcError(res, 503, "This Bitbucket Data Center instance is not set up yet.");
      const attempt = await loginAttempts.start(services.box, installation.id).catch((err: unknown) => {
        if (err instanceof TooManyLoginsError) return null;
        throw err;
      });
      if (!attempt) {
        services.log.warn({ instance: instance.id }, "Data Center login refused: too many logins in progress (a flood of login starts?)");
        res.set("retry-after", "60");
        return sendDcError(res, 429, "Too many logins are in progress for this Bitbucket Data Center instance. Try again in a minute.");
      }
      const cookie = loginCookie(ctx);
      res.cookie(cookie.name, attempt.browserNonce, { httpOnly: true, secure: cookie.secure, sameSite: "lax", path: "/", maxAge: LOGIN_ATTEMPT_TTL_MS });
      res.set("cache-control", "no-store").set("referrer-policy", "no-referrer");
      const redirectUri = dataCenterRedirectUri(services.config.baseUrl);
      res.redirect(302, authorizeUrl(instance, { redirectUri, scope: services.config.dataCenter.oauthScopes, state: attempt.state, challenge: attempt.challenge }));
    } catch (err) {
      next(err);
    }
  });

  r.get(DC_LOGIN_PATHS.callback, async (req, res, next) => {
    try {
      const cookie = loginCookie(ctx);
      const nonce = cookieValue(req.get("cookie"), cookie.name);
      res.clearCookie(cookie.name, { httpOnly: true, secure: cookie.secure, sameSite: "lax", path: "/" });
      res.set("referrer-policy", "no-referrer");
      const attempt = await loginAttempts.take(services.box, str(req.query.state), nonce);
      if (!attempt.ok) return sendDcError(res, 400, `Login refused: ${attempt.reason}.`);
      const oauthError = str(req.query.error);
      if (oauthError) return sendDcError(res, 403, `Bitbucket Data Center did not grant access (${/^[a-z_]{1,40}$/.test(oauthError) ? oauthError : "error"}).`);
      const installation = await services.installations.get(attempt.installationId);
      const instance = installation ? configuredInstance(services, installation.hostScope) : null;
      if (!installation || !instance) return sendDcError(res, 400, "This Bitbucket Data Center instance is no longer configured.");
      const code = str(req.query.code);
      if (!code) return sendDcError(res, 400, "Login refused: no authorization code.");
      let user;
      try {
        const tokens = await requestTokens(services.http, instance, { grant_type: "authorization_code", code, code_verifier: attempt.verifier, redirect_uri: dataCenterRedirectUri(services.config.baseUrl) });
        user = await identify(services.http, instance, tokens.accessToken);
        await ctx.grants.save(installation.id, user, tokens);
      } catch (err) {
        if (err instanceof GrantRefusedError) return sendDcError(res, 400, `Bitbucket Data Center refused the login (${err.oauthError}).`);
        services.log.warn({ err: { message: err instanceof Error ? err.message : String(err) }, instance: instance.id }, "Data Center login failed");
        return sendDcError(res, 502, "Bitbucket Data Center could not be reached to finish the login; try again.");
      }
      await ctx.sessions.issue(res, { installation, accountId: user.slug, userId: String(user.id) });
      services.log.info({ instance: instance.id, dcUserId: user.id }, "Data Center user logged in");
      res.redirect(303, "/datacenter/repositories");
    } catch (err) {
      next(err);
    }
  });

  r.post(DC_LOGIN_PATHS.logout, async (req: Request, res: Response, next) => {
    try {
      let session;
      try {
        session = await ctx.sessions.verify(req);
      } catch (err) {
        if (!(err instanceof SessionError)) throw err;
        ctx.sessions.clear(res);
        return res.redirect(303, "/datacenter");
      }
      const origin = req.get("origin");
      if (origin && origin !== new URL(services.config.baseUrl).origin) return sendDcError(res, 403, "Cross-site request refused.");
      const token = str((req.body as Record<string, unknown> | undefined)?.csrf) || str(req.get("x-csrf-token"));
      if (!token || !safeEqual(token, ctx.sessions.csrfTokenOf(session.sessionId))) return sendDcError(res, 403, "Missing or invalid CSRF token.");
      if (session.userId) await ctx.grants.forget(session.principal.installation.id, session.userId);
      ctx.sessions.clear(res);
      res.redirect(303, "/datacenter");
    } catch (err) {
      next(err);
    }
  });
  return r;
}
