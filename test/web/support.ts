import { z } from "zod";
import { Harness } from "../helpers/harness";
import { bitbucketJwt } from "../helpers/jwt";
import { defineIntegration, type IntegrationId } from "../../src/settings/registry";
import { deliveryStep, turnedOnStep } from "../../src/settings/setup-steps";
import type { HandlerRegistry } from "../../src/pipeline/registry";
import { repoPath } from "../../src/bitbucket/client";
import type { TestTenant } from "../helpers/harness";
import { issuePageApiToken } from "../../src/connect/page-api-token";

/** A small integration of the tests' own, so that the settings API is exercised without the shipped ones. */
export const TEST_ID = "test-settings";
export const TestSettingsSchema = z
  .object({
    enabled: z.boolean().default(false),
    channel: z.string().min(1, "must not be empty").max(50).default("general").describe("Channel to post to"),
    threshold: z.number().int().min(1).max(10).default(3).describe("Failures before alerting"),
    mode: z.enum(["quiet", "loud"]).default("quiet"),
    apiToken: z.string().min(8, "must be at least 8 characters").optional().describe("API token"),
  })
  .strict();

export const testIntegration = defineIntegration({
  id: TEST_ID,
  title: "Test integration",
  description: "An integration that only the tests know.",
  schema: TestSettingsSchema,
  secretFields: ["apiToken"],
  setup: (facts) => [turnedOnStep(facts), deliveryStep(facts, "Push to the repository", "Waiting for a push.")],
  async copyValues(ctx) {
    return [
      { label: "Webhook URL", value: `${ctx.services.config.baseUrl}/inbound/test/${encodeURIComponent(ctx.repository.uuid)}` },
      { label: "Token is set", value: ctx.settings.apiToken ? "yes" : "no" },
    ];
  },
  actions: {
    ping: {
      label: "Send test",
      async run(ctx) {
        if (!ctx.settings.apiToken) return { ok: false, message: "Set the API token first" };
        return { ok: true, message: `Pinged ${ctx.settings.channel} as ${ctx.actor}` };
      },
    },
  },
});

/** Handler of the test integration: reports a build status, so its outbound calls show in the log. */
export function registerTestHandler(registry: HandlerRegistry): void {
  registry.on("repo:push", { name: `${TEST_ID}.push`, integration: TEST_ID as IntegrationId }, async (ctx) => {
    const hash = ctx.payload.push.changes[0]?.new?.target?.hash;
    if (!hash) return { ignored: "no new commit" };
    const [ws, slug] = ctx.payload.repository.full_name.split("/");
    await ctx.services.bitbucketFor(ctx.installation).post(`${repoPath(ws!, slug!)}/commit/${hash}/statuses/build`, {
      key: "relay-test",
      state: "SUCCESSFUL",
      name: "Relay test",
      url: "https://example.com/test",
    });
    return { done: { hash } };
  });
}

export const ADMIN = "557058:aaaaaaaa-0000-4000-8000-000000000001";
export const WRITER = "557058:bbbbbbbb-0000-4000-8000-000000000002";
export const STRANGER = "557058:cccccccc-0000-4000-8000-000000000003";

/** Gives the harness repository an admin and a writer (STRANGER has no access). */
export function grantDefaults(h: Harness, tenant: TestTenant = h.tenant): void {
  h.fake.setRepoPermission(tenant.workspace.slug, h.repo.slug, ADMIN, "admin");
  h.fake.setRepoPermission(tenant.workspace.slug, h.repo.slug, WRITER, "write");
}

export function settingsPagePath(h: Harness, repo: { uuid: string; fullName: string } = h.repo): string {
  return `/connect/settings?repoUuid=${encodeURIComponent(repo.uuid)}&repoPath=${encodeURIComponent(repo.fullName)}`;
}

/**
 * Opens the settings page as Bitbucket's iframe would (signed `jwt`), returning the page's context
 * token (bound to the repository the page was opened for).
 */
export async function sessionFor(h: Harness, accountId: string, tenant: TestTenant = h.tenant, repo: { uuid: string; fullName: string } = h.repo): Promise<string> {
  const page = settingsPagePath(h, repo);
  const token = bitbucketJwt("GET", page, { clientKey: tenant.clientKey, sharedSecret: tenant.sharedSecret, sub: accountId });
  const res = await h.get(`${page}&jwt=${token}`);
  if (res.status !== 200) throw new Error(`settings page answered ${res.status}: ${res.text}`);
  const acpt = res.headers["x-acpt"];
  if (typeof acpt !== "string") throw new Error("no X-acpt context token");
  return acpt;
}

/**
 * A page API token as the app issues it, minted directly for `repositoryUuid` (no page load, so no
 * check that the repository is the tenant's): what a holder of the tenant's shared secret could
 * present. The API must refuse it wherever the repository is not the tenant's.
 */
export function pageApiTokenFor(tenant: TestTenant, accountId: string, repositoryUuid: string | null): string {
  return issuePageApiToken({ installation: tenant.installation, accountId, repositoryUuid }, tenant.sharedSecret);
}

export interface ApiClient {
  get(path: string): ReturnType<Harness["fetch"]>;
  put(path: string, body: unknown): ReturnType<Harness["fetch"]>;
  post(path: string, body?: unknown): ReturnType<Harness["fetch"]>;
}

/** Calls `/connect/api` as the page does: `Authorization: JWT <context token>`. */
export function apiAs(h: Harness, token: string): ApiClient {
  const headers = { authorization: `JWT ${token}`, accept: "application/json" };
  const json = { ...headers, "content-type": "application/json" };
  return {
    get: (path) => h.fetch("GET", `/connect/api${path}`, undefined, headers),
    put: (path, body) => h.fetch("PUT", `/connect/api${path}`, typeof body === "string" ? body : JSON.stringify(body), json),
    post: (path, body) => h.fetch("POST", `/connect/api${path}`, body === undefined ? undefined : JSON.stringify(body), body === undefined ? headers : json),
  };
}

export function repoBase(h: Harness): string {
  return `/repositories/${encodeURIComponent(h.repo.uuid)}`;
}

