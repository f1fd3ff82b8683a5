import type { AuthDeps, AuthFactory, BitbucketAuth } from "../bitbucket/auth";
import type { InstallationView } from "../core/installations";
import { RetryLaterError } from "../http/errors";
import { parseStoredToken, SYSTEM_TOKEN_SECRET } from "./system-token";

/** A token this close to its expiry is not used (a call may take a while, retries included). */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * Forge installations: every Bitbucket call carries `Authorization: Bearer <app system token>`, the
 * latest one Forge handed the remote (stored encrypted by the front door). There is no refresh
 * endpoint: without a valid token the job fails retryably (the retry policy's back-off) until
 * Forge's next invocation (every event, UI call and the hourly scheduled trigger) brings one.
 */
class ForgeSystemTokenAuth implements BitbucketAuth {
  constructor(
    private readonly installation: InstallationView,
    private readonly deps: AuthDeps,
  ) {}

  async headers(): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await this.bearerToken()}` };
  }

  async bearerToken(): Promise<string> {
    const stored = parseStoredToken((await this.deps.secrets(this.installation.id))[SYSTEM_TOKEN_SECRET]);
    if (!stored) throw new RetryLaterError("no Forge system token received yet for this installation");
    if (stored.expiresAt < Date.now() + EXPIRY_MARGIN_MS) {
      throw new RetryLaterError("the Forge system token has expired; waiting for Forge's next invocation");
    }
    return stored.token;
  }

  /** Nothing cached here: the token is read afresh for every call, and only Forge can rotate it. */
  invalidate(): void {}
}

/** The `forge-system-token` credential kind of Forge installations. */
export const forgeSystemTokenAuth: AuthFactory = (installation, deps) => new ForgeSystemTokenAuth(installation, deps);
