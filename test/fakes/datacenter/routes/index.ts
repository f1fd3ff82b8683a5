import type { Router } from "express";
import type { FakeDataCenter } from "..";
import { repositoryRoutes } from "./repository";
import { webhookRoutes } from "./webhooks";

/** The fake DC's resources, each a router mounted under the context path (paths start with `/rest/`). */
export const DC_ROUTES: ReadonlyArray<(fake: FakeDataCenter) => Router> = [repositoryRoutes, webhookRoutes];
