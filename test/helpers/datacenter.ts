import { Harness, type HarnessOptions } from "./harness";
import { FakeDataCenter, type DcRepository, type DcUser } from "../fakes/datacenter";
import { dataCenterInstanceId } from "../../src/bitbucket/repository-id";
import { dataCenterClientKey } from "../../src/datacenter/installations";
import type { InstallationView } from "../../src/core/installations";

export interface DataCenterSetup {
  fake: FakeDataCenter;
  /** The service account whose HTTP access token the app holds (REPO_ADMIN on project PROJ). */
  service: DcUser;
  serviceToken: string;
  repo: DcRepository;
  /** The app's env for this instance (BITBUCKET_DC_*). */
  env: Record<string, string>;
}

/**
 * A fake Data Center with project PROJ, repository PROJ/widgets and a service account holding a
 * user HTTP access token with PROJECT_ADMIN on PROJ; the app env that points at it.
 */
export async function fakeDataCenter(): Promise<DataCenterSetup> {
  const fake = await FakeDataCenter.start();
  const repo = fake.addRepository("PROJ", "widgets");
  const service = fake.addUser("relay-bot", { type: "NORMAL", displayName: "Relay bot" });
  fake.grant(service, "PROJECT_ADMIN", { project: "PROJ" });
  const serviceToken = fake.issueToken({ user: service, permissions: ["PROJECT_ADMIN", "REPO_ADMIN"] });
  const env = {
    BITBUCKET_DC_BASE_URL: fake.baseUrl,
    BITBUCKET_DC_TOKEN: serviceToken,
    BITBUCKET_DC_CLIENT_ID: "relay-client",
    BITBUCKET_DC_CLIENT_SECRET: "relay-client-secret",
  };
  return { fake, service, serviceToken, repo, env };
}

/** A Harness (app + fake Cloud) whose app also serves the fake DC instance; no Cloud tenant installed. */
export async function dataCenterHarness(dc: DataCenterSetup, opts: HarnessOptions = {}): Promise<{ h: Harness; installation: InstallationView }> {
  const h = await Harness.start({ install: false, ...opts, env: { ...dc.env, ...opts.env } });
  const installation = await h.services.installations.findByClientKey("datacenter", dataCenterClientKey(dataCenterInstanceId(dc.fake.baseUrl)));
  if (!installation) throw new Error("the Data Center installation was not created at start-up");
  return { h, installation };
}
