import * as jwt from "atlassian-jwt";
import type { NextFunction, Request, Response } from "express";
import type { Services } from "../core/services";
import { normaliseRepoUuid } from "../web/api/repo-access";
import { sendError } from "../web/errors";

type PageRequest = Request & { context?: { clientKey?: string; userAccountId?: string; token?: string } };

const SESSION_SECONDS = 15 * 60;

/**
 * After ACE verified an iframe page load (its qsh covers `?repoUuid=`), replaces ACE's context token
 * with one bound to that repository: same shape as ACE's (iss = app key, aud = [clientKey], sub =
 * viewer, HS256 with the shared secret), plus `context.repository.uuid`. ACE's `checkValidToken`
 * accepts it and keeps the context when it renews the token, so every API call of the page stays
 * bound to the repository Bitbucket rendered it for.
 */
export function bindPageToRepository(services: Services) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const ctx = (req as PageRequest).context;
      const repoUuid = normaliseRepoUuid(req.query.repoUuid);
      if (!ctx?.clientKey) return sendError(res, 401, "not authenticated");
      if (!repoUuid) return sendError(res, 400, "repoUuid must be a repository UUID");
      const installation = await services.installations.findByClientKey("connect", ctx.clientKey);
      if (!installation) return sendError(res, 401, "unknown client");
      const { sharedSecret } = await services.installations.secrets(installation.id);
      if (!sharedSecret) return sendError(res, 401, "installation has no shared secret");
      const now = Math.floor(Date.now() / 1000);
      const claims: Record<string, unknown> = {
        iss: installation.appKey,
        aud: [ctx.clientKey],
        iat: now,
        exp: now + SESSION_SECONDS,
        context: { repository: { uuid: repoUuid } },
      };
      if (ctx.userAccountId) claims.sub = ctx.userAccountId;
      const token = jwt.encodeSymmetric(claims, sharedSecret, jwt.SymmetricAlgorithm.HS256);
      ctx.token = token;
      res.setHeader("X-acpt", token);
      next();
    } catch (err) {
      next(err);
    }
  };
}
