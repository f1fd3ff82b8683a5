import type { Router } from "express";
import type { FakeDataCenter } from "..";
import { identityRoutes } from "./identity";
import { oauthRoutes } from "./oauth";
import { repositoryRoutes } from "./repository";
import { reposRoutes } from "./repos";

/** The fake DC's resources, each a router mounted under the context path (paths start with `/rest/`). */
export const DC_ROUTES: ReadonlyArray<(fake: FakeDataCenter) => Router> = [repositoryRoutes, oauthRoutes, identityRoutes, reposRoutes];
