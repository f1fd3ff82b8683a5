import type { HandlerRegistry } from "../../src/pipeline/registry";
import { repoPath } from "../../src/bitbucket/client";

/**
 * A handler for core tests: on every push it reports a build status on the pushed commit, so a
 * delivery's processing ends in a Bitbucket call the fake verifies.
 */
export function registerEchoHandler(registry: HandlerRegistry, opts: { delayMs?: number; key?: (hash: string) => string } = {}): void {
  registry.on("repo:push", { name: "core.echo", integration: "core" }, async (ctx) => {
    const change = ctx.payload.push.changes[0];
    const hash = change?.new?.target?.hash;
    if (!hash) return { ignored: "no new commit" };
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    const [ws, slug] = ctx.payload.repository.full_name.split("/");
    await ctx.services.bitbucketFor(ctx.installation).post(`${repoPath(ws!, slug!)}/commit/${hash}/statuses/build`, {
      key: opts.key ? opts.key(hash) : "relay-echo",
      state: "SUCCESSFUL",
      name: "Relay echo",
      url: "https://example.com/echo",
    });
    return { done: { hash } };
  });
}

/** A push payload (the real 2023 capture) for the harness repository and a given commit. */
export function pushPayload(base: Record<string, unknown>, hash: string, branch = "main"): Record<string, unknown> {
  const push = base.push as { changes: Array<Record<string, unknown>> };
  const change = push.changes[0]!;
  const next = { ...(change.new as Record<string, unknown>), name: branch, target: { ...((change.new as { target: object }).target), hash } };
  return { ...base, push: { changes: [{ ...change, new: next }] } };
}
