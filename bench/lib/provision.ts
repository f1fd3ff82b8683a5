import { Database } from "../../src/db/database";
import { initCoreModels } from "../../src/models";
import { SecretBox } from "../../src/crypto/secrets";
import { InstallationService } from "../../src/core/installations";
import { SettingsService } from "../../src/settings/service";
import { ensureApiKey, ensureWebhookToken } from "../../src/integrations/buildkite/credentials";
import "../../src/integrations"; // registers the integrations' settings definitions (Buildkite's among them)
import type { BenchTenant } from "./payloads";
import type { BenchDatabase } from "./database";

/** The ENCRYPTION_KEY the bench app runs with (32 bytes, hex). */
export const BENCH_ENCRYPTION_KEY = "b".repeat(64);

/**
 * Prepares the bench database *before* the compiled app starts on it, so that the app process runs
 * only `node dist/main.js`: migrates, stores the tenant's Connect installation as `/connect/installed`
 * does (same InstallationService, same encryption key), stores the bench repository's settings
 * (`settings`: integration id → values; Buildkite switched on by default) and creates the
 * installation's EventBridge API key and Buildkite webhook token. Returns the installation id, that key and that token.
 */
export async function provisionTenant(
  db: BenchDatabase,
  tenant: BenchTenant,
  fakeUrl: string,
  settingsByIntegration: Record<string, Record<string, unknown>> = { buildkite: { enabled: true } },
): Promise<{ installationId: string; apiKey: string; webhookToken: string }> {
  const database = Database.open(db.config);
  try {
    await database.migrate();
    initCoreModels(database.sequelize);
    const box = SecretBox.fromKeyMaterial(BENCH_ENCRYPTION_KEY);
    const installations = new InstallationService(database, box);
    const installation = await installations.install({
      host: "connect",
      clientKey: tenant.clientKey,
      appKey: "bitbucket-relay",
      credentialKind: "connect-jwt",
      workspace: { uuid: tenant.workspace.uuid, slug: tenant.workspace.slug, name: null },
      baseUrl: fakeUrl,
      baseApiUrl: fakeUrl,
      secrets: { sharedSecret: tenant.sharedSecret },
      installedBy: null,
    });
    const settings = new SettingsService(database, box);
    for (const [integration, values] of Object.entries(settingsByIntegration)) {
      await settings.update(installation.id, { uuid: tenant.repo.uuid, fullName: tenant.repo.fullName }, integration, { values }, "bench");
    }
    const apiKey = await ensureApiKey({ installations } as Parameters<typeof ensureApiKey>[0], installation.id);
    const webhookToken = await ensureWebhookToken({ installations } as Parameters<typeof ensureWebhookToken>[0], installation.id);
    return { installationId: installation.id, apiKey, webhookToken };
  } finally {
    await database.close();
  }
}
