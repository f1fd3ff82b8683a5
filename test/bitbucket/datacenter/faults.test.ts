import assert from "node:assert/strict";
import type { DcBitbucketApi } from "../../../src/bitbucket/datacenter/api";
import { dataCenterErrorMessage } from "../../../src/bitbucket/datacenter/client";
import type { InstallationView } from "../../../src/core/installations";
import { HttpError, NetworkError } from "../../../src/http/errors";
import type { DataCenterSetup } from "../../helpers/datacenter";
import type { Harness } from "../../helpers/harness";
import { setDcTree } from "../../fakes/datacenter/routes/archive";
import { dcApi, dcApiSuite, refOf } from "./dc-test-kit";

/** Faults of the fake DC through `DcBitbucketApi`: the one HTTP client's retry policy, DC's error shape, timeouts. */
describe("BitbucketApi: Data Center faults", function () {
  this.timeout(60_000);

  describe("429, 503 and DC's error messages", () => {
    let dc: DataCenterSetup;
    let h: Harness;
    let installation: InstallationView;
    let api: DcBitbucketApi;
    dcApiSuite((s) => ({ dc, h, installation, api } = s));

    it("429 with a short Retry-After is retried inline, then succeeds", async () => {
      dc.fake.fault({ path: /\/pull-requests$/, status: 429, retryAfter: 0 });
      const open = await api.openPullRequests(refOf(installation, dc.repo));
      assert.deepEqual(open.pullRequests, []);
      assert.deepEqual(dc.fake.calls.map((c) => c.status), [429, 200]);
    });

    it("429 with a long Retry-After goes to the job scheduler with the wait it asked for", async () => {
      dc.fake.fault({ path: /\/pull-requests$/, status: 429, retryAfter: 120 });
      await assert.rejects(api.openPullRequests(refOf(installation, dc.repo)), (err: unknown) => {
        assert.ok(err instanceof HttpError);
        assert.deepEqual([err.status, err.retryable, err.retryAfterMs], [429, true, 120_000]);
        assert.equal(err.message, "bitbucket answered 429: injected fault 429");
        return true;
      });
      assert.equal(dc.fake.calls.length, 1);
    });

    it("503 on every attempt: a retryable HttpError after the inline retries, with DC's message", async () => {
      dc.fake.fault({ path: /\/default-branch$/, status: 503, times: 3 });
      await assert.rejects(api.repository(refOf(installation, dc.repo)), (err: unknown) => err instanceof HttpError && err.status === 503 && err.retryable && err.message === "bitbucket answered 503: injected fault 503");
      assert.deepEqual(dc.fake.calls.map((c) => c.status), [200, 503, 503, 503]);
    });

    it("a streamed archive is not retried inline (its consumer would restart): 503 surfaces at once", async () => {
      setDcTree(dc.fake, dc.repo, "a".repeat(40), { "x.txt": "x" });
      dc.fake.fault({ path: /\/archive$/, status: 503 });
      await assert.rejects(api.archive(refOf(installation, dc.repo), "a".repeat(40)), (err: unknown) => err instanceof HttpError && err.status === 503 && err.retryable);
      assert.equal(dc.fake.calls.length, 1);
    });

    it("DC's error shape becomes a message, also from a body cut to an excerpt", () => {
      const body = JSON.stringify({ errors: [{ context: "key", message: "must not be blank", exceptionName: "x" }, { context: null, message: 'a "quoted" word', exceptionName: "y" }] });
      assert.equal(dataCenterErrorMessage(new HttpError("bitbucket", 400, body)), 'key: must not be blank; a "quoted" word');
      assert.equal(dataCenterErrorMessage(new HttpError("bitbucket", 400, `${body.slice(0, 60)}…`)), "must not be blank");
      assert.equal(dataCenterErrorMessage(new HttpError("bitbucket", 502, "<html>Bad gateway</html>")), null);
    });
  });

  describe("a timeout", () => {
    let dc: DataCenterSetup;
    let h: Harness;
    let installation: InstallationView;
    dcApiSuite((s) => ({ dc, h, installation } = s), { env: { HTTP_TIMEOUT_MS: "1000", HTTP_INLINE_RETRIES: "0" } });

    it("a DC that does not answer in time is a retryable NetworkError", async () => {
      dc.fake.fault({ path: /\/repos\/widgets$/, status: 503, delayMs: 4000 });
      await assert.rejects(dcApi(h, installation).repository(refOf(installation, dc.repo)), (err: unknown) => err instanceof NetworkError && err.retryable);
    });
  });
});
