import type { Express, Request } from "express";
import type { Services } from "../../core/services";
import type { AceAddon } from "../addon";
import { aceAuth } from "../ace-auth";
import { bindPageToRepository } from "../session-token";
import { APP_PAGES, type AppPage } from "../../web/pages";
import { pageHeaders, renderPageShell } from "../../web/pages/page-shell";
import type { PageBootstrap } from "../../../ui/lib/bootstrap";

/** What ACE's `authenticate()` leaves on the request of a verified iframe load. */
interface AceContext {
  token?: string;
  userAccountId?: string;
  clientKey?: string;
}

function queryString(req: Request, name: string): string | null {
  const v = req.query[name];
  return typeof v === "string" && v.length > 0 && v.length <= 512 ? v : null;
}

/** The bootstrap of a Connect iframe page: page API token, repository from the query, viewer. */
export function connectBootstrap(req: Request, page: string): PageBootstrap {
  const ctx = (req as Request & { context?: AceContext }).context ?? {};
  return {
    host: "connect",
    page,
    token: ctx.token ?? null,
    apiBase: "/connect/api",
    repository: { uuid: queryString(req, "repoUuid"), fullName: queryString(req, "repoPath") },
    viewer: { accountId: ctx.userAccountId ?? null },
  };
}

/**
 * A Connect iframe page: ACE verifies the iframe's `jwt` (qsh included), the page's context token is
 * bound to the repository in its query, and the shell loads the page's React bundle.
 */
export function mountConnectPage(app: Express, services: Services, addon: AceAddon, route: string, page: AppPage): void {
  app.get(route, aceAuth(addon.authenticate()), bindPageToRepository(services), (req, res) => {
    const html = renderPageShell(connectBootstrap(req, page), { page, title: APP_PAGES[page].title, config: services.config });
    res.status(200).set(pageHeaders(services.config)).send(html);
  });
}
