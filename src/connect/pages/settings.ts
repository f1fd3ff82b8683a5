import type { Express } from "express";
import type { Services } from "../../core/services";
import type { AceAddon } from "../addon";
import { aceAuth } from "../ace-auth";
import { bindPageToRepository } from "../session-token";
import { connectBootstrap, PAGE_HEADERS, renderPageShell } from "./page-shell";

/**
 * The repository settings page and activity log (descriptor `adminPages` key `relay-settings`,
 * `/connect/settings?repoUuid={repository.uuid}&repoPath={repository.full_name}`). ACE verifies the
 * iframe's `jwt` (qsh included); who may change what is decided by the API, per request.
 */
export function mountSettingsPage(app: Express, services: Services, addon: AceAddon): void {
  app.get("/connect/settings", aceAuth(addon.authenticate()), bindPageToRepository(services), (req, res) => {
    const html = renderPageShell(connectBootstrap(req, "settings"), {
      page: "settings",
      title: "Bitbucket Relay settings",
      config: services.config,
    });
    res.status(200).set(PAGE_HEADERS).send(html);
  });
}
