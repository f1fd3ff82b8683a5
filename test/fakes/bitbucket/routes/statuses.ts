import { randomUuid } from "../ids-and-timestamps";
import { DEFAULT_PAGES } from "../pagination";
import { commitStatus } from "../representations";
import type { RepoRecord } from "../state";
import type { CommitStatus } from "../types";
import { listReply, objectReply } from "./list-response";
import { errorReply, REPO, repoNotFound, seg, visibleRepo, type Reply, type Route, type RouteContext } from "./router";

const COMMIT = `${REPO}/commit/${seg("commit")}`;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

type Checked = { ok: true; body: Record<string, unknown> } | { ok: false; reply: Reply };

/** The body checked against the operation's OpenAPI requestBody schema (400 and nothing stored when invalid). */
function validBody(ctx: RouteContext): Checked {
  if (ctx.bodyError) return { ok: false, reply: errorReply(400, "Bad request", { detail: ctx.bodyError }) };
  const apiPath = ctx.url.pathname.replace(/^\/2\.0/, "");
  const result = ctx.validator.validate(ctx.method, apiPath, ctx.body);
  if (!result.ok) return { ok: false, reply: errorReply(400, "Bad request", { fields: result.fields }) };
  if (!isObj(ctx.body)) return { ok: false, reply: errorReply(400, "Bad request", { fields: { non_field_errors: ["Expected a JSON object."] } }) };
  return { ok: true, body: ctx.body };
}

function statusesAt(repo: RepoRecord, sha: string): Map<string, CommitStatus> {
  let byKey = repo.statuses.get(sha);
  if (!byKey) {
    byKey = new Map();
    repo.statuses.set(sha, byKey);
  }
  return byKey;
}

function existing(ctx: RouteContext, repo: RepoRecord): CommitStatus | undefined {
  return ctx.state.statusesOf(repo, ctx.params.commit).find((s) => s.key === ctx.params.key);
}

export const statusRoutes: Route[] = [
  {
    // Create, or overwrite the status with the same key (Bitbucket's documented behaviour).
    method: "POST",
    pattern: new RegExp(`^${COMMIT}/statuses/build$`),
    access: "api",
    handle(ctx) {
      const repo = visibleRepo(ctx);
      if (!repo) return repoNotFound(ctx);
      const checked = validBody(ctx);
      if (!checked.ok) return checked.reply;
      const body = checked.body;
      const sha = ctx.state.resolveCommit(repo, ctx.params.commit);
      const key = String(body.key);
      const byKey = statusesAt(repo, sha);
      const status = commitStatus(ctx.base, repo, sha, key, body, byKey.get(key), "replace", randomUuid());
      byKey.set(key, status);
      return { status: 201, json: status };
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^${COMMIT}/statuses/build/${seg("key")}$`),
    access: "api",
    handle(ctx) {
      const repo = visibleRepo(ctx);
      if (!repo) return repoNotFound(ctx);
      const status = existing(ctx, repo);
      return status ? objectReply(ctx, 200, status) : errorReply(404, "Commit status not found");
    },
  },
  {
    // Update: changes state/name/description/url/refname; the key cannot change.
    method: "PUT",
    pattern: new RegExp(`^${COMMIT}/statuses/build/${seg("key")}$`),
    access: "api",
    handle(ctx) {
      const repo = visibleRepo(ctx);
      if (!repo) return repoNotFound(ctx);
      const previous = existing(ctx, repo);
      if (!previous) return errorReply(404, "Commit status not found");
      const checked = validBody(ctx);
      if (!checked.ok) return checked.reply;
      const sha = ctx.state.resolveCommit(repo, ctx.params.commit);
      const status = commitStatus(ctx.base, repo, sha, previous.key, checked.body, previous, "merge", previous.uuid);
      statusesAt(repo, sha).set(previous.key, status);
      return { status: 200, json: status };
    },
  },
  {
    // `refname`: only statuses created without a refname or with this one.
    method: "GET",
    pattern: new RegExp(`^${COMMIT}/statuses$`),
    access: "api",
    handle(ctx) {
      const repo = visibleRepo(ctx);
      if (!repo) return repoNotFound(ctx);
      const refname = ctx.url.searchParams.get("refname");
      const statuses = ctx.state.statusesOf(repo, ctx.params.commit).filter((s) => refname === null || s.refname === null || s.refname === refname);
      return listReply(ctx, statuses, { limits: DEFAULT_PAGES, defaultSort: "created_on" });
    },
  },
];
