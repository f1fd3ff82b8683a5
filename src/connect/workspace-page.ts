import type { Express, NextFunction, Request, Response } from "express";
import type { Services } from "../core/services";
import type { AceAddon } from "./addon";
import { aceAuth } from "./ace-auth";
import { issuePageApiToken } from "./page-api-token";
import { sendError } from "../web/errors";
import { APP_PAGES } from "../web/pages";
import { pageHeaders, renderPageShell } from "../web/pages/page-shell";
import { connectBootstrap } from "./pages/connect-page";

type PageRequest = Request & { context?: { clientKey?: string; userAccountId?: string; token?: string } };

/**
 * After ACE verified a workspace-level iframe load (the descriptor's `configurePage` / account
 * `adminPages`), issues the page API token bound to the installation and the viewer and to NO
 * repository: the workspace-defaults API (workspace admins only, asked of Bitbucket per request)
 * takes it; every repository route refuses it (401).
 */
export function bindPageToWorkspace(services: Services) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const ctx = (req as PageRequest).context;
      if (!ctx?.clientKey) return sendError(res, 401, "not authenticated");
      const installation = await services.installations.findByClientKey("connect", ctx.clientKey);
      if (!installation) return sendError(res, 401, "unknown client");
      const { sharedSecret } = await services.installations.secrets(installation.id);
      if (!sharedSecret) return sendError(res, 401, "installation has no shared secret");
      const token = issuePageApiToken({ installation, accountId: ctx.userAccountId ?? null, repositoryUuid: null }, sharedSecret);
      ctx.token = token;
      res.setHeader("X-acpt", token);
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** The workspace-defaults page at `route` (the URL the descriptor's workspace modules point at). */
export function mountConnectWorkspacePage(app: Express, services: Services, addon: AceAddon, route: string): void {
  app.get(route, aceAuth(addon.authenticate()), bindPageToWorkspace(services), (req, res) => {
    const bootstrap = { ...connectBootstrap(req, "workspace-defaults"), repository: { uuid: null, fullName: null } };
    const html = renderPageShell(bootstrap, { page: "workspace-defaults", title: APP_PAGES["workspace-defaults"].title, config: services.config });
    res.status(200).set(pageHeaders(services.config)).send(html);
  });
}
