import assert from "node:assert/strict";
import { Harness } from "../../helpers/harness";
import { reviewRadar } from "../../../src/integrations/review-radar";
import { PANEL_ROWS_PER_SECTION } from "../../../src/integrations/review-radar/classify";
import { ConnectTransport } from "../../../ui/lib/transport";
import { expandSection, loadPanel, loadStatuses } from "../../../ui/review-radar/api";
import { api, prListCalls, section, seed500, session } from "./helpers";

const integrations = [{ ...reviewRadar, background: undefined }];
const statusCalls = (h: Harness) => h.fake.callsTo("GET", /\/statuses\/build$|\/statuses$/);

describe("review radar: Bitbucket calls of a cold panel (issue 17, goal 4)", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ integrations });
  });
  afterEach(async () => {
    await h.close();
  });

  it("opens with 500 open PRs in ≤ 10 list pages + one status call per shown row, the rest on 'Show all'", async () => {
    seed500(h);
    const token = await session(h);
    // The page's own client code, talking to the app over HTTP as in the browser.
    const t = new ConnectTransport(token, "/connect/api", (input, init) => fetch(`${h.url}${String(input)}`, init));
    h.fake.resetCalls();

    const view = await loadPanel(t, h.repo.uuid, h.repo.fullName);
    await loadStatuses(t, h.repo.uuid, view.missingStatuses);
    const shown = view.sections.reduce((n, s) => n + s.rows.length, 0);
    assert.equal(view.openPullRequests, 500);
    assert.ok(view.sections.every((s) => s.rows.length === Math.min(s.total, PANEL_ROWS_PER_SECTION)), "five rows per section");
    assert.ok(view.sections.filter((s) => s.total > PANEL_ROWS_PER_SECTION).length >= 4, "most sections have more than they show");
    assert.equal(prListCalls(h).length, 10, "⌈500/50⌉ list pages");
    assert.equal(statusCalls(h).length, shown, "a status lookup per shown row, none for the hidden ones");
    assert.equal(h.fake.calls.length, 10 + shown, `cold load: ${h.fake.calls.length} Bitbucket calls for ${shown} shown rows`);
    assert.ok(shown <= 25);

    // "Show all" on Needs review: its hidden rows' statuses now, from the cached list (no list call).
    h.fake.resetCalls();
    const needs = section(view, "needsReview");
    const { section: all, missing } = await expandSection(t, h.repo.uuid, h.repo.fullName, "needsReview");
    assert.equal(all.rows.length, needs.total);
    await loadStatuses(t, h.repo.uuid, missing);
    assert.equal(prListCalls(h).length, 0);
    assert.equal(statusCalls(h).length, needs.total - needs.rows.length, "only the rows that were hidden");

    // Warm: nothing at all.
    h.fake.resetCalls();
    const warm = await loadPanel(t, h.repo.uuid, h.repo.fullName);
    assert.deepEqual(warm.missingStatuses, []);
    assert.equal(h.fake.calls.length, 0);
  });

  it("answers an unknown section to expand with 400", async () => {
    const token = await session(h);
    const res = await api(h, token, "GET", `/review-radar/panel?repoUuid=${encodeURIComponent(h.repo.uuid)}&expand=everything`);
    assert.equal(res.status, 400);
    assert.match(res.json<{ error: string }>().error, /expand must be one of/);
  });
});
