import { Router } from "express";
import type { FakeDataCenter } from "..";
import { DcState, REPO_LEVELS, type RepoLevel } from "../state";
import { restRepository } from "./repository";

const trimmed = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v.trim().toLowerCase() : null);

/**
 * `GET /rest/api/latest/repos` (9.2 spec): the repositories the caller has `permission` on
 * (REPO_READ when absent), filtered by `projectkey` and `name` (case-insensitive, trimmed: "Available
 * since 8.0" for projectkey) and `archived` (ACTIVE by default: UNVERIFIED, the spec gives no
 * default), paged. What a token may see is its scope capped by its user's permissions.
 */
export function reposRoutes(fake: FakeDataCenter): Router {
  const r = Router();
  r.get(["/rest/api/latest/repos", "/rest/api/1.0/repos"], (req, res) => {
    const p = fake.principal(req);
    const permission = (req.query.permission ?? "REPO_READ") as RepoLevel;
    if (!REPO_LEVELS.includes(permission)) return fake.error(res, 400, `Invalid permission ${String(permission)}`, "com.atlassian.bitbucket.rest.exception.BadRequestException");
    const projectKey = trimmed(req.query.projectkey);
    const name = trimmed(req.query.name);
    const archived = typeof req.query.archived === "string" ? req.query.archived.toUpperCase() : "ACTIVE";
    const found = [...fake.state.repositories.values()]
      .filter((repo) => (projectKey ? repo.projectKey.toLowerCase() === projectKey : true))
      .filter((repo) => (name ? repo.name.toLowerCase() === name : true))
      .filter((repo) => (archived === "ALL" ? true : archived === "ARCHIVED" ? repo.archived : !repo.archived))
      .filter((repo) => p !== null && DcState.atLeast(fake.state.tokenLevel(p.token, repo), permission))
      .sort((a, b) => a.projectKey.localeCompare(b.projectKey) || a.slug.localeCompare(b.slug))
      .map((repo) => restRepository(fake, repo));
    res.json(fake.page(req, found));
  });
  return r;
}
