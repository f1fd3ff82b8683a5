import type { AuthFactory, BitbucketAuth } from "../bitbucket/auth";
import { PermanentError } from "../http/errors";

/** The installation secret holding the instance's service-account HTTP access token. */
export const DC_TOKEN_SECRET = "dcToken";

/**
 * `dc-token`, the credential kind of Data Center installations: every REST call carries
 * `Authorization: Bearer <HTTP access token>` (project and repository tokens work only as Bearer,
 * never Basic: reference datacenter-app.md §0.3). The token comes from the configuration and is
 * stored encrypted with the installation (`syncDataCenterInstallations`); it is read afresh for
 * each call, so a changed token takes effect at the next start without a cache to clear.
 */
export const dataCenterTokenAuth: AuthFactory = (installation, deps): BitbucketAuth => {
  const bearerToken = async (): Promise<string> => {
    const token = (await deps.secrets(installation.id))[DC_TOKEN_SECRET];
    if (!token) throw new PermanentError(`no Data Center access token stored for ${installation.baseUrl}`);
    return token;
  };
  return {
    async headers() {
      return { authorization: `Bearer ${await bearerToken()}` };
    },
    bearerToken,
    invalidate() {},
  };
};
