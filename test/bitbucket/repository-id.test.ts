import assert from "node:assert/strict";
import {
  dataCenterInstanceId,
  mintCloudRepositoryId,
  mintDataCenterRepositoryId,
  normaliseRepositoryId,
  REPOSITORY_ID_FORMATS,
} from "../../src/bitbucket/repository-id";
import { BitbucketApiRegistry } from "../../src/bitbucket/host-api";

describe("Repository ids minted by each door", () => {
  const UUID = "{11111111-2222-4333-8444-555555555555}";

  it("Cloud: the braced UUID, lower case (what every stored row already holds)", () => {
    assert.equal(mintCloudRepositoryId(UUID), UUID);
    assert.equal(mintCloudRepositoryId("11111111-2222-4333-8444-555555555555"), UUID);
    assert.equal(mintCloudRepositoryId(UUID.toUpperCase()), UUID);
    assert.throws(() => mintCloudRepositoryId("acme/widgets"), RangeError);
  });

  it("Data Center: dc:<instance>:<repository id>, the instance derived from the canonical base URL", () => {
    const id = mintDataCenterRepositoryId("https://git.example.com/bitbucket", 42);
    assert.match(id, /^dc:[0-9a-f]{16}:42$/);
    assert.ok(id.length <= 64, "fits the repository_uuid columns");
    for (const same of ["https://GIT.example.com/bitbucket/", "https://git.example.com:443/bitbucket", "https://git.example.com/bitbucket?x=1#y"]) {
      assert.equal(mintDataCenterRepositoryId(same, 42), id, same);
    }
    assert.notEqual(mintDataCenterRepositoryId("https://git.example.com/other", 42), id, "another context path is another instance");
    assert.notEqual(mintDataCenterRepositoryId("https://git.example.com:8443/bitbucket", 42), id, "another port is another instance");
    assert.notEqual(mintDataCenterRepositoryId("https://git.example.com/bitbucket", 43), id);
    assert.equal(dataCenterInstanceId("https://git.example.com/bitbucket"), id.split(":")[1]);
    assert.throws(() => mintDataCenterRepositoryId("ftp://git.example.com", 1), RangeError);
    assert.throws(() => mintDataCenterRepositoryId("not a url", 1), RangeError);
    for (const bad of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1]) assert.throws(() => mintDataCenterRepositoryId("https://git.example.com", bad), RangeError, String(bad));
  });

  it("accepts an id of any door in canonical form and nothing else", () => {
    const dc = mintDataCenterRepositoryId("https://git.example.com", 7);
    assert.equal(normaliseRepositoryId(UUID), UUID);
    assert.equal(normaliseRepositoryId(dc.toUpperCase()), dc);
    for (const bad of [undefined, 7, "", "acme/widgets", "dc:xyz:1", "dc:0123456789abcdef:0", "dc:0123456789abcdef:1:2", `${dc}/x`, "{1111}", "x".repeat(500)]) {
      assert.equal(normaliseRepositoryId(bad), null, String(bad));
    }
    assert.equal(normaliseRepositoryId(dc, ["cloud"]), null);
    assert.equal(REPOSITORY_ID_FORMATS.datacenter.normalise(UUID), null);
  });

  it("checks an id against the scheme the installation's host registered", () => {
    const registry = new BitbucketApiRegistry();
    const fail = () => {
      throw new Error("not called");
    };
    registry.register("connect", fail, "cloud");
    const dc = mintDataCenterRepositoryId("https://git.example.com", 7);
    assert.equal(registry.repositoryId("connect", UUID.toUpperCase()), UUID);
    assert.equal(registry.repositoryId("connect", dc), null, "a Cloud installation takes no Data Center id");
    assert.equal(registry.repositoryId("forge", UUID), null, "no host registered: nothing accepted");
    assert.equal(registry.repositoryId("connect", ["x"]), null);
  });
});
