import { Router, type Request, type Response } from "express";
import type { FakeDataCenter } from "..";
import type { DcRepository } from "../state";
import { specFieldErrors } from "./spec-check";

/** A build status the fake keeps: `repositoryId` null when posted through the legacy resource. */
export interface DcStoredBuild {
  key: string;
  state: "SUCCESSFUL" | "FAILED" | "INPROGRESS" | "CANCELLED" | "UNKNOWN";
  url: string;
  name?: string;
  description?: string;
  ref?: string;
  buildNumber?: string;
  /** Milliseconds (`RestBuildStatusSetRequest.duration`, int64). */
  duration?: number;
  repositoryId: number | null;
  createdDate: number;
  updatedDate: number;
}

/**
 * The fake's build-status data and switches. `capabilities` is what `GET /rest/api/latest/build/capabilities`
 * lists (`buildStatus`); null = the resource does not exist (a server older than it: 404). Without
 * `richBuildStatus` the repository-based builds resource answers 404 too (a server before 7.14).
 */
export class DcBuildStore {
  capabilities: string[] | null = ["richBuildStatus", "cancelledStatus"];
  /** By commit hash (lower case), oldest first. */
  readonly byCommit = new Map<string, DcStoredBuild[]>();
  private clock = 1_700_000_000_000;

  /** Creates or overwrites (same repository, commit and key; legacy: same commit and key). */
  put(commit: string, status: Omit<DcStoredBuild, "createdDate" | "updatedDate">): DcStoredBuild {
    const list = this.byCommit.get(commit.toLowerCase()) ?? [];
    this.byCommit.set(commit.toLowerCase(), list);
    const now = (this.clock += 1000);
    const i = list.findIndex((s) => s.key === status.key && s.repositoryId === status.repositoryId);
    const stored: DcStoredBuild = { ...status, createdDate: i >= 0 ? list[i]!.createdDate : now, updatedDate: now };
    if (i >= 0) list.splice(i, 1);
    list.push(stored);
    return stored;
  }

  statuses(commit: string): DcStoredBuild[] {
    return this.byCommit.get(commit.toLowerCase()) ?? [];
  }

  get richBuildStatus(): boolean {
    return this.capabilities?.includes("richBuildStatus") ?? false;
  }
}

/** The build-status store of a fake DC (created on first use; seed and inspect statuses through it). */
export function dcBuilds(fake: FakeDataCenter): DcBuildStore {
  let s = fake.extensions.get("builds") as DcBuildStore | undefined;
  if (!s) fake.extensions.set("builds", (s = new DcBuildStore()));
  return s;
}

const SHA = /^[0-9a-f]{40}$/i;

/** `RestBuildStatus` (9.2 spec) of a stored status. */
function restBuildStatus(s: DcStoredBuild): Record<string, unknown> {
  const out: Record<string, unknown> = { key: s.key, state: s.state, url: s.url, createdDate: s.createdDate, updatedDate: s.updatedDate };
  for (const f of ["name", "description", "ref", "buildNumber", "duration"] as const) if (s[f] !== undefined) out[f] = s[f];
  return out;
}

/** The legacy resources need a LICENSED user: a user's token (project and repository tokens act for no user). */
function requireLicensed(fake: FakeDataCenter, req: Request, res: Response): boolean {
  const p = fake.principal(req);
  if (p?.user?.active) return true;
  fake.error(res, 401, "You are not permitted to access this resource (LICENSED_USER needed).", "com.atlassian.bitbucket.AuthorisationException");
  return false;
}

function badRequest(res: Response, errors: Array<{ context: string; message: string }>): void {
  res.status(400).json({ errors: errors.map((e) => ({ ...e, exceptionName: "com.atlassian.bitbucket.validation.ArgumentValidationException" })) });
}

/**
 * Build statuses, both APIs (9.2 spec): the repository-based `…/commits/{commitId}/builds` (POST 204,
 * GET/DELETE by `?key=`; REPO_READ; body `RestBuildStatusSetRequest` checked here, as the spec types
 * it `*\/*`), the legacy `/rest/build-status/latest|1.0/commits/{commitId}` (POST 204, GET paged,
 * newest first, the most recent 100; LICENSED user; states SUCCESSFUL/FAILED/INPROGRESS, fields
 * ≤ 255, url ≤ 450), `build/capabilities`, and the stats resources.
 */
export function buildRoutes(fake: FakeDataCenter): Router {
  const r = Router();
  const builds = dcBuilds(fake);

  r.get(["/rest/api/latest/build/capabilities", "/rest/api/1.0/build/capabilities"], (_req, res) => {
    if (!builds.capabilities) return fake.error(res, 404, "No resource at /rest/api/latest/build/capabilities", "com.atlassian.bitbucket.NoSuchResourceException");
    res.json({ buildStatus: builds.capabilities });
  });

  const repoBased = ["/rest/api/latest/projects/:projectKey/repos/:repositorySlug/commits/:commitId/builds", "/rest/api/1.0/projects/:projectKey/repos/:repositorySlug/commits/:commitId/builds"];
  const open = (req: Request, res: Response): DcRepository | null => {
    if (!builds.richBuildStatus) {
      fake.error(res, 404, `No resource at ${req.path}`, "com.atlassian.bitbucket.NoSuchResourceException");
      return null;
    }
    const repo = fake.requireRepository(req, res, "REPO_READ");
    if (repo && !SHA.test(String(req.params.commitId))) {
      badRequest(res, [{ context: "commitId", message: "an invalid commit hash was provided" }]);
      return null;
    }
    return repo;
  };
  r.post(repoBased, (req, res) => {
    const repo = open(req, res);
    if (!repo) return;
    const body = fake.json<Record<string, unknown>>(req);
    const errors = specFieldErrors("RestBuildStatusSetRequest", body);
    if (errors.length) return badRequest(res, errors);
    const b = body as Omit<DcStoredBuild, "repositoryId" | "createdDate" | "updatedDate">;
    builds.put(String(req.params.commitId), { key: b.key, state: b.state, url: b.url, name: b.name, description: b.description, ref: b.ref, buildNumber: b.buildNumber, duration: b.duration, repositoryId: repo.id });
    res.status(204).end();
  });
  r.get(repoBased, (req, res) => {
    const repo = open(req, res);
    if (!repo) return;
    if (!req.query.key) return badRequest(res, [{ context: "key", message: "A non-blank key is required" }]);
    const found = builds.statuses(String(req.params.commitId)).find((s) => s.key === req.query.key && s.repositoryId === repo.id);
    if (!found) return fake.error(res, 404, `No build status with key ${String(req.query.key)}`, "com.atlassian.bitbucket.build.NoSuchBuildStatusException");
    res.json(restBuildStatus(found));
  });
  r.delete(repoBased, (req, res) => {
    const repo = fake.requireRepository(req, res, "REPO_ADMIN");
    if (!repo) return;
    const list = builds.statuses(String(req.params.commitId));
    const i = list.findIndex((s) => s.key === req.query.key && s.repositoryId === repo.id);
    if (i < 0) return fake.error(res, 404, `No build status with key ${String(req.query.key)}`, "com.atlassian.bitbucket.build.NoSuchBuildStatusException");
    list.splice(i, 1);
    res.status(204).end();
  });

  // The stats routes first: `commits/stats` would otherwise match `commits/:commitId`.
  const stats = (commit: string): Record<string, number> | null => {
    const list = builds.statuses(commit);
    if (!list.length) return null;
    const count = (st: DcStoredBuild["state"]) => list.filter((s) => s.state === st).length;
    return { successful: count("SUCCESSFUL"), failed: count("FAILED"), inProgress: count("INPROGRESS"), cancelled: count("CANCELLED"), unknown: count("UNKNOWN") };
  };
  r.get(["/rest/build-status/latest/commits/stats/:commitId", "/rest/build-status/1.0/commits/stats/:commitId"], (req, res) => {
    if (!requireLicensed(fake, req, res)) return;
    res.json(stats(String(req.params.commitId)) ?? { successful: 0, failed: 0, inProgress: 0, cancelled: 0, unknown: 0 });
  });
  r.post(["/rest/build-status/latest/commits/stats", "/rest/build-status/1.0/commits/stats"], (req, res) => {
    if (!requireLicensed(fake, req, res)) return;
    const shas = fake.json<unknown>(req);
    if (!Array.isArray(shas)) return badRequest(res, [{ context: "body", message: "a JSON array of commit hashes is required" }]);
    const out: Record<string, unknown> = {};
    for (const sha of shas.map(String)) {
      const s = stats(sha);
      if (s) out[sha] = s; // commits without builds are omitted
    }
    res.json(out);
  });
  const legacy = ["/rest/build-status/latest/commits/:commitId", "/rest/build-status/1.0/commits/:commitId"];
  r.post(legacy, (req, res) => {
    if (!requireLicensed(fake, req, res)) return;
    if (!SHA.test(String(req.params.commitId))) return badRequest(res, [{ context: "commitId", message: "the commitId must be a full 40-characters SHA1" }]);
    const b = fake.json<Record<string, unknown>>(req) ?? {};
    const errors: Array<{ context: string; message: string }> = [];
    for (const f of ["state", "key", "url"]) if (typeof b[f] !== "string" || !b[f]) errors.push({ context: f, message: `${f} is mandatory` });
    for (const [f, v] of Object.entries(b)) if (typeof v === "string" && v.length > (f === "url" ? 450 : 255)) errors.push({ context: f, message: `${f} is too large` });
    if (typeof b.state === "string" && !["SUCCESSFUL", "FAILED", "INPROGRESS"].includes(b.state)) errors.push({ context: "state", message: `unsupported state ${b.state}` });
    if (errors.length) return badRequest(res, errors);
    builds.put(String(req.params.commitId), { key: String(b.key), state: b.state as DcStoredBuild["state"], url: String(b.url), name: b.name as string | undefined, description: b.description as string | undefined, repositoryId: null });
    res.status(204).end();
  });
  r.get(legacy, (req, res) => {
    if (!requireLicensed(fake, req, res)) return;
    const order = String(req.query.orderBy ?? "NEWEST").toUpperCase();
    const all = [...builds.statuses(String(req.params.commitId))].sort((a, b) => b.updatedDate - a.updatedDate).slice(0, 100);
    if (order === "OLDEST") all.reverse();
    if (order === "STATUS") all.sort((a, b) => a.state.localeCompare(b.state));
    res.json(fake.page(req, all.map(restBuildStatus)));
  });

  return r;
}
