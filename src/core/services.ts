import type { Config } from "../config/config";
import type { Logger } from "../config/logger";
import type { Metrics } from "../config/metrics";
import type { Database } from "../db/database";
import type { SecretBox } from "../crypto/secrets";
import type { HttpClient } from "../http/client";
import type { InstallationService, InstallationView } from "./installations";
import type { SettingsService } from "../settings/service";
import type { JobQueue } from "../pipeline/queue";
import type { HandlerRegistry } from "../pipeline/registry";
import type { BitbucketClient } from "../bitbucket/client";
import type { FrontDoors } from "./front-door";
import type { BitbucketApi, BitbucketApiRegistry } from "../bitbucket/host-api";
import type { IntegrationSwitches } from "./integration-switches";

/** Everything a route or handler may need, built once per app instance (see app.ts). */
export interface Services {
  config: Config;
  log: Logger;
  metrics: Metrics;
  db: Database;
  box: SecretBox;
  http: HttpClient;
  installations: InstallationService;
  settings: SettingsService;
  /**
   * Whether any integration is on for a repository, and announcements of integrations switched on or
   * off (`src/core/integration-switches.ts`): every integration answers, whatever keeps its switch.
   */
  switches: IntegrationSwitches;
  queue: JobQueue;
  registry: HandlerRegistry;
  /** The front doors this instance serves (Connect, Forge; each brings its host and credential kinds). */
  doors: FrontDoors;
  /** The Bitbucket client of an installation, with its credential kind's auth (cached per installation). */
  bitbucketFor(installation: InstallationView): BitbucketClient;
  /**
   * The host-neutral Bitbucket API of an installation (`src/bitbucket/host-api.ts`), chosen by the
   * installation's host from the instance's `BitbucketApiRegistry`. Integrations and pages use this,
   * never `bitbucketFor`, which only the Cloud doors and the Cloud implementation use.
   */
  bitbucketApiFor(installation: InstallationView): BitbucketApi;
  /** Which `BitbucketApi` implementation serves which host kind (a front door registers its own). */
  bitbucketApis: BitbucketApiRegistry;
}
