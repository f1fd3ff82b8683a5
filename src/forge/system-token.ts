import { createHash } from "node:crypto";
import { decodeJwt } from "jose";
import type { InstallationService } from "../core/installations";

/** Installation secret holding the latest app system token Forge sent (`x-forge-oauth-system`). */
export const SYSTEM_TOKEN_SECRET = "forgeSystemToken";
/** Forge guarantees at least this much validity when it hands a system token over. */
const MIN_VALIDITY_MS = 2 * 60 * 60_000;

export interface StoredSystemToken {
  token: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** The token's own `exp` (the docs say: otherwise treat it as opaque); 2 h from now when unreadable. */
export function expiryOf(token: string, now = Date.now()): number {
  try {
    const { exp } = decodeJwt(token);
    if (typeof exp === "number") return exp * 1000;
  } catch {
    // opaque token
  }
  return now + MIN_VALIDITY_MS;
}

export function parseStoredToken(raw: string | undefined): StoredSystemToken | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<StoredSystemToken>;
    return typeof v.token === "string" && typeof v.expiresAt === "number" ? { token: v.token, expiresAt: v.expiresAt } : null;
  } catch {
    return null;
  }
}

/**
 * Keeps the newest system token per installation, encrypted as an installation secret, so the worker
 * can call Bitbucket outside a Forge invocation. Writes only when the token changed (Forge caches and
 * rotates it) and never replaces a token with one that expires earlier.
 */
export class SystemTokenStore {
  private readonly lastSeen = new Map<string, string>();

  constructor(private readonly installations: InstallationService) {}

  async remember(installationId: string, token: string): Promise<void> {
    const digest = createHash("sha256").update(token).digest("hex");
    if (this.lastSeen.get(installationId) === digest) return;
    const expiresAt = expiryOf(token);
    const current = parseStoredToken(await this.installations.secret(installationId, SYSTEM_TOKEN_SECRET));
    if (!current || current.token !== token) {
      if (current && current.expiresAt > expiresAt) {
        this.lastSeen.set(installationId, digest);
        return;
      }
      await this.installations.setSecret(installationId, SYSTEM_TOKEN_SECRET, JSON.stringify({ token, expiresAt }));
    }
    this.lastSeen.set(installationId, digest);
  }

  forget(installationId: string): void {
    this.lastSeen.delete(installationId);
  }
}
