import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { Harness, type Response } from "../../helpers/harness";
import { referenceJson } from "../../helpers/fixtures";
import { buildkite } from "../../../src/integrations/buildkite";
import { API_KEY_HEADER, ensureApiKey, ensureWebhookToken } from "../../../src/integrations/buildkite/credentials";
import { signBody } from "../../../src/integrations/buildkite/webhook-signature";
import type { BuildkiteSettings } from "../../../src/integrations/buildkite/settings";
import { Job } from "../../../src/models";
import { createLogger, type Logger } from "../../../src/config/logger";

export const SHA = "5a741616cdf07dc87c5adafe784321eeeb639e33";
export const SHA2 = "abcd0b72a1e580e90712cdd9eb26d3fb41cd09c8";
export const REPO_URL = "git@bitbucket.org:acme/widgets.git";

/** Log lines of the app, captured for assertions (pino JSON). */
export class LogCapture {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly logger: Logger;
  constructor() {
    const sink = new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) this.lines.push(JSON.parse(line) as Record<string, unknown>);
        cb();
      },
    });
    this.logger = createLogger("info", sink);
  }
  find(msg: RegExp): Record<string, unknown> | undefined {
    return this.lines.find((l) => typeof l.msg === "string" && msg.test(l.msg));
  }
}

export interface BuildkiteBed {
  h: Harness;
  logs: LogCapture;
  apiKey: string;
  webhookToken: string;
}

export async function startBed(settings: Partial<BuildkiteSettings> = { enabled: true }): Promise<BuildkiteBed> {
  const logs = new LogCapture();
  const h = await Harness.start({ integrations: [buildkite], log: logs.logger });
  const id = h.tenant.installation.id;
  await h.services.settings.update(id, { uuid: h.repo.uuid, fullName: h.repo.fullName }, "buildkite", { values: settings }, "test");
  return { h, logs, apiKey: await ensureApiKey(h.services, id), webhookToken: await ensureWebhookToken(h.services, id) };
}

export interface BuildOverrides {
  id?: string;
  time?: string;
  detailType?: string;
  state?: string | null;
  blockedState?: string | null;
  number?: number;
  commit?: string;
  branch?: string;
  source?: string;
  repo?: string | null;
  slug?: string;
}

/** A Buildkite EventBridge event from the reference examples, pointed at acme/widgets unless told otherwise. */
export function ebEvent(file = "eventbridge-build-finished.json", o: BuildOverrides = {}): Record<string, unknown> {
  const ev = referenceJson<Record<string, unknown>>(`buildkite/${file}`);
  const detail = ev.detail as { build: Record<string, unknown>; pipeline: Record<string, unknown>; organization: Record<string, unknown> };
  if (String(detail.organization.slug).includes("...")) detail.organization.slug = "my-org";
  ev.id = o.id ?? randomUUID();
  if (o.time) ev.time = o.time;
  if (o.detailType) ev["detail-type"] = o.detailType;
  if (String(ev.source).includes("...")) ev.source = "aws.partner/buildkite.com/my-org/0106-187c-12cd4fe";
  const build = detail.build;
  if (o.state === null) delete build.state;
  else if (o.state) build.state = o.state;
  if (o.blockedState !== undefined) build.blocked_state = o.blockedState;
  if (o.number !== undefined) build.number = o.number;
  build.commit = o.commit ?? (/^[0-9a-f]{40}$/.test(String(build.commit)) ? build.commit : SHA);
  if (o.branch) build.branch = o.branch;
  if (o.source) build.source = o.source;
  if (o.slug) detail.pipeline.slug = o.slug;
  else if (String(detail.pipeline.slug).includes("...")) detail.pipeline.slug = "my-pipeline";
  if (o.repo === null) delete detail.pipeline.repo;
  else detail.pipeline.repo = o.repo ?? REPO_URL;
  return ev;
}

export function postEventBridge(bed: BuildkiteBed, body: unknown, key: string | null = bed.apiKey, installationId = bed.h.tenant.installation.id): Promise<Response> {
  return bed.h.post(`/inbound/buildkite/eventbridge/${installationId}`, body, {
    ...(key !== null ? { [API_KEY_HEADER]: key } : {}),
    "user-agent": "Amazon/EventBridge/ApiDestinations",
    "content-type": "application/json; charset=utf-8",
  });
}

/** The synthesized webhook body from the reference folder, pointed at acme/widgets. */
export function webhookBody(file = "webhook-build-finished.json", o: { state?: string; number?: number; commit?: string; blocked?: boolean; event?: string; source?: string; repository?: string } = {}): Record<string, unknown> {
  const body = referenceJson<Record<string, unknown>>(`buildkite/${file}`);
  const build = body.build as Record<string, unknown>;
  const pipeline = body.pipeline as Record<string, unknown>;
  if (o.state) build.state = o.state;
  if (o.number !== undefined) build.number = o.number;
  if (o.commit) build.commit = o.commit;
  if (o.blocked !== undefined) build.blocked = o.blocked;
  if (o.source) build.source = o.source;
  if (o.event) body.event = o.event;
  if (o.repository) pipeline.repository = o.repository;
  return body;
}

export function postWebhook(
  bed: BuildkiteBed,
  body: Record<string, unknown> | string,
  auth: { sign?: { token?: string; timestamp?: number }; token?: string } = { sign: {} },
  event?: string,
  installationId = bed.h.tenant.installation.id,
): Promise<Response> {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-buildkite-event": event ?? (typeof body === "string" ? "build.finished" : String(body.event)),
  };
  if (auth.sign) {
    const ts = String(auth.sign.timestamp ?? Math.floor(Date.now() / 1000));
    headers["x-buildkite-signature"] = `timestamp=${ts},signature=${signBody(auth.sign.token ?? bed.webhookToken, ts, raw)}`;
  }
  if (auth.token !== undefined) headers["x-buildkite-token"] = auth.token;
  return bed.h.post(`/inbound/buildkite/webhook/${installationId}`, raw, headers);
}

/** Waits until no job is queued, running or retrying. */
export async function settle(h: Harness): Promise<void> {
  await h.drained();
}

export async function jobsOf(handler: string): Promise<Array<{ status: string; result: unknown; lastError: string | null }>> {
  const rows = await Job.findAll({ where: { handler }, order: [["createdAt", "ASC"]] });
  return rows.map((r) => ({ status: r.status, result: r.result ? JSON.parse(r.result) : null, lastError: r.lastError }));
}

export function statusesOf(bed: BuildkiteBed, sha = SHA) {
  return bed.h.fake.statuses("acme", "widgets", sha);
}

export function statusPosts(bed: BuildkiteBed) {
  return bed.h.fake.callsTo("POST", /\/statuses\/build$/);
}
