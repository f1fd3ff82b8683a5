import type { InstallationService } from "../core/installations";

/**
 * ACE keeps tenants in its own store. This adapter makes ACE read them from the app's installation
 * model instead, so there is one source of truth (encrypted secrets, migrations, purge on
 * uninstall). ACE only reads `clientInfo` to verify JWTs; installs are written by our lifecycle route.
 */
export function aceStoreFactory(installations: InstallationService) {
  return () => ({
    schema: undefined,
    isMemoryStore: () => false,
    async get(key: string, clientKey: string) {
      if (key !== "clientInfo") return null;
      const inst = await installations.findByClientKey("connect", clientKey);
      if (!inst) return null;
      const { sharedSecret } = await installations.secrets(inst.id);
      return { clientKey, sharedSecret, baseUrl: inst.baseUrl, baseApiUrl: inst.baseApiUrl, key: inst.appKey, productType: "bitbucket" };
    },
    async set(_key: string, value: unknown) {
      return value;
    },
    async del() {
      return undefined;
    },
    async saveInstallation(value: unknown) {
      return value;
    },
    async getAllClientInfos() {
      return [];
    },
    // Forge linkage is handled by the Forge front door, not through ACE.
    async getClientSettingsForForgeInstallation() {
      return null;
    },
    async deleteAssociation() {
      return undefined;
    },
    async forForgeInstallation() {
      return null;
    },
  });
}
