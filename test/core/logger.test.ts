import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { createLogger } from "../../src/config/logger";

function capture() {
  const lines: string[] = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { log: createLogger("info", dest), lines };
}

describe("Logger", () => {
  it("redacts secrets wherever they appear", () => {
    const { log, lines } = capture();
    log.info({ sharedSecret: "s1", token: "t1", req: { headers: { authorization: "JWT abc" } }, settings: { secret: "s2", apiKey: "k" } }, "hello");
    const text = lines.join("");
    for (const leaked of ["s1", "t1", "JWT abc", "s2", '"k"']) assert.ok(!text.includes(leaked), `${leaked} leaked: ${text}`);
    assert.match(text, /\[redacted\]/);
  });

  it("logs a database error without its SQL and bound parameters", () => {
    const { log, lines } = capture();
    const err = Object.assign(new Error("SQLITE_MISUSE: Database handle is closed"), {
      sql: "INSERT INTO deliveries … VALUES (…)",
      parameters: ['{"payload":"customer data"}'],
      original: { code: "SQLITE_MISUSE" },
    });
    log.error({ err }, "storing failed");
    const entry = JSON.parse(lines[0]!) as { err: Record<string, unknown> };
    assert.equal(entry.err.message, "SQLITE_MISUSE: Database handle is closed");
    assert.equal(entry.err.code, "SQLITE_MISUSE");
    assert.ok(!lines[0]!.includes("customer data") && !lines[0]!.includes("INSERT INTO"));
  });
});
