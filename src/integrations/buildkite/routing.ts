import type { BuildkiteBuild } from "./build-event";
import type { BuildkiteSettings } from "./settings";
import { matchesAnyGlob, sameName } from "../../core/names";
import { gitUrlMatches, type CloneUrlMatcher } from "./repo-url";

export interface CandidateRepository {
  repositoryUuid: string;
  repositoryFullName: string | null;
  settings: BuildkiteSettings;
}

export interface Selection {
  via: "mapping" | "url" | null;
  repositories: CandidateRepository[];
}

/** Whether a repository's explicit mapping lists the build's pipeline (`slug` or `org/slug`). */
export function pipelineListed(settings: BuildkiteSettings, build: Pick<BuildkiteBuild, "organization" | "pipeline">): boolean {
  const slug = build.pipeline.slug;
  const org = build.organization ?? null;
  return settings.pipelines.some((ref) => {
    const [a, b] = ref.split("/");
    return b === undefined ? sameName(a, slug, { ignoreCase: true }) : sameName(a, org, { ignoreCase: true }) && sameName(b, slug, { ignoreCase: true });
  });
}

/**
 * The repositories (Buildkite switched on) a build reports to: those whose settings list its
 * pipeline explicitly; when none does, those whose full name its pipeline's git URL points at
 * (`urls`: the installation's clone-URL rules, `cloneUrlMatcher`; a host list means Cloud's rules on those hosts).
 */
export function selectRepositories(build: BuildkiteBuild, enabled: CandidateRepository[], urls: string[] | CloneUrlMatcher): Selection {
  const matches: CloneUrlMatcher = Array.isArray(urls) ? (gitUrl, fullName) => gitUrlMatches(gitUrl, fullName, urls) : urls;
  const mapped = enabled.filter((r) => pipelineListed(r.settings, build));
  if (mapped.length) return { via: "mapping", repositories: mapped };
  const repoUrl = build.pipeline.repo;
  if (!repoUrl) return { via: null, repositories: [] };
  const matched = enabled.filter((r) => r.repositoryFullName && matches(repoUrl, r.repositoryFullName));
  return { via: matched.length ? "url" : null, repositories: matched };
}

/** The branch filter (`*` globs, compared in NFC: src/core/names.ts); an empty filter lets every build through. */
export function branchAllowed(branches: string[], branch: string | null): boolean {
  if (!branches.length) return true;
  return matchesAnyGlob(branches, branch);
}

const FULL_SHA = /^[0-9a-f]{40}$/i;
const ANY_SHA = /^[0-9a-f]{7,40}$/i;

/** Why a repository's filters skip a build, or null when it is reported. */
export function skipReason(build: BuildkiteBuild, settings: BuildkiteSettings): string | null {
  if (!ANY_SHA.test(build.commit)) return `commit "${build.commit.slice(0, 64)}" is not a commit SHA`;
  if (settings.skipNonShaCommits && !FULL_SHA.test(build.commit)) return `commit "${build.commit}" is not a full SHA`;
  if (settings.skipTriggerJobs && build.source === "trigger_job") return "build was started by a trigger step (source trigger_job)";
  if (!branchAllowed(settings.branches, build.branch)) return `branch "${build.branch ?? ""}" is not in the branch filter`;
  return null;
}
