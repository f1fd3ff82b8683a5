import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { Harness } from "../helpers/harness";
import { repoPath } from "../../src/bitbucket/client";
import { HttpError } from "../../src/http/errors";

describe("Bitbucket client against the fake (real auth, real pagination)", () => {
  let h: Harness;
  before(async () => {
    h = await Harness.start({ integrations: [] });
  });
  after(() => h.close());
  beforeEach(() => h.fake.resetCalls());

  const client = () => h.services.bitbucketFor(h.tenant.installation);

  it("signs API calls with a per-request Connect JWT the fake accepts", async () => {
    const repo = await client().get<{ uuid: string; full_name: string }>(repoPath("acme", "widgets"));
    assert.equal(repo.full_name, "acme/widgets");
    assert.equal(h.fake.calls[0]!.auth.kind, "jwt");
  });

  it("follows `next` through every page", async () => {
    for (let id = 1; id <= 120; id++) {
      h.fake.addPullRequest("acme", "widgets", { id, title: `PR ${id}`, state: "OPEN" } as Parameters<typeof h.fake.addPullRequest>[2]);
    }
    const prs = await client().all<{ id: number }>(`${repoPath("acme", "widgets")}/pullrequests`, { pagelen: 50 });
    assert.equal(prs.length, 120);
    assert.equal(h.fake.callsTo("GET", /pullrequests$/).length, 3);
  });

  it("exchanges the JWT for a bearer token once and uses it for downloads", async () => {
    h.fake.setArchive("acme", "widgets", "a".repeat(40), Buffer.from("tarball-bytes"));
    for (let i = 0; i < 3; i++) {
      const { body } = await client().download(`/acme/widgets/get/${"a".repeat(40)}.tar.gz`);
      const chunks: Buffer[] = [];
      for await (const c of body as Readable) chunks.push(c as Buffer);
      assert.equal(Buffer.concat(chunks).toString(), "tarball-bytes");
    }
    assert.equal(h.fake.callsTo("POST", /\/site\/oauth2\/access_token$/).length, 1);
    assert.ok(h.fake.callsTo("GET", /\/get\//).every((c) => c.auth.kind === "bearer"));
  });

  it("raises a typed error with the status and Retry-After", async () => {
    h.fake.inject({ method: "GET", path: /\/2\.0\/repositories\/acme\/widgets$/, status: 429, times: 3, retryAfter: 30 });
    await assert.rejects(client().get(repoPath("acme", "widgets")), (err: unknown) => err instanceof HttpError && err.status === 429 && err.retryAfterMs === 30_000);
    assert.equal(h.fake.callsTo("GET", /widgets$/).length, 1, "a long Retry-After is left to the job scheduler, not waited inline");
  });
});
