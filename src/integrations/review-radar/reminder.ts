import type { Services } from "../../core/services";
import type { InstallationView } from "../../core/installations";
import type { IntegrationPageContext } from "../../settings/registry";
import { waitingForReview } from "./classify";
import { sendToChat, type ChatAnswer } from "./chat/send";
import { chatTargets, type ChatKind } from "./chat/targets";
import { buildDigest, type Digest } from "./digest";
import { radarOf } from "./radar";
import { repositoryWebLinks } from "../../bitbucket/web-links";
import type { ReviewRadarSettings } from "./settings";

const TITLES: Record<ChatKind, string> = { slack: "Slack", teams: "Microsoft Teams", googleChat: "Google Chat" };

/**
 * The digest a reminder would post now: open pull requests waiting for review (cached list), oldest
 * first. `fullName` (Cloud `workspace/slug`, Data Center `PROJ/slug`) names the repository and links its
 * pull request list on its host (`repositoryWebLinks`); without it the id stands in.
 */
export async function currentDigest(
  services: Services,
  installation: InstallationView,
  repository: { uuid: string; fullName: string | null },
  settings: ReviewRadarSettings,
): Promise<{ digest: Digest; waiting: number }> {
  const { value } = await radarOf(services).pullRequests(installation, repository.uuid);
  const waiting = waitingForReview(value.pullRequests, settings);
  const name = repository.fullName ?? repository.uuid;
  const links = repository.fullName ? repositoryWebLinks(installation, repository.fullName) : null;
  const digest = buildDigest(name, links, waiting, settings, Date.now());
  return { digest, waiting: waiting.length };
}

/**
 * "Send test reminder": the current digest, marked as a test, to every configured chat webhook (even
 * while reminders are off), once without retries. Each chat service's answer is shown as its status and
 * a short sanitised excerpt (a refusal by the outbound policy as its reason).
 */
export async function sendTestReminder(ctx: IntegrationPageContext<ReviewRadarSettings>): Promise<{ ok: boolean; message: string; detail?: unknown }> {
  const targets = chatTargets(ctx.settings);
  if (!targets.length) return { ok: false, message: "Set a Slack, Microsoft Teams or Google Chat webhook URL first." };
  const { digest, waiting } = await currentDigest(ctx.services, ctx.installation, ctx.repository, ctx.settings);
  const results: Array<{ target: ChatKind; ok: boolean; answer?: ChatAnswer; error?: string }> = [];
  for (const t of targets) {
    try {
      results.push({ target: t.kind, ok: true, answer: await sendToChat(ctx.services, t.kind, t.url, { ...digest, test: true }, { retries: 0 }) });
    } catch (err) {
      results.push({ target: t.kind, ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  }
  const line = (r: (typeof results)[number]) => `${TITLES[r.target]}: ${r.answer ? `${r.answer.status} ${r.answer.body}`.trim() : r.error}`;
  const head = `Test digest with ${waiting} pull request${waiting === 1 ? "" : "s"} waiting for review.`;
  return { ok: results.every((r) => r.ok), message: [head, ...results.map(line)].join("\n"), detail: results };
}
