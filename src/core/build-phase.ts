import type { Services } from "./services";

/** Whether the build behind a commit status is still running or has finished. */
export type BuildPhase = "running" | "finished";

/** A commit status as Bitbucket reported it (its webhook), the question a phase source answers. */
export interface StatusQuestion {
  installationId: string;
  repositoryUuid: string;
  /** Full commit hash, or null when the status names none. */
  commit: string | null;
  key: string;
  state: string;
  name: string | null;
  description: string | null;
}

/**
 * A producer of commit statuses that knows its builds' phase (the Buildkite integration: Buildkite's
 * `failing` is a FAILED status of a build still running). Returns null for a status it did not post.
 */
export type PhaseSource = (services: Services, status: StatusQuestion) => Promise<BuildPhase | null>;

const SOURCES = new Map<string, PhaseSource>();

/** Registers (or replaces) a named phase source; integrations call it from `register`. */
export function registerPhaseSource(name: string, source: PhaseSource): void {
  SOURCES.set(name, source);
}

/**
 * The phase of a status's build: the first source that knows; otherwise `finished` (Bitbucket
 * Pipelines and most CI servers post FAILED only when the build has ended).
 */
export async function phaseOf(services: Services, status: StatusQuestion): Promise<BuildPhase> {
  for (const source of SOURCES.values()) {
    const phase = await source(services, status);
    if (phase) return phase;
  }
  return "finished";
}
