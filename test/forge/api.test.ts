import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { buildkite } from "../../src/integrations/buildkite";
import { API_KEY_HEADER, ensureApiKey } from "../../src/integrations/buildkite/credentials";
import { reviewRadar } from "../../src/integrations/review-radar";
import type { PanelView } from "../../src/integrations/review-radar/model";
import { Job, SettingsChange } from "../../src/models";
import { waitFor } from "../helpers/fixtures";
import { ebEvent } from "../integrations/buildkite/support";
import { addPr, PEOPLE, sha } from "../integrations/review-radar/helpers";
import { ForgeHost, forgeEvent } from "./forge-host";

const ADMIN = "557058:aaaaaaaa-0000-4000-8000-000000000001";
const WRITER = "557058:bbbbbbbb-0000-4000-8000-000000000002";

/** The host-agnostic API (review radar, settings) and a Buildkite status, all through the Forge door. */
describe("Forge front door: the app's API and integrations behind FIT auth", () => {
  let f: ForgeHost;
  beforeEach(async () => {
    f = await ForgeHost.start({ integrations: [{ ...reviewRadar, background: undefined }, buildkite] });
    f.fake.setRepoPermission("acme", "widgets", ADMIN, "admin");
    f.fake.setRepoPermission("acme", "widgets", WRITER, "write");
  });
  afterEach(() => f.close());

  const repoQ = () => `repoUuid=${encodeURIComponent(f.h.repo.uuid)}&repoPath=${encodeURIComponent("acme/widgets")}`;
  const settingsPath = () => `/repositories/${encodeURIComponent(f.h.repo.uuid)}/settings`;

  it("serves the review radar panel to a Forge card, reading Bitbucket with the system token", async () => {
    addPr(f.h, { id: 7, title: "Teach the widget to fly", participants: [{ user: PEOPLE.viewer, role: "REVIEWER", approved: false }] });
    const res = await f.ui("GET", `/review-radar/panel?${repoQ()}`, undefined, { principal: PEOPLE.viewer.account_id });
    assert.equal(res.status, 200, res.text);
    const view = res.json<PanelView>();
    assert.equal(view.viewer.accountId, PEOPLE.viewer.account_id);
    const rows = view.sections.flatMap((s) => s.rows.map((r) => ({ section: s.id, title: r.title })));
    assert.deepEqual(rows, [{ section: "needsYourReview", title: "Teach the widget to fly" }]);
    const listCalls = f.fake.callsTo("GET", /\/pullrequests$/);
    assert.ok(listCalls.length >= 1);
    assert.ok(listCalls.every((c) => c.auth.kind === "bearer" && c.auth.clientKey === "forge-app"));
  });

  it("serves the settings API: an admin reads and writes (recorded as the FIT's user), a writer may not write", async () => {
    const read = await f.ui("GET", settingsPath(), undefined, { module: "settings", principal: ADMIN });
    assert.equal(read.status, 200, read.text);
    const body = read.json<{ canEdit: boolean; permission: string; integrations: Array<{ id: string }> }>();
    assert.equal(body.canEdit, true);
    assert.ok(body.integrations.some((i) => i.id === "buildkite"));
    const write = await f.ui("PUT", `${settingsPath()}/buildkite`, { values: { enabled: true } }, { module: "settings", principal: ADMIN });
    assert.equal(write.status, 200, write.text);
    const change = await SettingsChange.findOne({ where: { integration: "buildkite" } });
    assert.equal(change?.actor, ADMIN);
    assert.equal(change?.installationId, (await f.installation()).id);
    const denied = await f.ui("PUT", `${settingsPath()}/buildkite`, { values: { enabled: false } }, { module: "settings", principal: WRITER });
    assert.equal(denied.status, 403);
    const elsewhere = await f.ui("GET", `/repositories/${encodeURIComponent(`{${randomUUID()}}`)}/settings`, undefined, { module: "settings", principal: ADMIN });
    assert.equal(elsewhere.status, 401, "a module is bound to its repository");
  });

  it("a Buildkite build → status posted with the system token → Forge build-status event → shown on the review radar", async () => {
    const commit = sha("forge-e2e");
    addPr(f.h, { id: 9, title: "Build me", source: { branch: { name: "feature/9" }, commit: { hash: commit } }, participants: [{ user: PEOPLE.viewer, role: "REVIEWER", approved: false }] });
    // Switched on from the Forge settings page by an admin.
    assert.equal((await f.ui("PUT", `${settingsPath()}/buildkite`, { values: { enabled: true } }, { module: "settings", principal: ADMIN })).status, 200);
    const inst = await f.installation();
    const key = await ensureApiKey(f.h.services, inst.id);
    const ev = ebEvent("eventbridge-build-finished.json", { commit, state: "failed", number: 42 });
    const posted = await f.h.post(`/inbound/buildkite/eventbridge/${inst.id}`, ev, { [API_KEY_HEADER]: key, "user-agent": "Amazon/EventBridge/ApiDestinations" });
    assert.equal(posted.status, 202, posted.text);
    const [status] = await waitFor(() => (f.fake.statuses("acme", "widgets", commit).length ? f.fake.statuses("acme", "widgets", commit) : false), "status posted");
    assert.equal(status!.state, "FAILED");
    const post = f.fake.callsTo("POST", /\/statuses\/build$/)[0]!;
    assert.equal(post.auth.kind, "bearer");
    assert.equal(post.auth.clientKey, "forge-app");

    // Bitbucket tells the Forge app about the status it caused (selfGenerated).
    const announced = forgeEvent("avi-bitbucket-created-build-status.docs-example.json", f.workspaceUuid, f.h.repo.uuid, {
      selfGenerated: true,
      buildStatus: { key: status!.key, state: "FAILED", url: status!.url, commit: { hash: commit }, refName: "feature/9" },
    });
    assert.equal((await f.event(announced)).status, 204);
    await waitFor(async () => (await Job.findOne({ where: { handler: "review-radar.commit-status", status: "done" } })) ?? false, "radar saw the status");
    const view = (await f.ui("GET", `/review-radar/panel?${repoQ()}`, undefined, { principal: PEOPLE.viewer.account_id })).json<PanelView>();
    const row = view.sections.flatMap((s) => s.rows).find((r) => r.id === 9)!;
    assert.equal(row.build?.state, "FAILED", `radar row ${JSON.stringify(row)}`);
    assert.match(row.build?.name ?? "", /Buildkite/);
  });
});
