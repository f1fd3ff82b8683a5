import type { IntegrationSwitches } from "../core/integration-switches";
import { integrationDefinitions, type IntegrationId } from "./registry";
import type { SettingsService } from "./service";

/** The name of the settings cards' switch source. */
export const SETTINGS_SWITCH_SOURCE = "settings-cards";

/**
 * The settings cards' part of `IntegrationSwitches`: an integration defined with `defineIntegration`
 * is on where its effective document (workspace defaults overlaid by the repository's own fields)
 * says `enabled: true`; a saved change of an `enabled` field (a repository's or the defaults') is
 * announced as a switch, in the saving transaction.
 */
export function registerSettingsSwitches(settings: SettingsService, switches: IntegrationSwitches): void {
  switches.register({
    name: SETTINGS_SWITCH_SOURCE,
    async isOn(installationId, repositoryUuid) {
      const ids = integrationDefinitions().map((d) => d.id);
      const view = await settings.publicView(installationId, repositoryUuid, ids);
      return Object.values(view).some((doc) => doc.enabled === true);
    },
    async repositoriesOn(installationId) {
      const ids = new Set<string>();
      for (const def of integrationDefinitions()) {
        for (const r of await settings.enabledRepositories(installationId, def.id as IntegrationId)) ids.add(r.repositoryUuid);
      }
      return [...ids];
    },
  });
  settings.onChange(async (change, transaction) => {
    if (!change.fields.includes("enabled")) return;
    await switches.switched({ installationId: change.installationId, repositoryUuid: change.repositoryUuid, integration: change.integration }, transaction);
  });
}
