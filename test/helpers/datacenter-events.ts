import fs from "node:fs";
import path from "node:path";
import { FIXTURES } from "./fixtures";
import { restRepository } from "../fakes/datacenter/routes/repository";
import type { FakeDataCenter, DcRepository } from "../fakes/datacenter";

/** A Data Center webhook body from test/fixtures/bitbucket/webhooks/datacenter/ (unmodified). */
export function dcFixture<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, "bitbucket/webhooks/datacenter", file), "utf8")) as T;
}

/** Every DC event fixture (webhook bodies only), by file name. */
export const DC_EVENT_FIXTURES = fs
  .readdirSync(path.join(FIXTURES, "bitbucket/webhooks/datacenter"))
  .filter((f) => /^(repo|pr)-/.test(f))
  .sort();

type Json = Record<string, unknown>;

/**
 * A fixture body pointed at a repository of the fake DC (its `RestRepository`, as DC would embed it):
 * `repository` of a push, both refs' repositories of a pull request. Every other field as captured.
 */
export function dcEventFor(fake: FakeDataCenter, repo: DcRepository, file: string): Json {
  const body = dcFixture<Json>(file);
  const rest = restRepository(fake, repo);
  if (body.repository) body.repository = rest;
  const pr = body.pullRequest as { fromRef: Json; toRef: Json } | undefined;
  if (pr) {
    pr.fromRef.repository = rest;
    pr.toRef.repository = rest;
  }
  return body;
}
