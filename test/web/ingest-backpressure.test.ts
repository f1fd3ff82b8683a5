import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Harness } from "../helpers/harness";
import { waitFor } from "../helpers/fixtures";
import { Delivery } from "../../src/models";
import { refuse } from "../../src/web/accept-delivery";
import { serveReceiver } from "./receiver-app";
import { IngestBusyError, ingestPendingBytes } from "../../src/pipeline/ingest";
import { isRetryable, retryAfterOf } from "../../src/http/errors";

const EVENT_KEY = "test:backpressure";
const LIMIT = 1024 * 1024;

/**
 * A stalled database must not grow the process without bound: once INGEST_MAX_PENDING_BYTES of
 * received events wait for their commit, further ones are refused with 503 + Retry-After (nothing
 * stored), and taken again once the database moves. The stall is a transaction held open that
 * blocks every delivery insert (SQLite: the one writer; PostgreSQL: a lock on the deliveries table).
 */
describe("ingest under a stalled database: bounded, 503 with Retry-After beyond INGEST_MAX_PENDING_BYTES", () => {
  let h: Harness;
  let receiver: { url: string; close(): Promise<void> };
  let url: string;

  before(async () => {
    // No worker: its claims are writes outside the held transaction (they would wait out SQLite's busy timeout).
    h = await Harness.start({ env: { INGEST_MAX_PENDING_BYTES: String(LIMIT), WORKER_ENABLED: "false" } });
    receiver = await serveReceiver(h, {
      source: "bitbucket",
      async verify(req) {
        const installation = await h.services.installations.get(String(req.params.installationId));
        return installation ? { installation } : refuse(401, "unknown webhook");
      },
      parse: (req) => ({ eventKey: EVENT_KEY, payload: req.body, idempotencyKey: String(req.get("x-request-id")), repository: null }),
    });
    url = receiver.url;
  });
  after(async () => {
    await receiver.close();
    await h.close();
  });

  const deliver = (id: string, bytes: number) =>
    fetch(url, { method: "POST", body: JSON.stringify({ id, padding: "x".repeat(bytes) }), headers: { "content-type": "application/json", "x-request-id": id } });
  const stored = () => Delivery.count({ where: { eventKey: EVENT_KEY } });

  /** Holds a transaction that blocks delivery inserts until `release()`; resolves once it holds. */
  async function stallDatabase(): Promise<{ release(): Promise<void> }> {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const tx = h.services.db.transaction(async (transaction) => {
      if (h.services.db.dialect === "postgres") await h.services.db.sequelize.query("LOCK TABLE deliveries IN SHARE ROW EXCLUSIVE MODE", { transaction });
      holding();
      await gate;
    });
    await held;
    return {
      async release() {
        open();
        await tx;
      },
    };
  }

  it("refuses what goes beyond the bound with 503 and Retry-After, stores nothing of it, and takes it once the database moves", async () => {
    const before = await stored();
    const stall = await stallDatabase();
    let first: Promise<Response> | undefined;
    try {
      first = deliver(randomUUID(), 700 * 1024);
      await waitFor(() => ingestPendingBytes(h.services) > 0, "the first event waiting for its commit");
      const refused = await deliver(randomUUID(), 700 * 1024);
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get("retry-after"), "5");
      assert.deepEqual(await refused.json(), { error: "too many events are waiting to be stored, retry later" });
      const metrics = (await h.get("/metrics")).text;
      assert.match(metrics, /relay_deliveries_shed_total\{source="bitbucket"\} 1\b/);
      assert.match(metrics, /relay_ingest_pending_bytes \d{6,}/);
    } finally {
      await stall.release();
    }
    assert.equal((await first!).status, 204, "the event taken before the bound is stored and acknowledged");
    assert.equal(ingestPendingBytes(h.services), 0);
    const again = randomUUID();
    assert.equal((await deliver(again, 700 * 1024)).status, 204, "taken again once the database moved");
    assert.equal(await stored(), before + 2);
  });

  it("one event is always taken, however large (the bound only stops events piling up behind others)", async () => {
    const before = await stored();
    const stall = await stallDatabase();
    let res: Promise<Response>;
    try {
      res = deliver(randomUUID(), 1000 * 1024);
      await waitFor(() => ingestPendingBytes(h.services) > LIMIT * 0.9, "the large event waiting");
    } finally {
      await stall.release();
    }
    assert.equal((await res).status, 204);
    assert.equal(await stored(), before + 1);
  });

  it("a job feeding ingest (a door's translate) meets the bound as a retryable error with the same wait", () => {
    const err = new IngestBusyError();
    assert.equal(isRetryable(err), true);
    assert.equal(retryAfterOf(err), 5000);
  });
});
