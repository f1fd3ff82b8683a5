import { repository } from "../representations";
import { objectReply } from "./list-response";
import { REPO, repoNotFound, visibleRepo, type Route } from "./router";

export const repositoryRoutes: Route[] = [
  {
    method: "GET",
    pattern: new RegExp(`^${REPO}$`),
    access: "api",
    handle(ctx) {
      const repo = visibleRepo(ctx);
      return repo ? objectReply(ctx, 200, repository(ctx.base, repo)) : repoNotFound(ctx);
    },
  },
];
