/**
 * One app instance in its own process for the benches, as an operator runs it: every shipped
 * integration, config from the environment (SQLITE_FILE or DATABASE_URL, ENCRYPTION_KEY…). Installs
 * the bench tenant through its own `/connect/installed` (as Bitbucket does), switches Buildkite on for
 * the bench repository, and reports `{ url, installationId, apiKey, startupMs }` over IPC.
 */
import { performance } from "node:perf_hooks";
import { request } from "undici";
import { createRelayApp } from "../../src/app";
import { loadConfig } from "../../src/config/config";
import { referenceJson } from "../../test/helpers/fixtures";
import { ensureApiKey } from "../../src/integrations/buildkite/credentials";
import type { BenchTenant } from "./payloads";

async function main(): Promise<void> {
  const tenant = JSON.parse(process.env.BENCH_TENANT ?? "") as BenchTenant;
  const fakeUrl = process.env.BENCH_FAKE_URL ?? "";
  const config = loadConfig();
  const relay = await createRelayApp({ config });
  const { url } = await relay.listen(0);
  config.baseUrl = url;
  const startupMs = performance.now();

  const base = referenceJson<Record<string, unknown>>("bitbucket/connect/installed-lifecycle-payload.example.json");
  delete base._source;
  const installed = await request(`${url}/connect/installed`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      ...base,
      key: config.appKey,
      eventType: "installed",
      clientKey: tenant.clientKey,
      sharedSecret: tenant.sharedSecret,
      baseUrl: fakeUrl,
      baseApiUrl: fakeUrl,
      principal: { ...(base.principal as object), uuid: tenant.workspace.uuid, username: tenant.workspace.slug },
    }),
  });
  await installed.body.text();
  if (installed.statusCode !== 204) throw new Error(`install answered ${installed.statusCode}`);
  const installation = await relay.services.installations.findByClientKey("connect", tenant.clientKey);
  if (!installation) throw new Error("installation not stored");
  await relay.services.settings.update(installation.id, { uuid: tenant.repo.uuid, fullName: tenant.repo.fullName }, "buildkite", { values: { enabled: true } }, "bench");
  const apiKey = await ensureApiKey(relay.services, installation.id);

  const stop = () => {
    void relay.close().finally(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("disconnect", stop);
  process.send?.({ type: "ready", url, installationId: installation.id, apiKey, startupMs });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
