import { randomUUID } from "node:crypto";
import type { IntegrationPageContext } from "../../settings/registry";
import { HttpError } from "../../http/errors";
import type { AlertMessage } from "./message";
import { enabledTargets, type BuildAlertsSettings } from "./settings";
import { TARGET_SENDERS, TARGET_TITLES } from "./targets";

function testMessage(ctx: IntegrationPageContext<BuildAlertsSettings>, action: "open" | "close", id: string): AlertMessage {
  const now = Date.now();
  return {
    action,
    test: true,
    incidentId: id,
    dedupKey: `bitbucket-relay-test:${ctx.repository.fullName ?? ctx.repository.uuid}:${id}`,
    opens: 1,
    state: action === "open" ? "open" : "closed",
    openedAt: now,
    closedAt: action === "close" ? now : null,
    status: {
      key: "bitbucket-relay-test",
      state: action === "open" ? "FAILED" : "SUCCESSFUL",
      name: "Test alert from Bitbucket Relay",
      description: "This is a test: no build failed.",
      url: null,
      refname: null,
      commit: null,
      createdOn: new Date(now).toISOString(),
      updatedOn: new Date(now).toISOString(),
      repository: { uuid: ctx.repository.uuid, fullName: ctx.repository.fullName ?? ctx.repository.uuid, htmlUrl: null },
    },
  };
}

/**
 * "Send test alert": every target that is switched on gets a clearly marked test (PagerDuty and AlertOps
 * an open then a close with a test identity, so nothing stays open; the webhook one `test` event), sent
 * once without retries, and each target's answer is shown.
 */
export async function sendTestAlert(ctx: IntegrationPageContext<BuildAlertsSettings>): Promise<{ ok: boolean; message: string; detail?: unknown }> {
  const targets = enabledTargets(ctx.settings);
  if (!targets.length) return { ok: false, message: "Switch on at least one target (AlertOps, PagerDuty or webhook) first." };
  const id = `test-${randomUUID()}`;
  const results: Array<{ target: string; ok: boolean; answers: Array<{ status: number; body: string }>; error?: string }> = [];
  for (const target of targets) {
    const actions: Array<"open" | "close"> = target === "webhook" ? ["open"] : ["open", "close"];
    const answers: Array<{ status: number; body: string }> = [];
    try {
      for (const action of actions) answers.push(await TARGET_SENDERS[target](ctx.services, ctx.settings, testMessage(ctx, action, id), { retries: 0 }));
      results.push({ target, ok: true, answers });
    } catch (err) {
      const error = err instanceof HttpError ? `answered ${err.status}: ${err.bodySnippet}` : err instanceof Error ? err.message : String(err);
      results.push({ target, ok: false, answers, error });
    }
  }
  const line = (r: (typeof results)[number]) =>
    `${TARGET_TITLES[r.target as keyof typeof TARGET_TITLES]}: ${r.ok ? r.answers.map((a) => `${a.status} ${a.body}`.trim()).join(" / ") : r.error}`;
  return { ok: results.every((r) => r.ok), message: results.map(line).join("\n"), detail: results };
}
