import type { BitbucketEventPayloads } from "../bitbucket/events";

/**
 * Every inbound event the pipeline carries, keyed by event key. Integrations that bring events of
 * their own (Buildkite builds) add them here by declaration merging:
 *   declare module "../../pipeline/events" { interface EventMap { "buildkite:build": BuildkiteBuildEvent } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface EventMap extends BitbucketEventPayloads {}

/** Jobs that handlers enqueue for later (derived work), keyed by job name, merged the same way. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface JobMap {}

export type EventKey = keyof EventMap & string;
export type JobName = keyof JobMap & string;
