import { commitsMatch } from "../state";
import { errorReply, repoNotFound, seg, visibleRepo, type Route } from "./router";

/**
 * `GET https://bitbucket.org/{workspace}/{repo_slug}/get/{rev}.tar.gz` - a site download, so only an
 * OAuth Bearer token is accepted (a Connect JWT is not), see access "site-bearer".
 */
export const archiveRoutes: Route[] = [
  {
    method: "GET",
    pattern: new RegExp(`^/(?!2\\.0/|site/)${seg("workspace")}/${seg("repo_slug")}/get/(?<rev>[^/]+)\\.tar\\.gz$`),
    access: "site-bearer",
    handle(ctx) {
      const repo = visibleRepo(ctx);
      if (!repo) return repoNotFound(ctx);
      const rev = ctx.params.rev;
      const entry = [...repo.archives.entries()].find(([sha]) => commitsMatch(sha, rev));
      if (!entry) return errorReply(404, `No archive for ${rev}`);
      const [, source] = entry;
      const headers = {
        "content-type": "application/x-gzip",
        "content-disposition": `attachment; filename="${repo.workspace.slug}-${repo.slug}-${rev.slice(0, 12)}.tar.gz"`,
      };
      return Buffer.isBuffer(source) ? { status: 200, headers, buffer: source } : { status: 200, headers, stream: source() };
    },
  },
];
