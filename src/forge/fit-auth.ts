import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { InstallationView } from "../core/installations";
import { sendError } from "../web/errors";
import { invocationKind, type FitClaims, type InvocationKind } from "./fit-claims";
import { FitError, type FitVerifier } from "./fit-verifier";
import { ForgeInstallError, type ForgeInstallations } from "./installations";
import type { SystemTokenStore } from "./system-token";

/** One verified Forge invocation: the FIT's claims and the installation they map to. */
export interface ForgeInvocation {
  claims: FitClaims;
  installation: InstallationView;
}

export function forgeInvocationOf(res: Response): ForgeInvocation {
  const inv = res.locals.forgeInvocation as ForgeInvocation | undefined;
  if (!inv) throw new Error("route is mounted without Forge authentication");
  return inv;
}

export interface FitAuthDeps {
  verifier: FitVerifier;
  installations: ForgeInstallations;
  tokens: SystemTokenStore;
}

/** `Authorization: Bearer <FIT>`. */
export function fitOf(req: Request): string | undefined {
  const header = req.get("authorization");
  const m = header ? /^bearer\s+(\S+)$/i.exec(header.trim()) : null;
  return m?.[1];
}

/** Why a FIT of the other invocation kind is refused (null when it is of the kind the route takes). */
function kindRefusal(claims: FitClaims, accepts: InvocationKind): string | null {
  if (invocationKind(claims) === accepts) return null;
  return accepts === "frontend" ? "a trigger's Forge Invocation Token is not a UI token" : "a UI module's Forge Invocation Token is not accepted here";
}

/**
 * Verifies the FIT only: no installation is resolved or provisioned. For the pre-uninstall trigger,
 * which must purge whatever the FIT's installation id names even when its context is incomplete
 * (Forge documents that trigger with `{cloudId, moduleKey}` and no Bitbucket workspace). 401 otherwise.
 */
export function fitVerifyOnly(verifier: FitVerifier, accepts: InvocationKind): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const token = fitOf(req);
    if (!token) return sendError(res, 401, "missing Forge Invocation Token");
    try {
      const claims = await verifier.verify(token);
      const refused = kindRefusal(claims, accepts);
      if (refused) return sendError(res, 401, refused);
      res.locals.forgeClaims = claims;
      next();
    } catch (err) {
      if (err instanceof FitError) return sendError(res, err.kind === "unauthorized" ? 401 : 503, err.message);
      next(err);
    }
  };
}

/** The claims `fitVerifyOnly` verified. */
export function verifiedClaimsOf(res: Response): FitClaims {
  const claims = res.locals.forgeClaims as FitClaims | undefined;
  if (!claims) throw new Error("route is mounted without Forge verification");
  return claims;
}

/**
 * Authenticates a request from Forge: the FIT is verified (401 with a short reason otherwise, the
 * answer Forge reserves for this), its installation is resolved (provisioned on first sight), and
 * the app system token of `x-forge-oauth-system` is kept (encrypted) for the worker. The user token
 * is never stored. Tokens never reach a log line. A FIT proves one kind of invocation: `frontend`
 * FITs (a user's invokeRemote, whose path the user controls) are taken only by the UI API, `backend`
 * FITs (triggers, lifecycle) only by the event and lifecycle endpoints; the other kind is 401.
 */
export function fitAuth(deps: FitAuthDeps, accepts: InvocationKind): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const token = fitOf(req);
    if (!token) return sendError(res, 401, "missing Forge Invocation Token");
    try {
      const claims = await deps.verifier.verify(token);
      const refused = kindRefusal(claims, accepts);
      if (refused) return sendError(res, 401, refused);
      const installation = await deps.installations.resolve(claims);
      const systemToken = req.get("x-forge-oauth-system");
      if (systemToken) await deps.tokens.remember(installation.id, systemToken);
      res.locals.forgeInvocation = { claims, installation } satisfies ForgeInvocation;
      next();
    } catch (err) {
      if (err instanceof FitError) return sendError(res, err.kind === "unauthorized" ? 401 : 503, err.message);
      if (err instanceof ForgeInstallError) return sendError(res, err.status, err.message);
      next(err);
    }
  };
}
