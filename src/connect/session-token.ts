import type { NextFunction, Request, Response } from "express";
import type { Services } from "../core/services";
import { normaliseRepoUuid } from "../web/api/repo-access";
import { sendError } from "../web/errors";
import { checkRepositoryOfInstallation } from "../web/repository-scope";
import { issuePageApiToken } from "./page-api-token";

type PageRequest = Request & { context?: { clientKey?: string; userAccountId?: string; token?: string } };

/**
 * After ACE verified an iframe page load (its qsh covers `?repoUuid=`), replaces ACE's session token
 * with the page API token (`page-api-token.ts`): bound to the installation, the viewer and that
 * repository, once that repository is known to be the installation's (401 otherwise:
 * `checkRepositoryOfInstallation`). It is the only token `/connect/api` takes from a page; ACE's own
 * session token and the iframe's page token are refused there.
 */
export function bindPageToRepository(services: Services) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const ctx = (req as PageRequest).context;
      const repositoryUuid = normaliseRepoUuid(req.query.repoUuid);
      if (!ctx?.clientKey) return sendError(res, 401, "not authenticated");
      if (!repositoryUuid) return sendError(res, 400, "repoUuid must be a repository UUID");
      const installation = await services.installations.findByClientKey("connect", ctx.clientKey);
      if (!installation) return sendError(res, 401, "unknown client");
      const { sharedSecret } = await services.installations.secrets(installation.id);
      if (!sharedSecret) return sendError(res, 401, "installation has no shared secret");
      // A token binds only a repository of its installation (asked once, then known: the API's binding finds it).
      const refused = await checkRepositoryOfInstallation(services, installation, repositoryUuid);
      if (refused) return sendError(res, refused.status, refused.reason);
      const token = issuePageApiToken({ installation, accountId: ctx.userAccountId ?? null, repositoryUuid }, sharedSecret);
      ctx.token = token;
      res.setHeader("X-acpt", token);
      next();
    } catch (err) {
      next(err);
    }
  };
}
