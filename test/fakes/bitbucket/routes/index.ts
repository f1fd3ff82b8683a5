import { archiveRoutes } from "./archive";
import { oauthRoutes } from "./oauth";
import { permissionRoutes } from "./permissions";
import { pullRequestRoutes } from "./pullrequests";
import { repositoryRoutes } from "./repository";
import type { Route } from "./router";
import { statusRoutes } from "./statuses";

/** Every endpoint the fake serves; anything else is a 404 (or 405 for a known path). */
export const ROUTES: Route[] = [...repositoryRoutes, ...statusRoutes, ...pullRequestRoutes, ...permissionRoutes, ...oauthRoutes, ...archiveRoutes];
