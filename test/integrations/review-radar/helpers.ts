import { createHash } from "node:crypto";
import type { Harness, Response } from "../../helpers/harness";
import type { PullRequestInput } from "../../fakes/bitbucket/types";
import type { PanelView } from "../../../src/integrations/review-radar/model";

export const DAY = 24 * 3_600_000;

export const PEOPLE = {
  viewer: { account_id: "712020:viewer-0001", uuid: "{0c8b7d0e-0000-4000-8000-000000000001}", display_name: "Vera Viewer" },
  alice: { account_id: "712020:alice-0002", uuid: "{0c8b7d0e-0000-4000-8000-000000000002}", display_name: "Alice Author" },
  bob: { account_id: "712020:bob-0003", uuid: "{0c8b7d0e-0000-4000-8000-000000000003}", display_name: "Bob Reviewer" },
  carol: { account_id: "712020:carol-0004", uuid: "{0c8b7d0e-0000-4000-8000-000000000004}", display_name: "Carol Reviewer" },
};

/** A 40-character commit hash derived from a label. */
export function sha(label: string | number): string {
  return createHash("sha1").update(String(label)).digest("hex");
}

export function ago(ms: number, now = Date.now()): string {
  return new Date(now - ms).toISOString();
}

/** A pull request in the test repository (acme/widgets), authored by Alice unless said otherwise. */
export function addPr(h: Harness, pr: Partial<PullRequestInput> & { id: number }): void {
  h.fake.addPullRequest(h.tenant.workspace.slug, h.repo.slug, {
    title: `Change ${pr.id}`,
    author: PEOPLE.alice,
    created_on: ago(DAY / 2),
    updated_on: ago(DAY / 4),
    source: { branch: { name: `feature/${pr.id}` }, commit: { hash: sha(pr.id) } },
    destination: { branch: { name: "main" } },
    participants: [],
    ...pr,
  });
}

/** The panel URL as the descriptor builds it, signed like Bitbucket signs an iframe load. */
export function panelUrl(h: Harness, o: { sub?: string; tenant?: Harness["tenant"]; repoUuid?: string; expiresIn?: number } = {}): string {
  const q = new URLSearchParams({ repoUuid: o.repoUuid ?? h.repo.uuid, repoPath: h.repo.fullName, userUuid: PEOPLE.viewer.uuid });
  const path = `/connect/panel/review-radar?${q.toString()}`;
  const tenant = o.tenant ?? h.tenant;
  const jwt = h.jwtFor("GET", path, { sub: o.sub ?? PEOPLE.viewer.account_id, clientKey: tenant.clientKey, sharedSecret: tenant.sharedSecret, expiresIn: o.expiresIn });
  return `${path}&jwt=${encodeURIComponent(jwt)}`;
}

/** The bootstrap JSON the page shell embeds. */
export function bootstrapOf(html: string): { token: string | null; repository: { uuid: string | null; fullName: string | null }; viewer: { accountId: string | null } } {
  const m = /<script type="application\/json" id="relay-bootstrap">([^<]*)<\/script>/.exec(html);
  if (!m) throw new Error("no bootstrap in page");
  return JSON.parse(m[1]!);
}

/** Loads the panel page like the iframe does and returns the session token the page would use. */
export async function session(h: Harness, o: Parameters<typeof panelUrl>[1] = {}): Promise<string> {
  const res = await h.get(panelUrl(h, o));
  if (res.status !== 200) throw new Error(`panel page answered ${res.status}: ${res.text}`);
  const token = bootstrapOf(res.text).token;
  if (!token) throw new Error("no session token in the page");
  return token;
}

export async function api(h: Harness, token: string, method: "GET" | "POST", path: string, body?: unknown): Promise<Response> {
  const headers = { authorization: `JWT ${token}` };
  return method === "GET" ? h.get(`/connect/api${path}`, headers) : h.post(`/connect/api${path}`, body, headers);
}

export async function panel(h: Harness, token: string, repoUuid = h.repo.uuid): Promise<PanelView> {
  const res = await api(h, token, "GET", `/review-radar/panel?repoUuid=${encodeURIComponent(repoUuid)}&repoPath=${encodeURIComponent(h.repo.fullName)}`);
  if (res.status !== 200) throw new Error(`panel API answered ${res.status}: ${res.text}`);
  return res.json<PanelView>();
}

export function prListCalls(h: Harness) {
  return h.fake.callsTo("GET", /\/pullrequests$/);
}

export function section(view: PanelView, id: PanelView["sections"][number]["id"]) {
  const s = view.sections.find((x) => x.id === id);
  if (!s) throw new Error(`no section ${id}`);
  return s;
}

/** 500 open PRs spread over every section, with two or three reviewers each. */
export function seed500(h: Harness): void {
  const people = [PEOPLE.viewer, PEOPLE.bob, PEOPLE.carol];
  for (let i = 1; i <= 500; i++) {
    addPr(h, {
      id: i,
      title: `${["Fix", "Add", "Remove", "Refactor", "Speed up"][i % 5]} ${["billing export", "login redirect", "the upload queue", "webhook retries", "search ranking", "the settings page", "CSV import"][i % 7]} (${i})`,
      author: i % 29 === 0 ? PEOPLE.viewer : PEOPLE.alice,
      created_on: ago((i % 200) * 0.05 * DAY),
      draft: i % 25 === 0,
      participants: [
        { user: people[i % 3]!, role: "REVIEWER", approved: i % 4 === 0, state: i % 4 === 0 ? "approved" : i % 17 === 0 ? "changes_requested" : null },
        { user: people[(i + 1) % 3]!, role: "REVIEWER", approved: i % 6 === 0, state: i % 6 === 0 ? "approved" : null },
      ],
    });
  }
}
