import { createHmac, randomUUID } from "node:crypto";
import { Router } from "express";
import { request } from "undici";
import type { FakeDataCenter } from "..";
import type { DcRepository } from "../state";
import fs from "node:fs";
import path from "node:path";
import { FIXTURES } from "../../../helpers/fixtures";

const readFixture = (relative: string): string => fs.readFileSync(path.join(FIXTURES, relative), "utf8");

/** A repository webhook as the fake keeps it (`RestWebhook`, 9.2 spec). */
export interface DcWebhook {
  id: number;
  repositoryId: number;
  name: string;
  url: string;
  events: string[];
  active: boolean;
  configuration: Record<string, unknown>;
  sslVerificationRequired: boolean;
  createdDate: number;
  updatedDate: number;
}

/** One delivery attempt, as DC's invocation history records it (`RestDetailedInvocation`). */
export interface DcInvocation {
  id: number;
  webhookId: number;
  event: string;
  requestId: string;
  /** SUCCESS (2xx), FAILURE (another status), ERROR (no answer). */
  outcome: "SUCCESS" | "FAILURE" | "ERROR";
  statusCode: number | null;
  body: string;
  start: number;
  finish: number;
}

/** The webhook event keys of the fixture's (older) instance: no `pr:from_ref_updated`. */
export const FIXTURE_WEBHOOK_EVENTS: string[] = (JSON.parse(readFixture("bitbucket/webhooks/datacenter/capabilities-webhooks.atlassian-jenkins-plugin.json")) as { "application-webhooks": string[] })["application-webhooks"];

/**
 * The fake's webhook data: hooks by id, delivery history, and the instance's webhooks capability
 * (`events`: the keys it advertises and accepts; null = an instance without the capability, before 6.5,
 * which then accepts the fixture's keys).
 */
export class DcWebhooks {
  hooks = new Map<number, DcWebhook>();
  invocations: DcInvocation[] = [];
  events: string[] | null = [...FIXTURE_WEBHOOK_EVENTS, "pr:from_ref_updated"];
  private nextInvocation = 1;

  accepted(): string[] {
    return this.events ?? FIXTURE_WEBHOOK_EVENTS;
  }

  of(repo: DcRepository): DcWebhook[] {
    return [...this.hooks.values()].filter((h) => h.repositoryId === repo.id);
  }

  record(i: Omit<DcInvocation, "id">): DcInvocation {
    const inv = { ...i, id: this.nextInvocation++ };
    this.invocations.push(inv);
    return inv;
  }
}

export function webhooksOf(fake: FakeDataCenter): DcWebhooks {
  let w = fake.extensions.get("webhooks") as DcWebhooks | undefined;
  if (!w) fake.extensions.set("webhooks", (w = new DcWebhooks()));
  return w;
}

function rest(h: DcWebhook): Record<string, unknown> {
  const { repositoryId: _r, ...out } = h;
  return { ...out, scopeType: "repository" };
}

interface WebhookBody {
  name?: string;
  url?: string;
  events?: string[];
  active?: boolean;
  configuration?: Record<string, unknown>;
  sslVerificationRequired?: boolean;
}

/**
 * Checks a create/update body as DC does: name and URL required, every event key known to the
 * instance (one unknown key fails the whole request: datacenter-app.md §0.1, with DC's message).
 */
function invalid(fake: FakeDataCenter, body: WebhookBody): { context: string; message: string } | null {
  if (!body.name?.trim()) return { context: "name", message: "A name is required." };
  if (!body.url || !URL.canParse(body.url)) return { context: "url", message: "The URL must be a valid http(s) URL." };
  const known = webhooksOf(fake).accepted();
  if (!body.events?.length) return { context: "events", message: "At least one event is required." };
  // eslint-disable-next-line no-template-curly-in-string
  for (const e of body.events) if (!known.includes(e)) return { context: "events", message: "the event ${validatedValue} is unknown" };
  return null;
}

/**
 * Repository webhooks (`/rest/api/latest/projects/{p}/repos/{r}/webhooks[/{id}[/latest]]`, REPO_ADMIN;
 * create answers 200, delete 204), `GET /rest/capabilities` (the Jenkins plugin's fixture, on this
 * fake's base URL) and the webhooks capability (`application-webhooks`).
 */
export function webhookRoutes(fake: FakeDataCenter): Router {
  const r = Router();
  const w = () => webhooksOf(fake);
  const repoPaths = (suffix: string) => [`/rest/api/latest/projects/:projectKey/repos/:repositorySlug/webhooks${suffix}`, `/rest/api/1.0/projects/:projectKey/repos/:repositorySlug/webhooks${suffix}`];

  r.get("/rest/capabilities", (_req, res) => {
    const root = JSON.parse(readFixture("bitbucket/webhooks/datacenter/capabilities-root.atlassian-jenkins-plugin.json").replaceAll("http://localhost:7990/bitbucket", fake.baseUrl)) as {
      capabilities: Record<string, string>;
    };
    if (w().events === null) delete root.capabilities.webhooks;
    res.json(root);
  });
  r.get("/rest/webhooks/latest/capabilities", (_req, res) => {
    const events = w().events;
    if (events === null) return fake.error(res, 404, "No resource at /rest/webhooks/latest/capabilities");
    res.json({ "application-webhooks": events });
  });

  r.get(repoPaths(""), (req, res) => {
    const repo = fake.requireRepository(req, res, "REPO_ADMIN");
    if (repo) res.json(fake.page(req, w().of(repo).map(rest)));
  });
  r.post(repoPaths(""), (req, res) => {
    const repo = fake.requireRepository(req, res, "REPO_ADMIN");
    if (!repo) return;
    const body = fake.json<WebhookBody>(req) ?? {};
    const bad = invalid(fake, body);
    if (bad) return fake.error(res, 400, bad.message, "com.atlassian.bitbucket.validation.ArgumentValidationException", bad.context);
    const now = Date.now();
    const hook: DcWebhook = {
      id: fake.state.id(),
      repositoryId: repo.id,
      name: body.name!,
      url: body.url!,
      events: [...new Set(body.events!)],
      active: body.active ?? true,
      configuration: body.configuration ?? {},
      sslVerificationRequired: body.sslVerificationRequired ?? true,
      createdDate: now,
      updatedDate: now,
    };
    w().hooks.set(hook.id, hook);
    res.status(200).json(rest(hook));
  });
  const find = (req: Parameters<Parameters<typeof r.get>[1]>[0], res: Parameters<Parameters<typeof r.get>[1]>[1]) => {
    const repo = fake.requireRepository(req, res, "REPO_ADMIN");
    if (!repo) return null;
    const hook = w().hooks.get(Number(req.params.webhookId));
    if (!hook || hook.repositoryId !== repo.id) {
      fake.error(res, 404, `Webhook ${String(req.params.webhookId)} does not exist.`, "com.atlassian.webhooks.NoSuchWebhookException");
      return null;
    }
    return hook;
  };
  r.get(repoPaths("/:webhookId(\\d+)"), (req, res) => {
    const hook = find(req, res);
    if (hook) res.json(rest(hook));
  });
  r.put(repoPaths("/:webhookId(\\d+)"), (req, res) => {
    const hook = find(req, res);
    if (!hook) return;
    const body = fake.json<WebhookBody>(req) ?? {};
    const bad = invalid(fake, body);
    if (bad) return fake.error(res, 400, bad.message, "com.atlassian.bitbucket.validation.ArgumentValidationException", bad.context);
    Object.assign(hook, {
      name: body.name!,
      url: body.url!,
      events: [...new Set(body.events!)],
      active: body.active ?? hook.active,
      configuration: body.configuration ?? {},
      sslVerificationRequired: body.sslVerificationRequired ?? hook.sslVerificationRequired,
      updatedDate: Date.now(),
    });
    res.json(rest(hook));
  });
  r.delete(repoPaths("/:webhookId(\\d+)"), (req, res) => {
    const hook = find(req, res);
    if (!hook) return;
    w().hooks.delete(hook.id);
    res.status(204).end();
  });
  r.get(repoPaths("/:webhookId(\\d+)/latest"), (req, res) => {
    const hook = find(req, res);
    if (!hook) return;
    const last = w().invocations.filter((i) => i.webhookId === hook.id && (!req.query.outcome || i.outcome === req.query.outcome)).at(-1);
    if (!last) return res.status(204).end();
    res.json({
      id: last.id,
      event: last.event,
      eventScope: { id: String(hook.repositoryId), type: "repository" },
      start: last.start,
      finish: last.finish,
      duration: last.finish - last.start,
      request: { url: hook.url, method: "POST" },
      result: { outcome: last.outcome, description: last.statusCode === null ? "no answer" : String(last.statusCode) },
    });
  });
  return r;
}

export interface DeliveryResult {
  webhookId: number;
  requestId: string;
  status: number | null;
  body: string;
}

/**
 * Delivers an event to every active webhook of `repo` subscribed to `eventKey`, exactly as DC does:
 * `POST` of the JSON bytes with `Content-Type: application/json; charset=utf-8`, `X-Request-Id`
 * (a UUID per request unless given), `X-Event-Key`, and `X-Hub-Signature: sha256=<hex HMAC-SHA256
 * of those bytes>` keyed with the hook's `configuration.secret` (absent without a secret). Records
 * each invocation's outcome.
 */
export async function deliver(fake: FakeDataCenter, repo: DcRepository, eventKey: string, payload: unknown, opts: { requestId?: string; unsigned?: boolean } = {}): Promise<DeliveryResult[]> {
  const w = webhooksOf(fake);
  const bytes = Buffer.from(typeof payload === "string" ? payload : JSON.stringify(payload), "utf8");
  const out: DeliveryResult[] = [];
  for (const hook of w.of(repo)) {
    if (!hook.active || (eventKey !== "diagnostics:ping" && !hook.events.includes(eventKey))) continue;
    const requestId = opts.requestId ?? randomUUID();
    const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8", "x-request-id": requestId, "x-event-key": eventKey, "user-agent": "Atlassian HttpClient" };
    const secret = hook.configuration.secret;
    if (!opts.unsigned && typeof secret === "string" && secret) headers["x-hub-signature"] = `sha256=${createHmac("sha256", secret).update(bytes).digest("hex")}`;
    const start = Date.now();
    try {
      const res = await request(hook.url, { method: "POST", headers, body: bytes });
      const text = await res.body.text();
      w.record({ webhookId: hook.id, event: eventKey, requestId, outcome: res.statusCode < 300 ? "SUCCESS" : "FAILURE", statusCode: res.statusCode, body: text, start, finish: Date.now() });
      out.push({ webhookId: hook.id, requestId, status: res.statusCode, body: text });
    } catch (err) {
      w.record({ webhookId: hook.id, event: eventKey, requestId, outcome: "ERROR", statusCode: null, body: String(err), start, finish: Date.now() });
      out.push({ webhookId: hook.id, requestId, status: null, body: String(err) });
    }
  }
  return out;
}

/** DC's "Test connection": `diagnostics:ping` with body `{"test":true}`, never signed (datacenter-app.md §0.2). */
export function ping(fake: FakeDataCenter, repo: DcRepository): Promise<DeliveryResult[]> {
  return deliver(fake, repo, "diagnostics:ping", { test: true }, { unsigned: true });
}
