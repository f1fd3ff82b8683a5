import { Router, type NextFunction, type Request, type Response } from "express";
import { Op } from "sequelize";
import type { Services } from "../../core/services";
import { Job } from "../../models";
import { OPEN_STATUSES } from "../../models/job";
import { bodylessRoute } from "../../web/api/body-policy";
import { repoAccessOf, requireRepoAccess } from "../../web/api/repo-access";
import { sendError } from "../../web/errors";
import { principalOf } from "../../web/principal";
import { WEBHOOK_SYNC_JOB, enqueueWebhookSync } from "./jobs";
import { anyIntegrationOn } from "./repair";
import { DataCenterWebhookStore, webhookStatusView, type WebhookStatusView } from "./store";

/** `GET …/settings/webhook`: the repository's DC webhook as the settings page shows it (never a secret). */
export interface DataCenterWebhookState {
  repository: { uuid: string; fullName: string | null };
  /** Repository admins may run "Repair now" and "Rotate secret". */
  canManage: boolean;
  /** Whether an integration is switched on, so that the app keeps a webhook on the repository. */
  wanted: boolean;
  /** The stored state of the last check; null while the app never checked this repository. */
  webhook: WebhookStatusView | null;
  /** A sync of this repository is queued or running now. */
  checking: boolean;
  /** A failed sync waits for its next attempt (the retry policy's backoff); "Repair now" does not wait for it. */
  retryScheduled: boolean;
  /** One of the open syncs rotates the secret. */
  rotating: boolean;
}

const PATH = "/repositories/:repoUuid/settings/webhook";

type Handler = (req: Request, res: Response) => Promise<void>;
const wrap = (fn: Handler) => (req: Request, res: Response, next: NextFunction) => void fn(req, res).catch(next);

/** Data Center repositories only: the app keeps no webhook of its own on Cloud (Connect and Forge register theirs). */
function dataCenterOnly(_req: Request, res: Response, next: NextFunction): void {
  if (principalOf(res).installation.host !== "datacenter") return sendError(res, 404, "only Data Center repositories have a webhook of the app");
  next();
}

/** The open (queued, running or retrying) sync jobs of one repository (index jobs_repo_time). */
async function openSyncs(installationId: string, repositoryUuid: string): Promise<Array<{ rotate: boolean; waiting: boolean }>> {
  const jobs = await Job.findAll({
    where: { installationId, repositoryUuid, handler: WEBHOOK_SYNC_JOB, status: { [Op.in]: OPEN_STATUSES } },
    attributes: ["payload", "status"],
  });
  return jobs.map((j) => ({ rotate: j.payload ? (JSON.parse(j.payload) as { rotate?: boolean }).rotate === true : false, waiting: j.status === "retrying" }));
}

/** The repository's webhook state, as `GET …/settings/webhook` answers it. */
export async function webhookState(services: Services, installationId: string, repository: { uuid: string; fullName: string | null }, canManage: boolean): Promise<DataCenterWebhookState> {
  const store = new DataCenterWebhookStore(services.db, services.box);
  const [rec, wanted, open] = await Promise.all([store.get(installationId, repository.uuid), anyIntegrationOn(services, installationId, repository.uuid), openSyncs(installationId, repository.uuid)]);
  return {
    repository,
    canManage,
    wanted,
    webhook: webhookStatusView(rec),
    checking: open.some((j) => !j.waiting),
    retryScheduled: open.some((j) => j.waiting),
    rotating: open.some((j) => j.rotate),
  };
}

/**
 * The settings page's Data Center webhook section (issue 16 step 3), under the settings API:
 *   GET  …/settings/webhook                registered or not, events, the last check (outcome, time, error in
 *                                          plain words), DC's latest delivery result; any reader
 *   POST …/settings/webhook/repair         "Repair now": a `datacenter.webhook-sync` job at once (202)
 *   POST …/settings/webhook/rotate-secret  "Rotate secret": the same job with `rotate` (202): a new random
 *                                          secret, stored sealed, PUT to DC; the old one verifies for
 *                                          PREVIOUS_SECRET_GRACE_MS more
 * Writes need REPO_ADMIN (`requireRepoAccess`, asked of DC with the user's token) and, through the
 * door's session, the CSRF token; they take no body. A request on another host is 404. Nothing here
 * calls DC for the webhook: the job does, in the worker. A second click while the same work is
 * queued or running (a rotation: also while it waits for a retry) enqueues nothing more. 409 when the app keeps no webhook there (no integration switched on).
 */
export function dataCenterWebhookRoutes(services: Services): Router {
  const router = Router();
  const read = requireRepoAccess(services, "read");
  const admin = requireRepoAccess(services, "admin");

  router.get(
    PATH,
    dataCenterOnly,
    read,
    wrap(async (_req, res) => {
      const access = repoAccessOf(res);
      res.json(await webhookState(services, principalOf(res).installation.id, access.repository, access.level === "admin"));
    }),
  );

  const action = (rotate: boolean) =>
    wrap(async (_req, res) => {
      const access = repoAccessOf(res);
      const { installation } = principalOf(res);
      const before = await webhookState(services, installation.id, access.repository, true);
      if (!before.wanted && (rotate || !before.webhook?.registered)) {
        return sendError(res, 409, "no integration is switched on for this repository: the app keeps no webhook there");
      }
      if (rotate ? !before.rotating : !before.checking) {
        await enqueueWebhookSync(services, installation.id, access.repository.uuid, { rotate });
        services.log.info({ installation: installation.id, repository: access.repository.uuid, actor: access.accountId, rotate }, "Data Center webhook: sync requested from the settings page");
      }
      res.status(202).json(await webhookState(services, installation.id, access.repository, true));
    });
  bodylessRoute(router, "post", `${PATH}/repair`, dataCenterOnly, admin, action(false));
  bodylessRoute(router, "post", `${PATH}/rotate-secret`, dataCenterOnly, admin, action(true));
  return router;
}
