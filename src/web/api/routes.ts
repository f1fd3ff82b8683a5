import type { ApiRouteFactory } from "./index";
import { settingsRoutes } from "./settings-routes";
import { activityRoutes } from "./activity-routes";
import { workspaceRoutes } from "./workspace-routes";

/** API routes of the app's own pages (settings, activity log, workspace defaults), beside those integrations bring. */
export const API_ROUTES: ApiRouteFactory[] = [settingsRoutes, activityRoutes, workspaceRoutes];
