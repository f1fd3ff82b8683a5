import { createHash, randomBytes } from "node:crypto";
import { Op } from "sequelize";
import type { SecretBox } from "../../crypto/secrets";
import { DcLoginAttempt, dcLoginVerifierAad } from "./models";

/** How long a login may take between the redirect to DC and the callback (the user may have to log in to DC first). */
export const LOGIN_ATTEMPT_TTL_MS = 10 * 60_000;

/** A random URL-safe value: 32 bytes → 43 base64url characters (a PKCE verifier's minimum length, RFC 7636 §4.1). */
export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

export function sha256Hex(v: string): string {
  return createHash("sha256").update(v).digest("hex");
}

/** The PKCE S256 challenge of a verifier: base64url(sha256(verifier)) (RFC 7636 §4.2). */
export function pkceChallenge(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

/**
 * At most this many logins of one DC instance may be in progress (started, neither finished nor expired)
 * at once. Starting a login is the one thing anyone may do without credentials, and each start stores
 * a row: the cap bounds what a flood of `GET /datacenter/login` can write (about 1,000 rows per
 * LOGIN_ATTEMPT_TTL_MS) however many addresses it comes from. Beyond it a start is refused (429,
 * "try again in a minute") until attempts finish or expire; logins already started still finish.
 */
export const MAX_PENDING_LOGINS = 1_000;

/** Thrown by `loginAttempts.start` when MAX_PENDING_LOGINS logins of the instance are in progress. */
export class TooManyLoginsError extends Error {
  constructor() {
    super("too many logins in progress for this Bitbucket Data Center instance");
    this.name = "TooManyLoginsError";
  }
}

export interface StartedAttempt {
  /** The OAuth `state` (goes to DC in the authorize URL and comes back in the callback). */
  state: string;
  /** The PKCE challenge for the authorize URL. */
  challenge: string;
  /** The nonce for the browser's login cookie (the callback must come from the browser that started). */
  browserNonce: string;
}

export type TakenAttempt = { ok: true; installationId: string; verifier: string } | { ok: false; reason: string };

/**
 * The server-side half of a login: `state`, PKCE verifier and browser nonce, single-use and short-lived.
 * Kept in the database (migration 0710) rather than in a cookie or in memory: the verifier never
 * leaves the server (a cookie would hand it to the browser and any script-free attacker who can read
 * the redirect), any app instance behind the load balancer can take the callback, and deleting the
 * row is an atomic "use once" across instances. Only hashes of `state` and the nonce are stored.
 */
export const loginAttempts = {
  async start(box: SecretBox, installationId: string, now = Date.now(), maxPending = MAX_PENDING_LOGINS): Promise<StartedAttempt> {
    await DcLoginAttempt.destroy({ where: { expiresAt: { [Op.lt]: now } } });
    if ((await DcLoginAttempt.count({ where: { installationId } })) >= maxPending) throw new TooManyLoginsError();
    const state = randomToken();
    const verifier = randomToken();
    const browserNonce = randomToken();
    const stateHash = sha256Hex(state);
    await DcLoginAttempt.create({
      stateHash,
      installationId,
      browserHash: sha256Hex(browserNonce),
      verifierEnc: box.encrypt(verifier, dcLoginVerifierAad(stateHash)),
      createdAt: now,
      expiresAt: now + LOGIN_ATTEMPT_TTL_MS,
    });
    return { state, challenge: pkceChallenge(verifier), browserNonce };
  },

  /**
   * Uses up the attempt of `state`: the row is deleted first (whoever deletes it owns it; a second
   * callback with the same state finds nothing), then checked: same browser, not expired.
   */
  async take(box: SecretBox, state: string, browserNonce: string | null, now = Date.now()): Promise<TakenAttempt> {
    if (!state || state.length > 200) return { ok: false, reason: "the login has no state" };
    const stateHash = sha256Hex(state);
    const row = await DcLoginAttempt.findByPk(stateHash);
    if (!row || (await DcLoginAttempt.destroy({ where: { stateHash } })) !== 1) return { ok: false, reason: "unknown or already used login state" };
    if (Number(row.expiresAt) < now) return { ok: false, reason: "the login took too long, start again" };
    if (!browserNonce || sha256Hex(browserNonce) !== row.browserHash) return { ok: false, reason: "the login was started in another browser" };
    return { ok: true, installationId: row.installationId, verifier: box.decrypt(row.verifierEnc, dcLoginVerifierAad(stateHash)) };
  },
};
