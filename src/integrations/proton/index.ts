import type { Integration } from "../index";
import { initProtonModels } from "./models";
import { protonIntegration } from "./settings";
import { ProtonSyncJobSchema } from "./jobs";
import { registerPushHandler } from "./push-handler";
import { runSync } from "./sync-job";
import { historyRoutes } from "./history-routes";

/**
 * Proton sync (issue 4): each selected push is archived to the customer's S3 bucket and its template
 * versions are registered (AWS Proton, ended 2026-10-07, and a `Template Version Detected` event).
 */
export const proton: Integration = {
  id: protonIntegration.id,
  register(registry, services) {
    initProtonModels(services.db.sequelize);
    registerPushHandler(registry);
    registry.job("proton.sync", { integration: "proton", schema: ProtonSyncJobSchema }, runSync);
  },
  apiRoutes: historyRoutes,
};
