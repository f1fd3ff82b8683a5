import type { Services } from "../../core/services";
import type { InstallationView } from "../../core/installations";
import { HttpError } from "../../http/errors";
import { classify, PANEL_ROWS_PER_SECTION } from "./classify";
import type { BuildSummary, PanelView, RadarPullRequest, SectionId } from "./model";
import { PullRequestCache, type CachedPullRequests } from "./pr-cache";
import type { ReviewRadarSettings } from "./settings";
import { CommitStatusStore, commitKey, summarize, toStored, type StoredStatus } from "./status-store";

/** Most commits one status lookup resolves (one Bitbucket call each), and how many run at once. */
export const STATUS_LOOKUP_MAX = 50;
const STATUS_LOOKUP_CONCURRENCY = 4;

/**
 * The radar's data: open pull requests (cached per repository, filled with ⌈n/50⌉ calls, emptied by
 * webhooks) and build statuses of their source commits (from webhooks, else looked up per commit).
 */
export class ReviewRadar {
  readonly cache: PullRequestCache;
  readonly statuses: CommitStatusStore;
  private readonly inflight = new Map<string, Promise<{ value: CachedPullRequests; fromCache: boolean }>>();

  constructor(private readonly services: Services) {
    this.cache = new PullRequestCache(services.db);
    this.statuses = new CommitStatusStore(services.db);
  }

  /** Open pull requests of a repository: from the cache, or fetched once however many ask at the same time. */
  async pullRequests(installation: InstallationView, repositoryUuid: string): Promise<{ value: CachedPullRequests; fromCache: boolean }> {
    const key = `${installation.id}|${repositoryUuid}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const p = this.load(installation, repositoryUuid).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private async load(installation: InstallationView, repositoryUuid: string): Promise<{ value: CachedPullRequests; fromCache: boolean }> {
    const { generation, hit } = await this.cache.read(installation.id, repositoryUuid);
    if (hit) return { value: hit, fromCache: true };
    // By id only: the host API scopes it to the installation's own workspace (or instance).
    const listed = await this.services.bitbucketApiFor(installation).openPullRequests({ id: repositoryUuid, fullName: null });
    const value: CachedPullRequests = {
      pullRequests: listed.pullRequests,
      fetchedAt: Date.now(),
      calls: listed.calls,
    };
    await this.cache.write(installation.id, repositoryUuid, generation, value);
    return { value, fromCache: false };
  }

  async buildsOf(installationId: string, repositoryUuid: string, prs: RadarPullRequest[]): Promise<Map<string, BuildSummary | null>> {
    const commits = prs.flatMap((pr) => (pr.sourceCommit ? [pr.sourceCommit] : []));
    const stored = await this.statuses.get(installationId, repositoryUuid, commits);
    const out = new Map<string, BuildSummary | null>();
    for (const [k, list] of stored) out.set(k, summarize(list));
    return out;
  }

  /**
   * The panel for a viewer: every section's `total`, its first `PANEL_ROWS_PER_SECTION` rows (all rows
   * of `expand`, the section the viewer opened with "Show all"), and the shown rows' commits whose
   * build status is not known yet (`missingStatuses`) — so a cold panel costs ⌈open PRs/50⌉ list pages
   * plus one status call per shown row, never one per open pull request (issue 17).
   */
  async panel(
    installation: InstallationView,
    repository: { uuid: string; fullName: string | null },
    viewer: string | null,
    settings: ReviewRadarSettings,
    now = Date.now(),
    expand: SectionId | null = null,
  ): Promise<PanelView> {
    const { value, fromCache } = await this.pullRequests(installation, repository.uuid);
    const builds = await this.buildsOf(installation.id, repository.uuid, value.pullRequests);
    const missing = new Set<string>();
    const sections = classify(value.pullRequests, viewer, settings, now, (commit) => {
      if (!commit) return null;
      const k = commitKey(commit);
      if (!builds.has(k)) missing.add(commit);
      return builds.get(k) ?? null;
    }, (id) => (id === expand ? Number.POSITIVE_INFINITY : PANEL_ROWS_PER_SECTION));
    return {
      repository,
      viewer: { accountId: viewer },
      settings: {
        requiredApprovals: settings.requiredApprovals,
        ageWarnDays: settings.ageWarnDays,
        ageAlertDays: settings.ageAlertDays,
        drafts: settings.drafts,
        ageFrom: settings.ageFrom,
      },
      generatedAt: now,
      fetchedAt: value.fetchedAt,
      fromCache,
      openPullRequests: value.pullRequests.length,
      sections,
      missingStatuses: [...missing],
    };
  }

  /**
   * Build statuses of commits not known yet: one call per commit (Cloud has no bulk form), only
   * for commits of open pull requests of this repository, at most `STATUS_LOOKUP_MAX` per request.
   */
  async lookupStatuses(installation: InstallationView, repositoryUuid: string, commits: string[]): Promise<Record<string, BuildSummary | null>> {
    const { value } = await this.pullRequests(installation, repositoryUuid);
    const open = new Set(value.pullRequests.flatMap((pr) => (pr.sourceCommit ? [commitKey(pr.sourceCommit)] : [])));
    const wanted = [...new Set(commits.filter((c) => open.has(commitKey(c))))].slice(0, STATUS_LOOKUP_MAX);
    const known = await this.statuses.get(installation.id, repositoryUuid, wanted);
    const out: Record<string, BuildSummary | null> = {};
    const todo: string[] = [];
    for (const c of wanted) {
      const k = known.get(commitKey(c));
      if (k) out[c] = summarize(k);
      else todo.push(c);
    }
    const api = this.services.bitbucketApiFor(installation);
    const at = { id: repositoryUuid, fullName: null };
    const worker = async () => {
      for (let c = todo.shift(); c !== undefined; c = todo.shift()) {
        let found: StoredStatus[];
        try {
          found = (await api.commitStatuses(at, c)).map(toStored);
        } catch (err) {
          if (!(err instanceof HttpError && err.status === 404)) throw err;
          found = []; // the commit is gone (force-push): nothing to show
        }
        await this.statuses.putFetched(installation.id, repositoryUuid, c, found);
        out[c] = summarize(found);
      }
    };
    await Promise.all(Array.from({ length: Math.min(STATUS_LOOKUP_CONCURRENCY, todo.length) }, worker));
    return out;
  }

  async purge(installationId: string): Promise<void> {
    await this.cache.purge(installationId);
    await this.statuses.purge(installationId);
  }
}

const instances = new WeakMap<Services, ReviewRadar>();

/** The radar of one app instance. */
export function radarOf(services: Services): ReviewRadar {
  let r = instances.get(services);
  if (!r) {
    r = new ReviewRadar(services);
    instances.set(services, r);
  }
  return r;
}
