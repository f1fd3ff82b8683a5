import type { Services } from "../core/services";
import { CredentialEndedError, type Principal } from "./principal";
import { HttpError } from "../http/errors";
import { repositories } from "../core/repositories";
import type { PermissionLevel } from "../bitbucket/host-api";
import { missingRepositoryAnswer } from "./repository-scope";

export type AccessLevel = PermissionLevel;

/** What the viewing account may do on one repository of its installation. */
export interface RepoAccess {
  level: AccessLevel;
  accountId: string;
  repository: { uuid: string; fullName: string | null };
}

export type AccessResult = { ok: true; access: RepoAccess } | { ok: false; status: number; reason: string };

const RANK: Record<AccessLevel, number> = { none: 0, read: 1, write: 2, admin: 3 };

export function atLeast(level: AccessLevel, min: AccessLevel): boolean {
  return RANK[level] >= RANK[min];
}

export function isAdmin(access: RepoAccess): boolean {
  return access.level === "admin";
}

interface Entry {
  access: RepoAccess;
  expiresAt: number;
}

/**
 * Is the viewing account an admin (or a reader) of the repository? Asked of the installation's
 * Bitbucket (`BitbucketApi.permissionOf`) with its own credentials — or with the user's own
 * credential when the door holds one (`Principal.permissionOf`, Data Center) — scoped to the installation's
 * workspace or instance so that a repository of another one is never found (401 for a credential used
 * on a repository its installation does not have: `missingRepositoryAnswer`). Answers are cached briefly (a revoked admin loses access within
 * `ttlMs`); concurrent lookups share one request; failures are not cached.
 */
export class RepoPermissions {
  private readonly cache = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<AccessResult>>();

  constructor(
    private readonly services: Services,
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 5_000,
  ) {}

  async resolve(principal: Principal, repositoryUuid: string, now = Date.now()): Promise<AccessResult> {
    if (!principal.accountId) return { ok: false, status: 403, reason: "the request names no user account" };
    const key = `${principal.installation.id}|${repositoryUuid}|${principal.accountId}`;
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > now) return { ok: true, access: hit.access };
    let p = this.pending.get(key);
    if (!p) {
      p = this.lookup(principal, principal.accountId, repositoryUuid)
        .then((result) => {
          if (result.ok) this.remember(key, result.access);
          return result;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    return p;
  }

  /** Forgets cached answers (all, or one installation's). */
  clear(installationId?: string): void {
    for (const key of [...this.cache.keys()]) if (!installationId || key.startsWith(`${installationId}|`)) this.cache.delete(key);
  }

  private remember(key: string, access: RepoAccess): void {
    if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, { access, expiresAt: Date.now() + this.ttlMs });
  }

  private async lookup(principal: Principal, accountId: string, repositoryUuid: string): Promise<AccessResult> {
    const { installation } = principal;
    try {
      const ref = { id: repositoryUuid, fullName: null };
      const found = principal.permissionOf ? await principal.permissionOf(ref) : await this.services.bitbucketApiFor(installation).permissionOf(ref, accountId);
      if (found.repository.id && found.repository.id.toLowerCase() !== repositoryUuid.toLowerCase()) {
        return { ok: false, status: 403, reason: "repository does not match" };
      }
      if (found.permission !== "none") {
        // The host named the repository: its id and display name are kept (at most once per cache period).
        await repositories.remember(installation, { id: repositoryUuid, displayName: found.repository.fullName }).catch((err: unknown) => {
          this.services.log.warn({ err: { message: err instanceof Error ? err.message : String(err) } }, "could not record the repository");
        });
      }
      return { ok: true, access: { level: found.permission, accountId, repository: { uuid: repositoryUuid, fullName: found.repository.fullName } } };
    } catch (err) {
      if (err instanceof CredentialEndedError) return { ok: false, status: 401, reason: err.message };
      if (err instanceof HttpError && err.status === 404) {
        // Not in the installation's workspace / instance: 404 only for a repository it is known to have had.
        return { ok: false, ...(await missingRepositoryAnswer(installation, repositoryUuid)) };
      }
      if (err instanceof HttpError && (err.status === 401 || err.status === 403)) {
        return { ok: false, status: 403, reason: "Bitbucket refused the permission check" };
      }
      this.services.log.warn({ err: { message: err instanceof Error ? err.message : String(err) } }, "permission check failed");
      return { ok: false, status: 502, reason: "could not check your permission on Bitbucket" };
    }
  }
}

const perServices = new WeakMap<Services, RepoPermissions>();

/** The permission checker of one app instance (one cache per instance). */
export function repoPermissions(services: Services): RepoPermissions {
  let p = perServices.get(services);
  if (!p) {
    p = new RepoPermissions(services);
    perServices.set(services, p);
  }
  return p;
}
