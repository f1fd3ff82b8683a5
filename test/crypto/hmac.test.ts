import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { BUILDKITE_SIGNATURE, HUB_SIGNATURE, checkHmac, hmacHex, verifyHmac } from "../../src/crypto/hmac";

/** What Bitbucket Data Center sends in `X-Hub-Signature` (and GitHub in `X-Hub-Signature-256`). */
const hub = (secret: string, body: Buffer | string) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

describe("verifyHmac (one check for every signed webhook)", () => {
  const body = Buffer.from('{"eventKey":"repo:refs_changed","date":"2017-09-19T09:45:32+1000"}');
  const oldSecret = "old-secret-0123456789";
  const newSecret = "new-secret-9876543210";

  it("accepts a `sha256=<hex>` signature of the raw body, upper- or lower-case hex", () => {
    assert.equal(verifyHmac(body, hub(newSecret, body), [newSecret]), true);
    assert.equal(verifyHmac(body, hub(newSecret, body).toUpperCase().replace("SHA256=", "sha256="), [newSecret]), true);
  });

  it("accepts the old and the new secret during a rotation, and says which one signed", () => {
    const secrets = [newSecret, oldSecret];
    assert.equal(verifyHmac(body, hub(oldSecret, body), secrets), true);
    assert.equal(verifyHmac(body, hub(newSecret, body), secrets), true);
    assert.deepEqual(checkHmac(body, hub(oldSecret, body), secrets), { ok: true, secretIndex: 1, timestamp: null });
    assert.deepEqual(checkHmac(body, hub(newSecret, body), secrets), { ok: true, secretIndex: 0, timestamp: null });
    assert.equal(verifyHmac(body, hub(oldSecret, body), [newSecret]), false, "once the old secret is dropped it no longer verifies");
  });

  it("refuses a wrong secret, a tampered body, and a signature of other bytes than those received", () => {
    assert.equal(verifyHmac(body, hub("another-secret", body), [newSecret, oldSecret]), false);
    const tampered = Buffer.from(body.toString().replace("refs_changed", "modified"));
    assert.equal(verifyHmac(tampered, hub(newSecret, body), [newSecret]), false);
    // The same JSON re-serialised (spaces) is other bytes: only the raw body counts.
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1));
    assert.equal(verifyHmac(reserialised, hub(newSecret, body), [newSecret]), false);
  });

  it("is false for a missing, empty or malformed header, and says why", () => {
    for (const header of [undefined, null, ""]) {
      assert.equal(verifyHmac(body, header, [newSecret]), false);
      assert.deepEqual(checkHmac(body, header, [newSecret]), { ok: false, reason: "missing signature" });
    }
    const good = hub(newSecret, body);
    const malformed = [
      good.slice("sha256=".length), // no algorithm prefix
      `sha1=${createHmac("sha1", newSecret).update(body).digest("hex")}`, // another algorithm
      `sha256=${"z".repeat(64)}`, // not hex
      "sha256=",
      `sha256 = ${good.slice(7)}`,
      `${good},${good}`,
    ];
    for (const header of malformed) {
      assert.equal(verifyHmac(body, header, [newSecret]), false, header);
      assert.deepEqual(checkHmac(body, header, [newSecret]), { ok: false, reason: "malformed signature" }, header);
    }
  });

  it("is safe (false, no exception) for digests of the wrong length", () => {
    const good = hub(newSecret, body);
    for (const header of [good.slice(0, -2), `${good}00`, `sha256=${"a".repeat(62)}`, `sha256=${"a".repeat(128)}`, "sha256=ab"]) {
      assert.doesNotThrow(() => verifyHmac(body, header, [newSecret]));
      assert.equal(verifyHmac(body, header, [newSecret]), false, header);
    }
  });

  it("refuses everything when no usable secret is configured", () => {
    assert.equal(verifyHmac(body, hub("", body), []), false);
    assert.equal(verifyHmac(body, hub("", body), [""]), false, "an empty secret never verifies (HMAC with an empty key is computable by anyone)");
    assert.deepEqual(checkHmac(body, hub(newSecret, body), []), { ok: false, reason: "no secret configured" });
  });

  it("reads Buildkite's `timestamp=…,signature=…` form: HMAC of `<timestamp>.<raw body>`, timestamp returned", () => {
    const ts = "1700000000";
    const header = `timestamp=${ts},signature=${hmacHex(newSecret, body, `${ts}.`)}`;
    assert.deepEqual(checkHmac(body, header, [oldSecret, newSecret], BUILDKITE_SIGNATURE), { ok: true, secretIndex: 1, timestamp: 1700000000 });
    assert.equal(verifyHmac(body, header, [newSecret], HUB_SIGNATURE), false, "the other scheme's header is malformed for the hub scheme");
    const otherTime = `timestamp=1700000001,signature=${hmacHex(newSecret, body, `${ts}.`)}`;
    assert.equal(verifyHmac(body, otherTime, [newSecret], BUILDKITE_SIGNATURE), false, "the timestamp is signed too");
    assert.equal(verifyHmac(body, "signature=abc", [newSecret], BUILDKITE_SIGNATURE), false);
  });
});
