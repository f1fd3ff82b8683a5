import { randomBytes, randomUUID } from "node:crypto";
import { bitbucketJwt } from "../../test/helpers/jwt";
import { bitbucketWebhook, forRepository, referenceJson } from "../../test/helpers/fixtures";
import { pushPayload } from "../../test/helpers/echo-handler";
import { API_KEY_HEADER } from "../../src/integrations/buildkite/credentials";

/** The tenant and repository a bench app installs, as Bitbucket knows them. */
export interface BenchTenant {
  clientKey: string;
  sharedSecret: string;
  workspace: { uuid: string; slug: string };
  repo: { uuid: string; slug: string; fullName: string };
}

export function newTenant(): BenchTenant {
  return {
    clientKey: `ari:cloud:bitbucket::app/${randomUUID()}`,
    sharedSecret: randomBytes(32).toString("hex"),
    workspace: { uuid: `{${randomUUID()}}`, slug: "acme" },
    repo: { uuid: "{11111111-2222-4333-8444-555555555555}", slug: "widgets", fullName: "acme/widgets" },
  };
}

export const randomSha = (): string => randomBytes(20).toString("hex");

export interface BenchRequest {
  /** The delivery's idempotency key (X-Request-UUID, the EventBridge event id). */
  id: string;
  method: "POST";
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A signed repo:push delivery (the real 2023 capture) for a fresh commit, as Bitbucket sends it. */
export function pushWebhook(t: BenchTenant, sha = randomSha()): BenchRequest {
  const path = "/connect/webhooks/repo/push";
  const payload = pushPayload(
    forRepository(bitbucketWebhook("repo-push.real-2023.json"), { uuid: t.repo.uuid, fullName: t.repo.fullName, workspaceUuid: t.workspace.uuid }),
    sha,
  );
  const id = randomUUID();
  return {
    id,
    method: "POST",
    path,
    headers: {
      "content-type": "application/json",
      authorization: `JWT ${bitbucketJwt("POST", path, { clientKey: t.clientKey, sharedSecret: t.sharedSecret })}`,
      "x-event-key": "repo:push",
      "x-request-uuid": id,
      "user-agent": "Bitbucket-Webhooks/2.0",
    },
    body: JSON.stringify(payload),
  };
}

const ebTemplate = referenceJson<Record<string, unknown>>("buildkite/eventbridge-build-finished.json");

/** A Buildkite "Build Finished" partner event (reference example) for a commit, with a fresh event id. */
export function eventBridgeEvent(installationId: string, apiKey: string, sha = randomSha(), number = 1): BenchRequest {
  const ev = structuredClone(ebTemplate);
  const detail = ev.detail as { build: Record<string, unknown>; pipeline: Record<string, unknown>; organization: Record<string, unknown> };
  ev.id = randomUUID();
  ev.source = "aws.partner/buildkite.com/my-org/0106-187c-12cd4fe";
  ev.time = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  detail.organization.slug = "my-org";
  detail.pipeline.slug = "my-pipeline";
  detail.pipeline.repo = "git@bitbucket.org:acme/widgets.git";
  detail.build.commit = sha;
  detail.build.number = number;
  return {
    id: ev.id as string,
    method: "POST",
    path: `/inbound/buildkite/eventbridge/${installationId}`,
    headers: {
      "content-type": "application/json; charset=utf-8",
      [API_KEY_HEADER.toLowerCase()]: apiKey,
      "user-agent": "Amazon/EventBridge/ApiDestinations",
    },
    body: JSON.stringify(ev),
  };
}
