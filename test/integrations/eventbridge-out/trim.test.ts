import assert from "node:assert/strict";
import fc from "fast-check";
import { IDENTITY_KEYS, KEPT_ELEMENTS, TrimError, WHOLE_ROOT_KEYS, trimDetail, type TrimRecord } from "../../../src/integrations/eventbridge-out/trim";
import { MAX_REQUEST_BYTES, prepareEntry, entrySize } from "../../../src/integrations/eventbridge-out/entries";
import { bitbucketWebhook } from "../../helpers/fixtures";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };
const bytes = (v: unknown) => Buffer.byteLength(typeof v === "string" ? v : JSON.stringify(v));
/** Resolves a JSON Pointer (RFC 6901). */
const at = (root: Json, pointer: string): Json | undefined =>
  pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<Json | undefined>((node, seg) => (node && typeof node === "object" ? (node as Obj)[seg] : undefined), root);

/** Walks output beside input: same types, same object keys, strings are prefixes, arrays prefixes, identity equal. */
function assertShapeKept(input: Json, output: Json, path: string[] = []): void {
  const where = path.join(".") || "(root)";
  assert.equal(Array.isArray(output), Array.isArray(input), `${where}: array-ness kept`);
  assert.equal(output === null, input === null, `${where}: null kept`);
  assert.equal(typeof output, typeof input, `${where}: type kept`);
  if (path.length === 1 && WHOLE_ROOT_KEYS.has(path[0]!)) return assert.deepEqual(output, input, `${where} kept whole`);
  if (typeof input === "string") {
    const key = path.at(-1);
    if (key !== undefined && IDENTITY_KEYS.has(key)) return assert.equal(output, input, `${where}: identity field kept`);
    const out = output as string;
    const ok = out === input || input.startsWith(out) || (out.endsWith("…") && input.startsWith(out.slice(0, -1)));
    return assert.ok(ok, `${where}: a shortened string keeps its start`);
  }
  if (input === null || typeof input !== "object") return assert.equal(output, input, `${where}: scalars untouched`);
  if (Array.isArray(input)) {
    const out = output as Json[];
    assert.ok(out.length <= input.length, `${where}: arrays only lose elements`);
    if (KEPT_ELEMENTS.has(path.filter((s) => !/^\d+$/.test(s)).join("."))) assert.equal(out.length, input.length, `${where}: elements kept`);
    out.forEach((e, i) => assertShapeKept(input[i]!, e, [...path, String(i)]));
    return;
  }
  const out = output as Obj;
  const keys = Object.keys(out).filter((k) => !(path.length === 0 && k === "relay"));
  assert.deepEqual(keys, Object.keys(input).filter((k) => !(path.length === 0 && k === "relay")), `${where}: every key kept`);
  for (const k of keys) assertShapeKept(input[k]!, out[k]!, [...path, k]);
}

/** The records in relay.trimmed describe the output exactly. */
function assertRecords(input: Json, output: Obj): TrimRecord[] {
  const relay = output.relay as unknown as { trimmed: TrimRecord[]; originalBytes: number };
  assert.equal(relay.originalBytes, bytes(input));
  for (const r of relay.trimmed) {
    const before = at(input, r.path);
    const after = at(output, r.path);
    if (r.type === "string") {
      assert.equal(r.originalBytes, bytes(before as string), `${r.path}: original bytes`);
      assert.equal(r.keptBytes, bytes(after as string), `${r.path}: kept bytes`);
      assert.ok(r.keptBytes! < r.originalBytes!);
    } else {
      assert.equal(r.originalLength, (before as Json[]).length, `${r.path}: original length`);
      assert.equal(r.keptLength, (after as Json[]).length, `${r.path}: kept length`);
      const dropped = (before as Obj[]).slice(r.keptLength).flatMap((c) => (c && typeof c.hash === "string" ? [c.hash] : []));
      assert.deepEqual(r.droppedHashes ?? [], dropped.slice(0, (r.droppedHashes ?? []).length), `${r.path}: dropped hashes in order`);
    }
  }
  return relay.trimmed;
}

function check(input: Obj, max: number) {
  const r = trimDetail(input, max);
  assert.ok(bytes(r.json) <= max, `${bytes(r.json)} bytes > ${max}`);
  assert.equal(r.json, JSON.stringify(r.detail));
  const out = JSON.parse(r.json) as Obj;
  if (!r.trimmed) {
    assert.deepEqual(out, input, "what fits is sent as it is");
    return { out, records: [] };
  }
  assertShapeKept(input, out);
  return { out, records: assertRecords(input, out) };
}

function euroPullRequest(): Obj {
  const pr = bitbucketWebhook<Obj>("pullrequest-created.real-2023.json");
  const p = pr.pullrequest as Obj & { rendered: Obj & { description: Obj }; summary: Obj };
  const text = "€".repeat(40_000);
  // Bitbucket repeats the description: description, rendered.description.{raw,html}, summary.{raw,html}.
  p.description = text;
  p.rendered.description.raw = text;
  p.rendered.description.html = `<p>${text}</p>`;
  p.summary.raw = text;
  p.summary.html = `<p>${text}</p>`;
  return pr;
}

function hugePush(commits: number): Obj {
  const push = bitbucketWebhook<Obj>("repo-push.real-2023.json");
  const change = (push.push as { changes: Obj[] }).changes[0]!;
  const template = (change.new as { target: Obj }).target;
  change.commits = Array.from({ length: commits }, (_, i) => ({ ...template, hash: i.toString(16).padStart(40, "0"), message: `change ${i}\n` + "x".repeat(200) }));
  return push;
}

describe("EventBridge out: trimming an oversized Detail keeps its shape and identity", () => {
  it("a pullrequest:updated with a 40,000 '€' description repeated by Bitbucket keeps the pull request, shortening each copy alike", () => {
    const input = euroPullRequest();
    assert.ok(bytes(input) > 600_000);
    const entry = prepareEntry({ detailType: "pullrequest:updated", detail: input }, "bitbucket-relay", "bus");
    assert.ok(entrySize(entry) <= MAX_REQUEST_BYTES);
    const out = JSON.parse(entry.Detail) as Obj & { pullrequest: Obj & { source: { branch: { name: string } }; destination: { branch: { name: string } } } };
    const p = input.pullrequest as typeof out.pullrequest;
    for (const k of ["id", "title", "state"]) assert.equal(out.pullrequest[k], p[k], `pullrequest.${k}`);
    assert.equal(out.pullrequest.source.branch.name, p.source.branch.name);
    assert.equal(out.pullrequest.destination.branch.name, p.destination.branch.name);
    assert.deepEqual(out.repository, input.repository);
    assert.deepEqual(out.actor, input.actor);
    assertShapeKept(input, out);
    const records = assertRecords(input, out);
    assert.deepEqual(
      records.map((r) => r.path).sort(),
      ["/pullrequest/description", "/pullrequest/rendered/description/html", "/pullrequest/rendered/description/raw", "/pullrequest/summary/html", "/pullrequest/summary/raw"],
    );
    const kept = records.map((r) => r.keptBytes!);
    assert.ok(Math.max(...kept) - Math.min(...kept) <= 16, `the copies are cut alike: ${kept}`);
    assert.ok(Math.min(...kept) > 40_000, "each copy keeps a good part of the text");
    assert.ok((out.pullrequest.description as string).startsWith("€€€"));
  });

  it("a huge push keeps `commits` an array: whole commits from the start, the dropped ones' hashes while they fit", () => {
    const input = hugePush(3000);
    const { out, records } = check(input, MAX_REQUEST_BYTES - 100);
    const commits = ((out.push as { changes: Obj[] }).changes[0]!.commits as Obj[]);
    assert.ok(Array.isArray(commits) && commits.length > 10 && commits.length < 3000);
    const original = ((input.push as { changes: Obj[] }).changes[0]!.commits as Obj[]);
    assert.deepEqual(commits, original.slice(0, commits.length), "kept commits are whole");
    assert.deepEqual(records.map((r) => r.path), ["/push/changes/0/commits"]);
    assert.ok(records[0]!.droppedHashes!.length > 0, "hashes of dropped commits are listed");
    const change = (out.push as { changes: Array<{ new: { name: string }; old: { name: string } }> }).changes[0]!;
    assert.equal(change.new.name, "main");
    assert.equal(change.old.name, "main");
  });

  it("refuses for good (TrimError) when the identity fields alone exceed the limit", () => {
    const input = { repository: { full_name: "a/b", description: "d".repeat(5000) }, pullrequest: { description: "x".repeat(5000) } };
    assert.throws(() => trimDetail(input, 1000), (e: Error) => e instanceof TrimError && /cannot be trimmed to 1000 bytes/.test(e.message));
  });

  it("property: any input ends within the limit with identity fields intact, types and keys kept, and the note exact", function () {
    this.timeout(600_000); // a generous bound on a loaded machine
    const bigString = fc
      .tuple(fc.constantFrom("a", "€", "\"", "\n", "😀", "\u0001", "\\", "<p>"), fc.nat(40_000), fc.string({ maxLength: 8 }))
      .map(([c, n, tail]) => c.repeat(n) + tail);
    const leaf = fc.oneof(fc.string({ maxLength: 40 }), bigString, fc.integer(), fc.boolean(), fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true }));
    const junkKey = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !IDENTITY_KEYS.has(k) && k !== "relay" && k !== "__proto__");
    const { tree } = fc.letrec<{ tree: Json }>((tie) => ({
      tree: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        leaf,
        fc.array(tie("tree"), { maxLength: 6 }),
        fc.dictionary(junkKey, tie("tree"), { maxKeys: 6 }),
        fc.array(fc.record({ hash: fc.stringMatching(/^[0-9a-f]{40}$/), message: bigString, type: fc.constant("commit") }), { maxLength: 300 }),
      ),
    }));
    const makers: Array<(n: number) => Obj> = [
      () => euroPullRequest(),
      (n) => hugePush(n),
      () => bitbucketWebhook<Obj>("repo-push.real-2023.json"),
      () => bitbucketWebhook<Obj>("pullrequest-fulfilled.real-2023-with-reviewer.json"),
      () => bitbucketWebhook<Obj>("repo-commit_status_updated.go-playground.json"),
    ];
    const base = fc.tuple(fc.nat(makers.length - 1), fc.nat(1500)).map(([k, n]) => () => makers[k]!(n));
    fc.assert(
      fc.property(base, fc.array(fc.tuple(junkKey, tree), { maxLength: 4 }), fc.nat({ max: 1000 }), (make, extra, seed) => {
        const input = make();
        // Junk goes into the event's own object (pullrequest, push, commit_status), beside the real fields.
        const holder = Object.entries(input).find(([k, v]) => !WHOLE_ROOT_KEYS.has(k) && v && typeof v === "object" && !Array.isArray(v))![1] as Obj;
        for (const [k, v] of extra) holder[`x_${k}`] = JSON.parse(JSON.stringify(v)) as Json; // as JSON has it (-0 is 0)
        const size = bytes(input);
        const max = Math.max(40_000, Math.min(MAX_REQUEST_BYTES, Math.floor(size * (0.2 + (seed % 100) / 125))));
        try {
          check(input, max);
        } catch (err) {
          // Only acceptable when the irreducible part (keys, identity, numbers) really is over the limit.
          if (!(err instanceof TrimError)) throw err;
          assert.ok(irreducible(input) > max - 20_000, `TrimError although the irreducible part is ${irreducible(input)} of ${max}`);
        }
      }),
      { numRuns: 40 },
    );
  });
});

/** What no trimming can remove: every key, identity field and scalar, with strings emptied and droppable arrays emptied. */
function irreducible(v: Json, path: string[] = []): number {
  if (path.length === 1 && WHOLE_ROOT_KEYS.has(path[0]!)) return bytes(v);
  if (typeof v === "string") return IDENTITY_KEYS.has(path.at(-1) ?? "") ? bytes(v) : 2;
  if (v === null || typeof v !== "object") return bytes(v);
  if (Array.isArray(v)) {
    if (!KEPT_ELEMENTS.has(path.filter((s) => !/^\d+$/.test(s)).join("."))) return 2;
    return 2 + v.reduce<number>((n, e, i) => n + irreducible(e, [...path, String(i)]) + 1, 0);
  }
  return 2 + Object.entries(v).reduce((n, [k, e]) => n + bytes(k) + 2 + irreducible(e, [...path, k]), 0);
}
