import { HttpError } from "../../http/errors";
import type { DataCenterClient } from "./client";

/** What an instance's build-status resources accept (`GET /rest/api/latest/build/capabilities`). */
export interface DcBuildCapabilities {
  /** `richBuildStatus`: the repository-based builds API (`…/commits/{sha}/builds`, DC 7.14+). */
  repositoryBuilds: boolean;
  /** `cancelledStatus`: the `CANCELLED` state may be posted. */
  cancelled: boolean;
}

const NONE: DcBuildCapabilities = { repositoryBuilds: false, cancelled: false };

/**
 * The build capabilities of each DC installation, asked once and kept for `ttlMs` (default one hour,
 * so an upgraded server is noticed), one cache per app instance (held by the DC door's registration).
 * Detection follows Atlassian's Jenkins plugin (`BitbucketCICapabilities`): the repository-based API
 * only when `buildStatus` lists `richBuildStatus`, `CANCELLED` only when it lists `cancelledStatus`.
 * A 404 (a server older than the resource) means neither; any other error is thrown and not kept.
 */
export class DcCapabilityCache {
  private readonly known = new Map<string, { caps: DcBuildCapabilities; expiresAt: number }>();
  private readonly pending = new Map<string, Promise<DcBuildCapabilities>>();

  constructor(private readonly ttlMs = 60 * 60_000) {}

  async get(installationId: string, client: DataCenterClient): Promise<DcBuildCapabilities> {
    const hit = this.known.get(installationId);
    if (hit && hit.expiresAt > Date.now()) return hit.caps;
    let p = this.pending.get(installationId);
    if (!p) {
      p = ask(client)
        .then((caps) => {
          this.known.set(installationId, { caps, expiresAt: Date.now() + this.ttlMs });
          return caps;
        })
        .finally(() => this.pending.delete(installationId));
      this.pending.set(installationId, p);
    }
    return p;
  }

  /** Forgets what was learnt (one installation's, or all). */
  forget(installationId?: string): void {
    if (installationId) this.known.delete(installationId);
    else this.known.clear();
  }
}

async function ask(client: DataCenterClient): Promise<DcBuildCapabilities> {
  try {
    const body = await client.get<{ buildStatus?: unknown }>("/api/latest/build/capabilities");
    const list = Array.isArray(body?.buildStatus) ? body.buildStatus.map(String) : [];
    return { repositoryBuilds: list.includes("richBuildStatus"), cancelled: list.includes("cancelledStatus") };
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) return NONE;
    throw err;
  }
}
