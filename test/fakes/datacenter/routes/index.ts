import type { Router } from "express";
import type { FakeDataCenter } from "..";
import { archiveRoutes } from "./archive";
import { buildRoutes } from "./builds";
import { identityRoutes } from "./identity";
import { oauthRoutes } from "./oauth";
import { permissionRoutes } from "./permissions";
import { pullRequestRoutes } from "./pull-requests";
import { repositoryRoutes } from "./repository";
import { reposRoutes } from "./repos";
import { webhookRoutes } from "./webhooks";

/** The fake DC's resources, each a router mounted under the context path (paths start with `/rest/`). */
export const DC_ROUTES: ReadonlyArray<(fake: FakeDataCenter) => Router> = [
  repositoryRoutes,
  buildRoutes,
  pullRequestRoutes,
  permissionRoutes,
  archiveRoutes,
  oauthRoutes,
  identityRoutes,
  reposRoutes,
  webhookRoutes,
];
