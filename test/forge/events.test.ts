import assert from "node:assert/strict";
import { Delivery, Installation, Job } from "../../src/models";
import type { HandlerRegistry } from "../../src/pipeline/registry";
import { registerEchoHandler } from "../helpers/echo-handler";
import { waitFor } from "../helpers/fixtures";
import { ForgeHost, forgeEvent } from "./forge-host";

const SHA = "a37e0ad81173c7f6707d6b9f74dab4ce9938064d";
const PR_HEAD = "cc2758d231fc0a1b2c3d4e5f60718293a4b5c6d7";

type Seen = Array<{ key: string; payload: Record<string, unknown>; source: string | undefined }>;

/** A test integration: records every webhook-shaped event it is handed. */
function recordEvents(seen: Seen) {
  return (r: HandlerRegistry) => {
    registerEchoHandler(r);
    const keys = ["pullrequest:created", "pullrequest:fulfilled", "pullrequest:approved", "pullrequest:changes_request_created", "repo:commit_status_created", "repo:commit_status_updated"] as const;
    for (const key of keys) {
      r.on(key, { name: `test.record.${key}`, integration: "core" }, async (ctx) => {
        seen.push({ key, payload: ctx.payload as Record<string, unknown>, source: ctx.delivery?.source });
        return { done: {} };
      });
    }
  };
}

describe("Forge front door: product events through the pipeline", () => {
  let f: ForgeHost;
  const seen: Seen = [];
  beforeEach(async () => {
    seen.length = 0;
    f = await ForgeHost.start({ registerHandlers: recordEvents(seen) });
  });
  afterEach(() => f.close());

  /** The documented push example (its commit is SHA) on the harness repository. */
  const push = () => forgeEvent("avi-bitbucket-push-repository.docs-example.json", f.workspaceUuid, f.h.repo.uuid);

  it("push event → stored → translated into repo:push → a Bitbucket call with the system token the fake accepts", async () => {
    const res = await f.event(push());
    assert.equal(res.status, 204, res.text);
    const stored = await Delivery.findOne({ where: { eventKey: "avi:bitbucket:push:repository" } });
    assert.equal(stored?.source, "forge");
    assert.equal(stored?.repositoryUuid, f.h.repo.uuid);
    await waitFor(async () => (await Job.findOne({ where: { handler: "core.echo", status: "done" } })) ?? false, "echo job done");
    const translated = await Delivery.findOne({ where: { eventKey: "repo:push" } });
    assert.equal(translated?.source, "forge");
    assert.equal(translated?.repositoryFullName, "acme/widgets");
    const calls = f.fake.callsTo("POST", /\/commit\/[0-9a-f]+\/statuses\/build$/);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.status, 201);
    assert.equal(calls[0]!.auth.kind, "bearer");
    assert.equal(calls[0]!.auth.clientKey, "forge-app");
    assert.equal(f.fake.statuses("acme", "widgets", SHA)[0]?.state, "SUCCESSFUL");
    // The repository was looked up by uuid with the same token.
    const lookups = f.fake.callsTo("GET", /^\/2\.0\/repositories\/%7B[^/]+%7D\/%7B[^/]+%7D$/);
    assert.equal(lookups[0]?.auth.kind, "bearer");
    // The workspace slug, which Forge never sends, was learned from the repository.
    const inst = await f.h.services.installations.findByClientKey("forge", f.installationId);
    assert.equal(inst?.workspaceSlug, "acme");
  });

  it("processes a redelivery (Forge retry with retryContext) once", async () => {
    const ev = push();
    assert.equal((await f.event(ev)).status, 204);
    assert.equal((await f.event({ ...ev, retryContext: { retryData: null, retryCount: 1, retryReason: "TIMEOUT_ERROR" } })).status, 200);
    assert.equal((await f.event(ev, { bare: true })).status, 200, "the bare body is the same event");
    await waitFor(async () => (await Job.count({ where: { handler: "core.echo", status: "done" } })) === 1, "echo job done");
    await f.h.drained();
    assert.equal(await Delivery.count({ where: { eventKey: "avi:bitbucket:push:repository" } }), 1);
    assert.equal(f.fake.callsTo("POST", /statuses\/build$/).length, 1);
  });

  it("maps pull request, reviewer-status and build-status events onto the webhook events, completed from the REST API", async () => {
    f.fake.addPullRequest("acme", "widgets", { id: 3, title: "Add the widget", source: { branch: { name: "feature" }, commit: { hash: PR_HEAD } }, participants: [{ user: { uuid: "{87654321-4321-4321-4321-cba987654321}", account_id: "5d5353ed", display_name: "Rita Reviewer" }, role: "REVIEWER", approved: false, state: "changes_requested" }] });
    const created = forgeEvent("avi-bitbucket-created-pullrequest.docs-example.json", f.workspaceUuid, f.h.repo.uuid);
    assert.equal((await f.event(created)).status, 204);
    const review = forgeEvent("avi-bitbucket-updated-pullrequest-reviewer-status.docs-example.json", f.workspaceUuid, f.h.repo.uuid, { pullrequest: { id: 3 } });
    assert.equal((await f.event(review)).status, 204);
    await waitFor(() => seen.length >= 2 || false, "pull request events");
    const pr = seen.find((s) => s.key === "pullrequest:created")!;
    assert.equal(pr.source, "forge");
    assert.equal((pr.payload.pullrequest as { title: string }).title, "Add the widget");
    assert.equal((pr.payload.repository as { full_name: string }).full_name, "acme/widgets");
    assert.equal((pr.payload.actor as { account_id: string }).account_id, "5ffed3379edf280075d75b20");
    const cr = seen.find((s) => s.key === "pullrequest:changes_request_created")!;
    assert.equal((cr.payload.changes_request as { user: { display_name: string } }).user.display_name, "Rita Reviewer");

    // A build status (e.g. Buildkite's) posted on the commit, then announced by Forge.
    const statusHash = "b88c4b490b648bf960eba6f59123456797960e55";
    f.fake.addBearerToken("setup-token", "setup", { workspace: f.h.tenant.workspace });
    await f.h.services.http.send({
      target: "test",
      method: "POST",
      url: `${f.fake.url}/2.0/repositories/acme/widgets/commit/${statusHash}/statuses/build`,
      headers: { authorization: "Bearer setup-token" },
      json: { key: "my-build1", state: "FAILED", name: "Buildkite #42", url: "https://buildkite.com/acme/widgets/builds/42" },
    });
    const status = forgeEvent("avi-bitbucket-created-build-status.docs-example.json", f.workspaceUuid, f.h.repo.uuid);
    assert.equal((await f.event(status)).status, 204);
    await waitFor(() => seen.some((s) => s.key === "repo:commit_status_created") || false, "status event");
    const st = seen.find((s) => s.key === "repo:commit_status_created")!;
    const cs = st.payload.commit_status as { key: string; state: string; name: string; commit: { hash: string } };
    assert.equal(cs.key, "my-build1");
    assert.equal(cs.state, "FAILED");
    assert.equal(cs.name, "Buildkite #42", "name from the stored status");
    assert.equal(cs.commit.hash, statusHash);
  });

  it("answers bad input with a 4xx and a short reason, storing nothing", async () => {
    const unsupported = await f.event({ ...push(), eventType: "avi:bitbucket:created:commit-comment" });
    assert.equal(unsupported.status, 400);
    assert.match(unsupported.json<{ error: string }>().error, /unsupported event/);
    const invalid = await f.event({ ...push(), push: { ref: 5 } });
    assert.equal(invalid.status, 400);
    assert.match(invalid.json<{ error: string }>().error, /push\.ref/);
    const noRepo = await f.event({ ...push(), repository: undefined });
    assert.equal(noRepo.status, 400);
    const otherWs = await f.event({ ...push(), workspace: { uuid: "{4c16a397-8e48-479c-8ca2-442e46c90570}" } });
    assert.equal(otherWs.status, 401, "this installation's token, another workspace's event: misdirected");
    assert.equal((await f.event("not an object", { bare: true })).status, 400);
    assert.equal(await Delivery.count(), 0);
    assert.equal(await Job.count(), 0);
  });

  it("keeps the system token encrypted; a job waiting for a token completes once Forge sends one", async () => {
    const res = await f.event(push(), { systemToken: null });
    assert.equal(res.status, 204);
    await waitFor(async () => (await Job.findOne({ where: { handler: "forge.translate" } }))?.lastError ?? false, "translate fails without token");
    const job = await Job.findOne({ where: { handler: "forge.translate" } });
    assert.match(job!.lastError!, /no Forge system token/);
    assert.notEqual(job!.status, "dead");
    // The hourly scheduled trigger hands over a token.
    assert.equal((await f.call("POST", "/forge/scheduled", { payload: {} })).status, 204);
    await waitFor(async () => (await Job.findOne({ where: { handler: "core.echo", status: "done" } })) ?? false, "echo done");
    const row = await Installation.findOne({ where: { host: "forge" } });
    assert.ok(row?.secretsEnc && !row.secretsEnc.includes(f.systemToken), "stored encrypted");
    const secret = JSON.parse((await f.h.services.installations.secret(row.id, "forgeSystemToken"))!) as { token: string; expiresAt: number };
    assert.equal(secret.token, f.systemToken);
    assert.ok(secret.expiresAt > Date.now() + 60 * 60_000, "opaque token: ≥ 2 h validity assumed");
  });
});
