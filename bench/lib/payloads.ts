import { createHash, randomBytes, randomUUID } from "node:crypto";
import { bitbucketJwt } from "../../test/helpers/jwt";
import { bitbucketWebhook, forRepository, referenceJson } from "../../test/helpers/fixtures";
import { pushPayload } from "../../test/helpers/echo-handler";
import { API_KEY_HEADER } from "../../src/integrations/buildkite/credentials";
import { signBody } from "../../src/integrations/buildkite/webhook-signature";

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

/** The repo:push capture pointed at the tenant's repository, serialized once with a placeholder for the commit. */
const SHA_MARK = "0000000000000000000000000000000000c0ffee";
const pushTemplates = new Map<string, string>();
function pushTemplate(t: BenchTenant): string {
  let tpl = pushTemplates.get(t.clientKey);
  if (!tpl) {
    const base = forRepository(bitbucketWebhook("repo-push.real-2023.json"), { uuid: t.repo.uuid, fullName: t.repo.fullName, workspaceUuid: t.workspace.uuid });
    tpl = JSON.stringify(pushPayload(base, SHA_MARK));
    pushTemplates.set(t.clientKey, tpl);
  }
  return tpl;
}

/**
 * A signed repo:push delivery (the real 2023 capture) for a fresh commit, as Bitbucket sends it: a
 * fresh JWT (qsh of the URL) and X-Request-UUID each. The payload is serialized once per tenant so
 * that the load generator, which shares the cores with the app, spends little on building requests.
 */
export function pushWebhook(t: BenchTenant, sha = randomSha()): BenchRequest {
  const path = "/connect/webhooks/repo/push";
  const id = randomUUID();
  return {
    id,
    method: "POST",
    path,
    headers: {
      "content-type": "application/json",
      authorization: `JWT ${bitbucketJwt("POST", path, { clientKey: t.clientKey, sharedSecret: t.sharedSecret, jti: id })}`,
      "x-event-key": "repo:push",
      "x-request-uuid": id,
      "user-agent": "Bitbucket-Webhooks/2.0",
    },
    body: pushTemplate(t).replaceAll(SHA_MARK, sha),
  };
}

const buildkiteTemplate = JSON.stringify(referenceJson<Record<string, unknown>>("buildkite/webhook-build-finished.json"))
  .replaceAll("abcd0b72a1e580e90712cdd9eb26d3fb41cd09c8", SHA_MARK)
  .replace('"number":42', '"number":4242424242');

/**
 * A signed Buildkite `build.finished` webhook (reference example) for a fresh commit and build number
 * (its idempotency key is the body's digest): `X-Buildkite-Signature` HMAC with the webhook token.
 */
export function buildkiteWebhook(installationId: string, webhookToken: string, sha = randomSha(), number = 1): BenchRequest {
  const body = buildkiteTemplate.replaceAll(SHA_MARK, sha).replace('"number":4242424242', `"number":${number}`);
  const ts = String(Math.floor(Date.now() / 1000));
  return {
    id: createHash("sha256").update(body).digest("hex"),
    method: "POST",
    path: `/inbound/buildkite/webhook/${installationId}`,
    headers: {
      "content-type": "application/json",
      "x-buildkite-event": "build.finished",
      "x-buildkite-signature": `timestamp=${ts},signature=${signBody(webhookToken, ts, body)}`,
      "user-agent": "Buildkite-Request",
    },
    body,
  };
}

const forgeTemplate = (() => {
  const ev = referenceJson<Record<string, unknown>>("forge/events/avi-bitbucket-push-repository.docs-example.json");
  return JSON.stringify(ev).replaceAll("a37e0ad81173c7f6707d6b9f74dab4ce9938064d", SHA_MARK);
})();

/**
 * A Forge `avi:bitbucket:push:repository` product event (documented example) on the tenant's
 * workspace and repository, for a fresh commit, in the `{payload}` envelope of a remote endpoint,
 * with a FIT (`fit`, signed by the bench's Forge key) and the app system token. The idempotency key
 * is the event's digest, as the app computes it.
 */
export function forgeEvent(t: BenchTenant, fit: string, systemToken: string, sha = randomSha()): BenchRequest {
  const ev = JSON.parse(forgeTemplate.replaceAll(SHA_MARK, sha)) as Record<string, unknown>;
  ev.workspace = { uuid: t.workspace.uuid };
  ev.repository = { uuid: t.repo.uuid, slug: t.repo.slug };
  const body = JSON.stringify({ payload: ev });
  return {
    id: `sha256:${createHash("sha256").update(JSON.stringify(ev)).digest("hex")}`,
    method: "POST",
    path: "/forge/events",
    headers: { "content-type": "application/json", authorization: `Bearer ${fit}`, "x-forge-oauth-system": systemToken },
    body,
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
