import { useEffect, useState } from "react";
import Button from "@atlaskit/button/new";
import { Inline, Text } from "@atlaskit/primitives";
import { describeError } from "./api";
import type { ApplyRun, WorkspaceApi } from "./workspace-api";

/**
 * "Apply to all repositories": the repositories with settings of their own stop overriding this
 * integration and follow the workspace defaults. Runs in the background; progress is polled.
 */
export function ApplyDefaults({ api, integration, repositories }: { api: WorkspaceApi; integration: string; repositories: number }) {
  const [run, setRun] = useState<ApplyRun | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!run || run.status === "finished" || run.status === "failed") return;
    const timer = setTimeout(() => void api.run(run.id).then(setRun, (err: unknown) => setError(describeError(err))), 1000);
    return () => clearTimeout(timer);
  }, [api, run]);
  const start = async () => {
    setError(null);
    try {
      setRun(await api.apply(integration, "all"));
    } catch (err) {
      setError(describeError(err));
    }
  };
  const busy = run !== null && (run.status === "queued" || run.status === "running");
  return (
    <Inline space="space.100" alignBlock="center">
      <Button isDisabled={busy || repositories === 0} onClick={() => void start()} testId={`apply-${integration}`}>
        Apply to all repositories
      </Button>
      <Text color="color.text.subtle" testId={`apply-progress-${integration}`}>
        {error ?? (run ? `${run.status}: ${run.done}/${run.total} repositories, ${run.updated} changed` : `${repositories} repositories have settings of their own`)}
      </Text>
    </Inline>
  );
}
