import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../src/config/config";
import { dataCenterInstanceId } from "../../src/bitbucket/repository-id";
import { startupLines } from "../../src/web/entry-points";
import { runMain } from "../helpers/child";

/** Start-up tells a DC admin what to enter in DC, and warns of a retention shorter than an insights view. */
const DC = { BITBUCKET_DC_BASE_URL: "https://git.example.com/bitbucket", BITBUCKET_DC_TOKEN: "tok-secret-7", BITBUCKET_DC_CLIENT_ID: "cid", BITBUCKET_DC_CLIENT_SECRET: "csecret-7" };

describe("Start-up lines: DC instances and insights retention", function () {
  this.timeout(600_000); // starts the real entry point, slow on a loaded machine
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "relay-startup-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("with BITBUCKET_DC_* and INSIGHTS_RETENTION_DAYS=30: the listening line names the DC pages, one line per instance, a 90-day warning, no secret", async () => {
    const id = dataCenterInstanceId("https://git.example.com/bitbucket");
    const run = runMain({ DATA_DIR: path.join(dir, "data"), PORT: "0", BASE_URL: "https://relay.example.com", LOG_LEVEL: "info", WORKER_ENABLED: "false", INSIGHTS_RETENTION_DAYS: "30", ...DC });
    try {
      await run.printed("set it to 90 or more for the full view");
      run.proc.kill("SIGTERM");
      const { stdout } = await run.exited;
      const lines = stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string; webhookUrl?: string; redirectUrl?: string });
      const listening = lines.find((l) => l.msg.startsWith("Bitbucket Relay listening; "));
      assert.equal(listening?.msg, "Bitbucket Relay listening; Data Center pages at https://relay.example.com/datacenter (1 instance); Bitbucket Cloud (no FORGE_APP_ID): Connect descriptor at https://relay.example.com/atlassian-connect.json");
      const instance = lines.filter((l) => l.msg.startsWith("Data Center instance "));
      assert.equal(instance.length, 1, stdout);
      assert.equal(instance[0]!.msg, `Data Center instance ${id} "git.example.com/bitbucket" at https://git.example.com/bitbucket: webhook receiver https://relay.example.com/datacenter/${id}/webhook; application link Redirect URL https://relay.example.com/datacenter/oauth/callback`);
      assert.equal(instance[0]!.level, 30);
      const warn = lines.filter((l) => l.msg.startsWith("INSIGHTS_RETENTION_DAYS=30"));
      assert.equal(warn.length, 1, stdout);
      assert.equal(warn[0]!.level, 40);
      assert.match(warn[0]!.msg, /90-day view will only cover 30 days/);
      for (const s of ["tok-secret-7", "csecret-7"]) assert.ok(!stdout.includes(s), `${s} logged`);
    } finally {
      run.proc.kill("SIGTERM");
      await run.exited;
    }
  });

  it("each instance of a file gets its line; retention of 90 or more warns of nothing, below 30 warns for both views", () => {
    const f = path.join(dir, "dc.json");
    const inst = (baseUrl: string, name?: string) => ({ baseUrl, token: "t", clientId: "c", clientSecret: "s", name });
    fs.writeFileSync(f, JSON.stringify({ instances: [inst("https://a.example.com"), inst("https://b.example.com/bb", "B")] }));
    const base = { NODE_ENV: "test", DATA_DIR: dir, PORT: "3000", BITBUCKET_DC_INSTANCES_FILE: f };
    const lines = startupLines(loadConfig({ ...base, INSIGHTS_RETENTION_DAYS: "90" }));
    assert.deepEqual(lines.map((l) => [l.level, l.fields.dcBaseUrl, l.fields.webhookUrl]), [
      ["info", "https://a.example.com", `http://localhost:3000/datacenter/${dataCenterInstanceId("https://a.example.com")}/webhook`],
      ["info", "https://b.example.com/bb", `http://localhost:3000/datacenter/${dataCenterInstanceId("https://b.example.com/bb")}/webhook`],
    ]);
    assert.ok(!JSON.stringify(lines).includes('"s"') && !JSON.stringify(lines).includes('"t"'));
    const short = startupLines(loadConfig({ NODE_ENV: "test", PORT: "3000", INSIGHTS_RETENTION_DAYS: "7" }));
    assert.deepEqual(short.map((l) => [l.level, l.fields.window]), [["warn", 30], ["warn", 90]]);
    assert.deepEqual(startupLines(loadConfig({ NODE_ENV: "test", PORT: "3000" })), []);
  });
});
