import assert from "node:assert/strict";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { FakeEventBridge } from "../../fakes/aws/eventbridge";
import { PutEventsBatcher, type Destination } from "../../../src/integrations/eventbridge-out/batcher";
import { MAX_REQUEST_BYTES, entrySize, prepareEntry } from "../../../src/integrations/eventbridge-out/entries";
import { PermanentError } from "../../../src/http/errors";
import { bitbucketWebhook, forRepository } from "../../helpers/fixtures";
import { EventBridgeBed } from "./support";
import { Delivery } from "../../../src/models";

const entry = (detail: Record<string, unknown>) => prepareEntry({ detailType: "d", detail }, "bitbucket-relay", "bus");
const sizes = (eb: FakeEventBridge) => eb.callsOf("PutEvents").map((c) => (c.input.Entries as unknown[]).length);

describe("EventBridge out: entries ready together share PutEvents calls", () => {
  describe("the batcher, against the fake EventBridge through the real SDK client", () => {
    let eb: FakeEventBridge;
    const dest = (key = "k"): Destination => ({
      key,
      client: async () =>
        new EventBridgeClient({ region: "eu-west-1", endpoint: eb.url, credentials: { accessKeyId: "AKIATEST", secretAccessKey: "s" }, maxAttempts: 1 }),
    });
    before(async () => {
      eb = await FakeEventBridge.start();
    });
    after(() => eb.close());
    beforeEach(() => eb.reset());

    it("puts 25 entries submitted together in calls of 10, 10 and 5, each caller getting its own EventId", async () => {
      const b = new PutEventsBatcher();
      const out = await Promise.all(Array.from({ length: 25 }, (_, n) => b.submit(dest(), entry({ n }))));
      assert.deepEqual(sizes(eb), [10, 10, 5]);
      assert.deepEqual(eb.events.map((e) => e.detail.n), Array.from({ length: 25 }, (_, n) => n), "in order");
      assert.deepEqual(out.map((o) => (o.ok ? o.eventId : o.code)), eb.events.map((e) => e.eventId));
      assert.deepEqual(out.map((o) => o.call.entries), [...Array(20).fill(10), ...Array(5).fill(5)]);
    });

    it("keeps each call within the 256 KB request limit, counting entry sizes as AWS does", async () => {
      const b = new PutEventsBatcher();
      const big = (n: number) => entry({ n, s: "€".repeat(30_000) }); // ~90 KB each
      await Promise.all([1, 2, 3, 4, 5].map((n) => b.submit(dest(), big(n))));
      assert.deepEqual(sizes(eb), [2, 2, 1]);
      for (const call of eb.callsOf("PutEvents")) {
        const total = (call.input.Entries as Array<Parameters<typeof entrySize>[0] & { Time?: number }>).reduce((s, e) => s + entrySize({ ...e, Resources: e.Resources ?? [] }), 0);
        assert.ok(total <= MAX_REQUEST_BYTES, `${total} bytes in one call`);
      }
    });

    it("waits a short linger for entries that come a moment later; a lone entry goes out on its own", async () => {
      // A linger far longer than any stall of a loaded machine, ended by the batch filling up (2):
      // the first entry waited for the later one, whatever the scheduling.
      const b = new PutEventsBatcher({ lingerMs: 600_000, maxLingerMs: 600_000, maxEntries: 2 });
      const first = b.submit(dest(), entry({ n: 1 }));
      await new Promise((r) => setImmediate(r));
      const second = b.submit(dest(), entry({ n: 2 }));
      await Promise.all([first, second]);
      assert.deepEqual(sizes(eb), [2]);
      const lone = await new PutEventsBatcher().submit(dest(), entry({ n: 3 }));
      assert.equal(lone.ok, true);
      assert.deepEqual(sizes(eb), [2, 1]);
    });

    it("destinations (credentials and region) never share a call", async () => {
      const b = new PutEventsBatcher();
      await Promise.all([b.submit(dest("a"), entry({ n: 1 })), b.submit(dest("b"), entry({ n: 2 })), b.submit(dest("a"), entry({ n: 3 }))]);
      assert.deepEqual(sizes(eb).sort(), [1, 2]);
    });

    it("an entry failing on its own fails only its caller; a whole-call error fails every entry of the call", async () => {
      const b = new PutEventsBatcher();
      eb.failEntries({ errorCode: "InternalFailure", errorMessage: "try again", match: (e) => e.detail === '{"n":2}' });
      const out = await Promise.all([1, 2, 3].map((n) => b.submit(dest(), entry({ n }))));
      assert.deepEqual(out.map((o) => (o.ok ? "ok" : `${o.code}/${o.permanent}`)), ["ok", "InternalFailure/false", "ok"]);
      assert.deepEqual(sizes(eb), [3], "one call");

      const denied: Destination = { key: "x", client: async () => Promise.reject(new PermanentError("No IAM role configured")) };
      const refused = await Promise.all([4, 5].map((n) => b.submit(denied, entry({ n }))));
      assert.ok(refused.every((o) => !o.ok && o.permanent && /No IAM role/.test(o.message) && o.call.error));
    });
  });

  describe("forwarded Bitbucket events, one job each", () => {
    let bed: EventBridgeBed;
    before(async () => {
      bed = await EventBridgeBed.start();
      await bed.configure({});
    });
    after(() => bed.close());
    beforeEach(() => {
      bed.eb.reset();
      bed.since = Date.now();
    });

    /** Posts `n` distinct push webhooks while the worker is stopped, then starts it: the jobs are ready together. */
    async function burst(n: number): Promise<string[]> {
      const worker = bed.h.relay.worker!;
      await worker.stop();
      const hashes: string[] = [];
      for (let i = 0; i < n; i += 10) {
        await Promise.all(
          Array.from({ length: Math.min(10, n - i) }, async (_, j) => {
            const hash = (i + j).toString(16).padStart(40, "0");
            hashes.push(hash);
            const body = forRepository(bitbucketWebhook<{ repository?: unknown; push: { changes: Array<{ new: { target: { hash: string } } }> } }>("repo-push.real-2023.json"), {
              uuid: bed.h.repo.uuid,
              fullName: bed.h.repo.fullName,
            });
            body.push.changes[0]!.new.target.hash = hash;
            const res = await bed.h.webhook("repo:push", body);
            assert.equal(res.status, 204);
          }),
        );
      }
      worker.start();
      return hashes;
    }
    const hashOf = (e: { detail: Record<string, unknown> }) => (e.detail.push as { changes: Array<{ new: { target: { hash: string } } }> }).changes[0]!.new.target.hash;

    it("100 events ready together go out in fewer calls than events, each call ≤ 10 entries, each job done once its entry was accepted", async function () {
      this.timeout(300_000); // a generous bound on a loaded machine (issue 14)
      const hashes = await burst(100);
      const jobs = await bed.settled("eventbridge-out.forward", 100);
      assert.deepEqual(jobs.map((j) => j.status), Array(100).fill("done"));
      assert.deepEqual(bed.eb.events.map(hashOf).sort(), [...hashes].sort(), "every event exactly once");
      const calls = sizes(bed.eb);
      assert.ok(calls.every((n) => n >= 1 && n <= 10), `calls: ${calls}`);
      // The worker claims ready forward jobs together (claimTogether: 10) and the batcher puts their
      // entries in one call: about 10 calls (a call splits when a job comes later than the linger).
      assert.ok(calls.length <= 50 && Math.max(...calls) >= 5, `entries ready together share calls (${calls.length} calls: ${calls})`);
      const ids = new Set(jobs.map((j) => (JSON.parse(j.result!) as { eventIds: string[] }).eventIds[0]));
      assert.equal(ids.size, 100, "each job carries its own entry's EventId");
    });

    it("a failed entry's job alone retries (only that entry is sent again); one that keeps failing ends dead after its attempts", async function () {
      this.timeout(300_000); // a generous bound on a loaded machine (issue 14)
      const retried = (0).toString(16).padStart(40, "0");
      const doomed = (1).toString(16).padStart(40, "0");
      bed.eb.failEntries({ errorCode: "InternalFailure", errorMessage: "try again", times: 1, match: (e) => e.detail.includes(retried) });
      bed.eb.failEntries({ errorCode: "ThrottlingException", errorMessage: "slow down", times: 1000, match: (e) => e.detail.includes(doomed) });
      const hashes = await burst(8);
      const jobs = await bed.settled("eventbridge-out.forward", 8);
      const byHash = new Map(
        await Promise.all(jobs.map(async (j) => [hashOf({ detail: JSON.parse((await Delivery.findByPk(j.deliveryId!))!.payload) as Record<string, unknown> }), j] as const)),
      );
      const dead = byHash.get(doomed)!;
      assert.equal(dead.status, "dead");
      assert.equal(dead.attempts, bed.h.services.config.worker.maxAttempts, "retried with the retry policy until its last attempt");
      assert.match(dead.lastError!, /ThrottlingException: slow down/);
      assert.equal(byHash.get(retried)!.status, "done");
      assert.equal(byHash.get(retried)!.attempts, 2);
      for (const h of hashes.filter((x) => x !== doomed && x !== retried)) assert.equal(byHash.get(h)!.status, "done");
      assert.deepEqual(bed.eb.events.map(hashOf).sort(), hashes.filter((h) => h !== doomed).sort(), "accepted entries were never sent again");
    });
  });
});
