import type { Express } from "express";
import type { Services } from "../../core/services";
import type { AceAddon } from "../addon";
import { aceAuth } from "../ace-auth";
import { bindPageToRepository } from "../session-token";
import { APP_PAGES, type AppPage } from "../../web/pages";
import { connectBootstrap, pageHeaders, renderPageShell } from "./page-shell";

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
