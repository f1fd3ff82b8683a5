import { UniqueConstraintError } from "sequelize";
import type { InstallationView } from "../core/installations";
import { toView } from "../core/installations";
import type { Services } from "../core/services";
import { Installation } from "../models";
import { bitbucketContextOf, type FitClaims } from "./fit-claims";

/** A verified FIT that still cannot be served (no Bitbucket workspace, an API host we do not send tokens to). */
export class ForgeInstallError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ForgeInstallError";
  }
}

export interface InstallDetails {
  installedBy?: string | null;
}

/**
 * Maps a Forge installation onto the app's installation model: host "forge", clientKey = the FIT's
 * installation ari, credential kind "forge-system-token", workspace from the Bitbucket installation
 * context. Forge announces installs with a lifecycle event that may come late (or after other
 * invocations), so any verified FIT provisions its installation. A reinstall gets a new installation
 * id for the same workspace: the previous Forge installation of that workspace is re-keyed, keeping
 * its settings (there is no uninstall event to have purged it).
 */
export class ForgeInstallations {
  constructor(private readonly services: Services) {}

  async resolve(claims: FitClaims, details: InstallDetails = {}): Promise<InstallationView> {
    const { config, installations } = this.services;
    const ctx = bitbucketContextOf(claims);
    if (!ctx) throw new ForgeInstallError(403, "FIT names no Bitbucket workspace");
    const apiHost = new URL(ctx.apiBaseUrl).hostname.toLowerCase();
    if (!config.forge.apiHosts.includes(apiHost)) throw new ForgeInstallError(403, "FIT apiBaseUrl host is not allowed");
    const clientKey = claims.app.installationId;
    const existing = await installations.findByClientKey("forge", clientKey);
    if (existing) {
      if (existing.workspaceUuid !== ctx.workspaceUuid) throw new ForgeInstallError(403, "installation belongs to another workspace");
      if (existing.baseApiUrl === ctx.apiBaseUrl && existing.appKey === claims.app.id && !details.installedBy) return existing;
    } else {
      const rekeyed = await this.rekeyStale(ctx.workspaceUuid, claims.app.id, clientKey);
      if (rekeyed && rekeyed.baseApiUrl === ctx.apiBaseUrl && !details.installedBy) return rekeyed;
    }
    const input = {
      host: "forge" as const,
      clientKey,
      appKey: claims.app.id,
      credentialKind: "forge-system-token" as const,
      workspace: { uuid: ctx.workspaceUuid },
      baseUrl: config.forge.siteUrl,
      baseApiUrl: ctx.apiBaseUrl.replace(/\/$/, ""),
      secrets: {},
      installedBy: details.installedBy ?? null,
    };
    try {
      const inst = await installations.install(input);
      if (!existing) this.services.log.info({ installationId: inst.id, workspace: inst.workspaceUuid, host: "forge" }, "installed");
      return inst;
    } catch (err) {
      if (!(err instanceof UniqueConstraintError)) throw err;
      // A concurrent first invocation created it.
      const row = await installations.findByClientKey("forge", clientKey);
      if (!row) throw err;
      return row;
    }
  }

  /** Re-keys the workspace's previous Forge installation (of this app) onto the new installation id. */
  private async rekeyStale(workspaceUuid: string, appId: string, clientKey: string): Promise<InstallationView | null> {
    const stale = await Installation.findOne({ where: { host: "forge", workspaceUuid, appKey: appId } });
    if (!stale) return null;
    const previous = stale.clientKey;
    await stale.update({ clientKey, updatedAt: Date.now() });
    this.services.installations.forget();
    this.services.log.info({ installationId: stale.id, previous, current: clientKey }, "Forge reinstall: installation re-keyed");
    return toView(stale);
  }
}
