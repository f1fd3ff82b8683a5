import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { waitFor } from "../helpers/fixtures";
import { waitDeadline } from "../helpers/test-deadline";

const TEST_ROOT = path.resolve(__dirname, "..");

function testSources(dir = TEST_ROOT): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "fixtures" || e.name === "fakes" ? [] : testSources(full);
    return e.name.endsWith(".ts") ? [full] : [];
  });
}

/** The top-level arguments of each call `name(` in `text` (balanced brackets; strings are not parsed). */
function callsOf(text: string, name: RegExp): string[][] {
  const out: string[][] = [];
  for (const m of text.matchAll(name)) {
    const args: string[] = [];
    let depth = 0;
    let from = m.index! + m[0].length;
    for (let i = from - 1; i < text.length; i++) {
      const c = text[i]!;
      if ("([{".includes(c)) depth++;
      else if (c === "," && depth === 1) {
        args.push(text.slice(from, i).trim());
        from = i + 1;
      } else if (")]}".includes(c) && --depth === 0) {
        args.push(text.slice(from, i).trim());
        out.push(args);
        break;
      }
    }
  }
  return out;
}

/**
 * Issue 14, section 3: the suite stays green on a loaded machine because its waits are bounded by
 * the running test's mocha timeout only (`test/helpers/test-deadline.ts`), never by a time of their own.
 */
describe("Test waits: for the condition, bounded by the running test's timeout", () => {
  it("gives a wait the running test's own timeout, counted from its body, as this.timeout() sets it", async function () {
    const bodyAt = Date.now(); // the body started at most now: the bound counts from then, less a second for the wait's own message
    this.timeout(8_000);
    const bound = waitDeadline() - bodyAt;
    assert.ok(bound <= 7_000 && bound > 0, `${bound} ms from the body's start`);
    this.timeout(120_000);
    assert.ok(waitDeadline() - bodyAt > 100_000, "a longer timeout set in the body counts");
    let polls = 0;
    assert.equal(await waitFor(() => ++polls >= 3 && "met", "three polls"), "met");
  });

  it("fails a wait whose condition never holds with its own message before mocha's timeout", async function () {
    this.timeout(1_500);
    await assert.rejects(waitFor(() => false, "a condition that never holds"), /timed out waiting for a condition that never holds/);
  });

  it("no test sets its own time limit on a wait: waitFor, drained, settledSync, playwright timeouts or hand-made deadlines", () => {
    const offences: string[] = [];
    for (const file of testSources()) {
      const rel = path.relative(TEST_ROOT, file);
      if (rel === path.join("repository", "waits.test.ts") || rel === path.join("helpers", "test-deadline.ts")) continue;
      const text = fs.readFileSync(file, "utf8");
      const timed = (args: string[]) => args.some((a) => /^[\d_]+(\s*\*\s*[\d_]+)?$/.test(a));
      for (const args of callsOf(text, /(?<![.\w])waitFor\(/g)) if (timed(args)) offences.push(`${rel}: waitFor(${args.join(", ").slice(0, 60)}…) with a time limit`);
      for (const args of callsOf(text, /\b(drained|settle|settledSync)\(/g)) if (timed(args)) offences.push(`${rel}: a wait with a time limit (${args.join(", ").slice(0, 60)})`);
      if (/\btimeout:\s*[\d_]+/.test(text)) offences.push(`${rel}: a playwright { timeout } (the browser's contexts have none: the test's bound is mocha's)`);
      if (/const\s+deadline\s*=|Date\.now\(\)\s*-\s*started\s*>/.test(text)) offences.push(`${rel}: a hand-made deadline (use waitFor)`);
      // The poll of waitFor, the echo handler's configured delay, and a turn of the event loop as the batcher's input.
      const allowed = ["helpers/fixtures.ts", "helpers/echo-handler.ts", "integrations/eventbridge-out/batching.test.ts"];
      if (/setTimeout\(|setImmediate\(/.test(text) && !allowed.includes(rel.split(path.sep).join("/"))) {
        offences.push(`${rel}: setTimeout/setImmediate as synchronisation (wait for the condition instead)`);
      }
    }
    assert.deepEqual(offences, []);
  });
});
