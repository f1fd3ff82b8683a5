import { createHash } from "node:crypto";
import type { BuildStatusReport, RepositoryRef } from "../bitbucket/host-api";
import { repositoryWebLinks } from "../bitbucket/web-links";
import { ingest, type IngestResult } from "../pipeline/ingest";
import type { InstallationView } from "./installations";
import { repositories } from "./repositories";
import type { Services } from "./services";

declare module "../models/delivery" {
  interface DeliverySources {
    /**
     * Events the app emits itself: the commit-status event of a status it posted, on a host that
     * sends none (Data Center; `FrontDoor.commitStatusEvents`).
     */
    relay: true;
  }
}

/** The event key of an echoed status: the app does not know whether the commit had one of that key before. */
export const ECHO_EVENT_KEY = "repo:commit_status_updated";

/** True when the installation's host sends no commit-status events of its own (its door says so). */
export function needsStatusEcho(services: Services, installation: Pick<InstallationView, "host">): boolean {
  return services.doors.forHost(installation.host)?.commitStatusEvents === false;
}

/**
 * After a build status was posted on a host that sends no commit-status webhooks (Data Center),
 * stores the event Bitbucket Cloud would have sent (`repo:commit_status_updated`, Cloud's payload
 * shape: `repository{uuid, full_name, links.html}`, `commit_status{key, state, name, description,
 * url, refname, commit.hash, links.commit, created_on, updated_on}`) through `ingest`, so every
 * handler of commit-status events (build alerts, the review radar's statuses, EventBridge out) runs
 * as it does on Cloud. Idempotent per (repository, commit, key, `postId`): a retried post does not
 * make a second event. Returns null (nothing stored) when the host sends its own events, or when the
 * repository's display name is unknown (Cloud's payload needs `full_name`).
 */
export async function echoPostedStatus(
  services: Services,
  installation: InstallationView,
  repo: RepositoryRef,
  commit: string,
  status: BuildStatusReport,
  postId: string,
): Promise<IngestResult | null> {
  if (!needsStatusEcho(services, installation)) return null;
  const fullName = repo.fullName ?? (await repositories.get(installation.id, repo.id))?.displayName ?? null;
  const links = fullName ? repositoryWebLinks(installation, fullName) : null;
  if (!fullName || !links) {
    services.log.warn({ installationId: installation.id, repository: repo.id }, "posted status not echoed as an event: the repository's name is unknown");
    return null;
  }
  const now = new Date().toISOString();
  const payload = {
    repository: { type: "repository", uuid: repo.id, full_name: fullName, name: fullName.split("/")[1], links: { html: { href: links.repository } } },
    commit_status: {
      type: "build",
      key: status.key,
      state: status.state,
      name: status.name ?? null,
      description: status.description ?? null,
      url: status.url ?? null,
      refname: status.refname ?? null,
      commit: { type: "commit", hash: commit },
      links: { commit: { href: links.commit(commit) } },
      created_on: now,
      updated_on: now,
    },
  };
  const idempotencyKey = createHash("sha256").update([installation.id, repo.id, commit, status.key, postId].join("\n")).digest("hex");
  return ingest(services, {
    installationId: installation.id,
    source: "relay",
    eventKey: ECHO_EVENT_KEY,
    idempotencyKey,
    repository: { uuid: repo.id, fullName },
    payload,
  });
}
