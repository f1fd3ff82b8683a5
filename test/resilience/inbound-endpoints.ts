import { createHash } from "node:crypto";
import type { Router } from "express";
import type { Harness } from "../helpers/harness";
import { bitbucketWebhook, forRepository } from "../helpers/fixtures";
import { BITBUCKET_EVENT_KEYS } from "../../src/bitbucket/events";
import { webhookPath } from "../../src/connect/webhooks";
import type { Integration } from "../../src/integrations";
import { API_KEY_HEADER } from "../../src/integrations/buildkite/credentials";
import { signBody } from "../../src/integrations/buildkite/webhook-signature";
import { ebEvent, webhookBody } from "../integrations/buildkite/support";

/** The JSON type a required field must have; a fuzzed value of another type makes the body invalid. */
export type FieldType = "string" | "object" | "array" | "int";

/** One public inbound endpoint, with a valid body and how a sender authenticates a given raw body. */
export interface InboundEndpoint {
  name: string;
  path: string;
  /** A body the endpoint accepts (the fuzzer only sends broken variants of it). */
  valid: Record<string, unknown>;
  /** Headers of a correctly authenticated request carrying `raw` (the signature covers the body where the sender signs it). */
  headers(raw: string): Record<string, string>;
  /** Required fields (dot paths) and their types. */
  required: Array<[string, FieldType]>;
  /** Header names whose garbage value must be refused (401 for credentials, 400 for the event key). */
  credentialHeaders: string[];
  /** Only the credentials are checked: they name the subject, and any body is accepted (an uninstall). */
  credentialsOnly?: boolean;
}

const WEBHOOK_FIXTURES: Record<string, string> = {
  "repo:push": "repo-push.real-2023.json",
  "pullrequest:created": "pullrequest-created.real-2023.json",
  "pullrequest:updated": "pullrequest-updated.jenkins-fixture.json",
  "pullrequest:approved": "pullrequest-approved.real-2023.json",
  "pullrequest:unapproved": "pullrequest-unapproved.go-playground.json",
  "pullrequest:changes_request_created": "pullrequest-changes_request_created.SYNTHETIC.json",
  "pullrequest:changes_request_removed": "pullrequest-changes_request_created.SYNTHETIC.json",
  "pullrequest:fulfilled": "pullrequest-fulfilled.real-2023-with-reviewer.json",
  "pullrequest:rejected": "pullrequest-rejected.jenkins-fixture.json",
  "repo:commit_status_created": "repo-commit_status_created.go-playground.json",
  "repo:commit_status_updated": "repo-commit_status_updated.go-playground.json",
};

const REPOSITORY_FIELDS: Array<[string, FieldType]> = [
  ["repository", "object"],
  ["repository.uuid", "string"],
  ["repository.full_name", "string"],
];

function eventFields(eventKey: string): Array<[string, FieldType]> {
  if (eventKey === "repo:push") return [...REPOSITORY_FIELDS, ["push", "object"], ["push.changes", "array"]];
  if (eventKey.startsWith("pullrequest:")) return [...REPOSITORY_FIELDS, ["pullrequest", "object"], ["pullrequest.id", "int"]];
  return [...REPOSITORY_FIELDS, ["commit_status", "object"], ["commit_status.key", "string"], ["commit_status.state", "string"]];
}

/** Every Connect webhook URL the app serves: one per subscribed event key. */
function webhookEndpoints(h: Harness): InboundEndpoint[] {
  return BITBUCKET_EVENT_KEYS.map((eventKey) => {
    const fixture = WEBHOOK_FIXTURES[eventKey];
    if (!fixture) throw new Error(`no reference payload mapped for ${eventKey}: add it to WEBHOOK_FIXTURES`);
    const path = webhookPath(eventKey);
    return {
      name: `POST ${path}`,
      path,
      valid: forRepository(bitbucketWebhook(fixture), { uuid: h.repo.uuid, fullName: h.repo.fullName, workspaceUuid: h.tenant.workspace.uuid }),
      headers: () => ({
        authorization: `JWT ${h.jwtFor("POST", path)}`,
        "x-event-key": eventKey,
        "x-request-uuid": createHash("sha256").update(String(Math.random())).digest("hex").slice(0, 32),
      }),
      required: eventFields(eventKey),
      credentialHeaders: ["authorization", "x-event-key"],
    };
  });
}

function lifecycleEndpoints(h: Harness): InboundEndpoint[] {
  const fields: Array<[string, FieldType]> = [
    ["key", "string"],
    ["clientKey", "string"],
    ["sharedSecret", "string"],
    ["baseUrl", "string"],
    ["productType", "string"],
    ["principal", "object"],
    ["principal.uuid", "string"],
  ];
  const fresh = { clientKey: "ari:cloud:bitbucket::app/fuzz-never-installed", sharedSecret: "s".repeat(40), workspace: { uuid: "{fuzz}", slug: "fuzz" } };
  return [
    {
      // The first install is unsigned (trust on first use): the body is all there is to check.
      name: "POST /connect/installed",
      path: "/connect/installed",
      valid: h.lifecyclePayload("installed", fresh),
      headers: () => ({}),
      required: fields,
      credentialHeaders: [],
    },
    {
      name: "POST /connect/uninstalled",
      path: "/connect/uninstalled",
      valid: h.lifecyclePayload("uninstalled", h.tenant),
      headers: () => ({ authorization: `JWT ${h.jwtFor("POST", "/connect/uninstalled")}` }),
      // A signed uninstall purges whatever the body holds (issue 15.2): only broken credentials are refused.
      required: [],
      credentialHeaders: ["authorization"],
      credentialsOnly: true,
    },
  ];
}

/** The `/inbound` routes the integrations mount, as their routers declare them. */
export function inboundRoutePaths(integrations: Integration[], h: Harness): string[] {
  const paths: string[] = [];
  for (const i of integrations) {
    if (!i.inboundRoutes) continue;
    const router = i.inboundRoutes(h.services) as Router & { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> };
    for (const layer of router.stack) if (layer.route?.methods.post) paths.push(`/inbound${layer.route.path}`);
  }
  return paths;
}

/** How each known `/inbound` route's sender authenticates, and what a valid body is. */
function inboundEndpoint(path: string, h: Harness, secrets: { apiKey: string; webhookToken: string }): InboundEndpoint | null {
  const concrete = path.replace(":installationId", h.tenant.installation.id);
  if (path === "/inbound/buildkite/eventbridge/:installationId") {
    return {
      name: `POST ${path}`,
      path: concrete,
      valid: ebEvent(),
      headers: () => ({ [API_KEY_HEADER.toLowerCase()]: secrets.apiKey }),
      required: [["id", "string"], ["source", "string"], ["detail-type", "string"], ["detail", "object"], ["detail.build", "object"], ["detail.build.number", "int"], ["detail.pipeline", "object"]],
      credentialHeaders: [API_KEY_HEADER.toLowerCase()],
    };
  }
  if (path === "/inbound/buildkite/webhook/:installationId") {
    return {
      name: `POST ${path}`,
      path: concrete,
      valid: webhookBody(),
      headers: (raw) => {
        const ts = String(Math.floor(Date.now() / 1000));
        return { "x-buildkite-event": "build.finished", "x-buildkite-signature": `timestamp=${ts},signature=${signBody(secrets.webhookToken, ts, raw)}` };
      },
      required: [["build", "object"], ["build.number", "int"], ["build.state", "string"], ["build.commit", "string"], ["pipeline", "object"], ["pipeline.slug", "string"]],
      credentialHeaders: ["x-buildkite-signature"],
    };
  }
  return null;
}

export interface EndpointList {
  endpoints: InboundEndpoint[];
  /** `/inbound` routes found in the app that this suite does not know how to authenticate. */
  unknownInbound: string[];
}

export function listEndpoints(h: Harness, integrations: Integration[], secrets: { apiKey: string; webhookToken: string }): EndpointList {
  const endpoints = [...lifecycleEndpoints(h), ...webhookEndpoints(h)];
  const unknownInbound: string[] = [];
  for (const path of inboundRoutePaths(integrations, h)) {
    const e = inboundEndpoint(path, h, secrets);
    if (e) endpoints.push(e);
    else unknownInbound.push(path);
  }
  return { endpoints, unknownInbound };
}

