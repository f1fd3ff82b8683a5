import { approvalsOf, ageStart } from "./classify";
import type { RadarPullRequest } from "./model";
import type { ReviewRadarSettings } from "./settings";
import type { RepositoryWebLinks } from "../../bitbucket/web-links";

/** Most pull requests a chat message lists (chat payloads have size limits); the rest is a count. */
export const DIGEST_MAX_ITEMS = 15;

export interface DigestItem {
  id: number;
  title: string;
  url: string | null;
  author: string;
  age: string;
  ageLevel: "fresh" | "warn" | "alert";
  approvals: number;
  required: number;
  /** Reviewers who have not approved yet. */
  waitingOn: string[];
}

export interface Digest {
  repository: string;
  /** The repository's pull request list on Bitbucket. */
  listUrl: string | null;
  total: number;
  items: DigestItem[];
  more: number;
  /** Sent by "Send test reminder": the headline says so. */
  test?: boolean;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function humanAge(ms: number): string {
  if (ms >= DAY) {
    const d = Math.floor(ms / DAY);
    return `${d} day${d === 1 ? "" : "s"}`;
  }
  const h = Math.floor(ms / HOUR);
  if (h >= 1) return `${h} hour${h === 1 ? "" : "s"}`;
  return "less than an hour";
}

type DigestOptions = Pick<ReviewRadarSettings, "requiredApprovals" | "ageFrom" | "ageWarnDays" | "ageAlertDays">;

/**
 * The digest of PRs waiting for review (already filtered and sorted oldest first). `links`: the
 * repository's pages on its host (`repositoryWebLinks`: Cloud `…/ws/slug/pull-requests/`, Data Center
 * `…/projects/P/repos/r/pull-requests`), or a Cloud site URL, or null for no list link.
 */
export function buildDigest(
  repository: string,
  links: string | Pick<RepositoryWebLinks, "pullRequests"> | null,
  waiting: RadarPullRequest[],
  o: DigestOptions,
  now: number,
): Digest {
  const items = waiting.slice(0, DIGEST_MAX_ITEMS).map((pr): DigestItem => {
    const ageMs = Math.max(0, now - ageStart(pr, o.ageFrom));
    return {
      id: pr.id,
      title: pr.title,
      url: pr.url,
      author: pr.author.displayName,
      age: humanAge(ageMs),
      ageLevel: ageMs >= o.ageAlertDays * DAY ? "alert" : ageMs >= o.ageWarnDays * DAY ? "warn" : "fresh",
      approvals: approvalsOf(pr),
      required: o.requiredApprovals,
      waitingOn: pr.participants.filter((p) => p.role === "REVIEWER" && p.state === "pending").map((p) => p.displayName),
    };
  });
  return {
    repository,
    listUrl: typeof links === "string" ? `${links.replace(/\/$/, "")}/${repository}/pull-requests/` : (links?.pullRequests ?? null),
    total: waiting.length,
    items,
    more: Math.max(0, waiting.length - items.length),
  };
}

export function headline(d: Digest): string {
  return `${d.test ? "[Test] " : ""}${d.total} pull request${d.total === 1 ? "" : "s"} waiting for review in ${d.repository}`;
}

export function facts(i: DigestItem): string {
  const parts = [`by ${i.author}`, `${i.age} old`, `${i.approvals}/${i.required} approvals`];
  if (i.waitingOn.length) parts.push(`waiting on ${i.waitingOn.join(", ")}`);
  return parts.join(" · ");
}
