import type { ApiRouteFactory } from "./index";

/** API routes of the app's own pages (settings, activity log), beside those integrations bring. */
export const API_ROUTES: ApiRouteFactory[] = [];
