import { Router, type Response } from "express";
import { z } from "zod";
import type { Services } from "../../core/services";
import { HttpError, NetworkError } from "../../http/errors";
import { principalOf } from "../../web/principal";
import { sendError } from "../../web/errors";
import { missingRepositoryAnswer } from "../../web/repository-scope";
import type { InstallationView } from "../../core/installations";
import type { SectionId } from "./model";
import { radarOf, STATUS_LOOKUP_MAX } from "./radar";
import { SECTION_ORDER } from "./classify";

const RepoPath = z.string().regex(/^[^/\s]{1,128}\/[^/\s]{1,128}$/).optional();
const Expand = z.enum(SECTION_ORDER as [string, ...string[]]).optional();
const Commit = z.string().regex(/^[0-9a-fA-F]{7,40}$/);
const StatusesBody = z.object({ repoUuid: z.string().max(200), commits: z.array(Commit).min(1).max(STATUS_LOOKUP_MAX) }).strict();

/**
 * Bitbucket failures as the page sees them: a repository the installation's Bitbucket does not find
 * is 404 when it was the installation's, 401 otherwise (`missingRepositoryAnswer`); anything else 502.
 */
async function sendUpstreamError(services: Services, res: Response, err: unknown, installation: InstallationView, repoUuid: string): Promise<void> {
  if (err instanceof HttpError && err.status === 404) {
    const answer = await missingRepositoryAnswer(installation, repoUuid);
    return sendError(res, answer.status, answer.reason);
  }
  if (err instanceof HttpError || err instanceof NetworkError) {
    services.log.warn({ err: { message: err.message } }, "review radar: Bitbucket call failed");
    return sendError(res, 502, "Bitbucket is not answering, try again shortly");
  }
  throw err;
}

/**
 * The panel's JSON API (host-agnostic). The caller's installation comes from the front door; the
 * repository is addressed inside that installation's workspace only, so another tenant's repository
 * is never reachable.
 */
export function reviewRadarRoutes(services: Services): Router {
  const router = Router();
  const radar = radarOf(services);

  router.get("/review-radar/panel", async (req, res, next) => {
    const { installation, accountId } = principalOf(res);
    const uuid = services.bitbucketApis.repositoryId(installation.host, req.query.repoUuid);
    if (!uuid) return sendError(res, 400, "repoUuid must be a repository id of this installation's Bitbucket");
    const path = RepoPath.safeParse(req.query.repoPath);
    const expand = Expand.safeParse(req.query.expand);
    if (!expand.success) return sendError(res, 400, `expand must be one of ${SECTION_ORDER.join(", ")}`);
    try {
      const settings = await services.settings.get(installation.id, uuid, "review-radar");
      const repository = { uuid, fullName: path.success ? (path.data ?? null) : null };
      const view = await radar.panel(installation, repository, accountId, settings, Date.now(), (expand.data as SectionId | undefined) ?? null);
      res.set("cache-control", "no-store").json(view);
    } catch (err) {
      await sendUpstreamError(services, res, err, installation, uuid).catch(next);
    }
  });

  router.post("/review-radar/statuses", async (req, res, next) => {
    const body = StatusesBody.safeParse(req.body);
    if (!body.success) return sendError(res, 400, `invalid request: ${body.error.issues[0]?.path.join(".") || "body"} ${body.error.issues[0]?.message ?? ""}`.trim());
    const { installation } = principalOf(res);
    const repoUuid = services.bitbucketApis.repositoryId(installation.host, body.data.repoUuid);
    if (!repoUuid) return sendError(res, 400, "repoUuid must be a repository id of this installation's Bitbucket");
    try {
      const builds = await radar.lookupStatuses(installation, repoUuid, body.data.commits);
      res.set("cache-control", "no-store").json({ builds });
    } catch (err) {
      await sendUpstreamError(services, res, err, installation, repoUuid).catch(next);
    }
  });

  return router;
}
