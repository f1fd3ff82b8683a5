import type { Express } from "express";
import type { Services } from "../../core/services";
import type { AceAddon } from "../addon";
import { aceAuth } from "../ace-auth";
import { bindPageToRepository } from "../session-token";
import { connectBootstrap, PAGE_HEADERS, renderPageShell } from "./page-shell";

/** The repository sidebar panel (`webPanels` key `review-radar`): the iframe's `jwt` is verified by ACE. */
export function mountReviewRadarPage(app: Express, services: Services, addon: AceAddon): void {
  app.get("/connect/panel/review-radar", aceAuth(addon.authenticate()), bindPageToRepository(services), (req, res) => {
    const html = renderPageShell(connectBootstrap(req, "review-radar"), {
      page: "review-radar",
      title: "Review radar",
      config: services.config,
    });
    res.status(200).set(PAGE_HEADERS).send(html);
  });
}
