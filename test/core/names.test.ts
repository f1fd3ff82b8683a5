import assert from "node:assert/strict";
import { globMatches, matchesAnyGlob, nameKey, sameName } from "../../src/core/names";
import { branchAllowed, pipelineListed } from "../../src/integrations/buildkite/routing";
import { gitUrlMatches } from "../../src/integrations/buildkite/repo-url";
import { matchesAny } from "../../src/integrations/build-alerts/filters";
import { identityOf } from "../../src/integrations/build-alerts/identity";
import { branchSelected } from "../../src/integrations/proton/branches";
import type { BuildkiteSettings } from "../../src/integrations/buildkite/settings";
import type { CommitStatusEventPayload } from "../../src/bitbucket/events";

const NFC = "feature/\u00fcber-login"; // ü as one code point, as typed on a keyboard
const NFD = "feature/u\u0308ber-login"; // u + combining diaeresis, as macOS tools often send it

/** One matcher for every comparison of names (issue 15.10): NFC on both sides, names kept as received. */
describe("Names: one Unicode-normalised matcher", () => {
  it("compares names and globs in NFC whichever form each side uses", () => {
    assert.notEqual(NFC, NFD, "the two inputs differ as strings");
    assert.ok(sameName(NFC, NFD) && sameName(NFD, NFC));
    assert.ok(globMatches("feature/\u00fcber-*", NFD));
    assert.ok(globMatches("feature/u\u0308ber-*", NFC));
    assert.ok(!globMatches("feature/uber-*", NFD), "a different name is still different");
    assert.ok(!sameName("Main", "main") && sameName("Main", "main", { ignoreCase: true }));
    assert.ok(sameName("\u00c5CME", "a\u030acme", { ignoreCase: true }));
    assert.ok(!sameName(null, null) && !sameName("a", undefined));
    assert.equal(nameKey(NFD), NFC);
  });

  it("treats everything but * as literal, and * as any run including /", () => {
    assert.ok(globMatches("release/*", "release/2.1/hotfix"));
    assert.ok(!globMatches("a.b", "axb") && globMatches("a.b", "a.b"));
    assert.ok(globMatches("x[1](y)+$^|?{}\\", "x[1](y)+$^|?{}\\"));
    assert.ok(globMatches("*-ü-*", "pre-u\u0308-post"));
    assert.ok(globMatches("emoji-*", "emoji-\u{1F680}"));
    assert.ok(!matchesAnyGlob([], "main") && !matchesAnyGlob(["*"], null));
  });

  it("every integration's comparison goes through it (NFC setting vs NFD input and back)", () => {
    // Buildkite: branch filter, pipeline mapping, repository URL.
    assert.ok(branchAllowed(["feature/\u00fcber-*"], NFD));
    const bk = { pipelines: ["caf\u00e9-org/d\u00e9ploy"] } as unknown as BuildkiteSettings;
    assert.ok(pipelineListed(bk, { organization: "CAFE\u0301-org", pipeline: { slug: "de\u0301ploy" } } as never));
    assert.ok(gitUrlMatches("git@bitbucket.org:acme/wi\u0308dgets.git", "acme/w\u00efdgets", ["bitbucket.org"]));
    // Build alerts: branch and key filters; the incident identity.
    assert.ok(matchesAny(NFD, [NFC]) && matchesAny("cafe\u0301-ci", ["caf\u00e9-*"]));
    const status = (refname: string, key: string) =>
      ({ repository: { full_name: "acme/widgets", uuid: "{r}" }, commit_status: { refname, key, state: "FAILED", links: {} } }) as unknown as CommitStatusEventPayload;
    const a = identityOf(status(NFC, "caf\u00e9"));
    const b = identityOf(status(NFD, "cafe\u0301"));
    assert.equal(a.hash, b.hash, "one incident identity");
    assert.equal(b.ref, NFD, "the name itself is kept as received");
    // Proton: branch globs and the main branch.
    assert.ok(branchSelected(NFD, ["feature/\u00fcber-*"], null));
    assert.ok(branchSelected(NFD, [], NFC), "the main branch, named in the other form");
    assert.ok(!branchSelected("main", [], null));
  });
});
