import { randomUUID } from "node:crypto";
import type { DataCenterInstanceConfig } from "../../config/datacenter";
import type { SecretBox } from "../../crypto/secrets";
import type { HttpClient } from "../../http/client";
import { CredentialEndedError } from "../../web/principal";
import { GrantRefusedError, requestTokens, type DcIdentity, type DcTokens } from "./oauth";
import { DcUserGrant, dcUserGrantAad } from "./models";

/** Refresh this long before DC's expiry, so that a token does not expire in flight. */
const REFRESH_MARGIN_MS = 60_000;

/** The user must log in again (no grant, or DC refused to refresh it): the API answers 401. */
export class LoginRequiredError extends CredentialEndedError {
  constructor(message = "log in to Bitbucket Data Center again") {
    super(message);
    this.name = "LoginRequiredError";
  }
}

export interface GrantDeps {
  box: SecretBox;
  http: HttpClient;
}

interface SealedTokens {
  accessToken: string;
  refreshToken: string | null;
}

/**
 * The OAuth tokens of logged-in DC users (migration 0710), server-side only: sealed with SecretBox
 * (column registered for key rotation in src/crypto/rotation.ts), never put in the cookie, a page or
 * a log. One row per installation and DC user id (a new login replaces the tokens). An expired access
 * token is refreshed before use (`refresh_token` grant), one refresh at a time per grant in this
 * process; a refused refresh deletes the grant (`LoginRequiredError`).
 */
export class DcUserGrants {
  private readonly refreshing = new Map<string, Promise<string>>();

  constructor(private readonly deps: GrantDeps) {}

  async save(installationId: string, user: DcIdentity, tokens: DcTokens, now = Date.now()): Promise<void> {
    const where = { installationId, dcUserId: String(user.id) };
    const existing = await DcUserGrant.findOne({ where });
    const id = existing?.id ?? randomUUID();
    const row = {
      id,
      ...where,
      slug: user.slug,
      displayName: user.displayName,
      tokensEnc: this.seal(id, { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken }),
      scope: tokens.scope,
      accessExpiresAt: tokens.accessExpiresAt,
      updatedAt: now,
    };
    if (existing) await existing.update(row);
    else await DcUserGrant.create(row);
  }

  find(installationId: string, dcUserId: string): Promise<DcUserGrant | null> {
    return DcUserGrant.findOne({ where: { installationId, dcUserId } });
  }

  /** Forgets a user's tokens (logout). */
  async forget(installationId: string, dcUserId: string): Promise<void> {
    await DcUserGrant.destroy({ where: { installationId, dcUserId } });
  }

  /**
   * A usable access token of the grant: the stored one while it is fresh, else a refreshed one
   * (`force`: refresh even so, after DC refused the token). LoginRequiredError when the grant is gone
   * or cannot be refreshed.
   */
  async accessToken(instance: DataCenterInstanceConfig, grantId: string, opts: { force?: boolean; now?: number } = {}): Promise<string> {
    const now = opts.now ?? Date.now();
    const row = await DcUserGrant.findByPk(grantId);
    if (!row) throw new LoginRequiredError();
    if (!opts.force && Number(row.accessExpiresAt) - REFRESH_MARGIN_MS > now) return this.open(row).accessToken;
    let p = this.refreshing.get(grantId);
    if (!p) {
      p = this.refresh(instance, row, now).finally(() => this.refreshing.delete(grantId));
      this.refreshing.set(grantId, p);
    }
    return p;
  }

  private async refresh(instance: DataCenterInstanceConfig, row: DcUserGrant, now: number): Promise<string> {
    const { refreshToken } = this.open(row);
    if (!refreshToken) {
      await row.destroy();
      throw new LoginRequiredError("your Bitbucket Data Center login expired, log in again");
    }
    let tokens: DcTokens;
    try {
      tokens = await requestTokens(this.deps.http, instance, { grant_type: "refresh_token", refresh_token: refreshToken }, now);
    } catch (err) {
      if (err instanceof GrantRefusedError) {
        await row.destroy();
        throw new LoginRequiredError("Bitbucket Data Center ended your login, log in again");
      }
      throw err;
    }
    await row.update({
      tokensEnc: this.seal(row.id, { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken ?? refreshToken }),
      scope: tokens.scope ?? row.scope,
      accessExpiresAt: tokens.accessExpiresAt,
      updatedAt: now,
    });
    return tokens.accessToken;
  }

  private seal(id: string, t: SealedTokens): string {
    return this.deps.box.encrypt(JSON.stringify(t), dcUserGrantAad(id));
  }

  private open(row: DcUserGrant): SealedTokens {
    return JSON.parse(this.deps.box.decrypt(row.tokensEnc, dcUserGrantAad(row.id))) as SealedTokens;
  }
}
