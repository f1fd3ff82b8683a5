import { useEffect, useState } from "react";
import Button from "@atlaskit/button/new";
import { Inline, Stack, Text } from "@atlaskit/primitives";
import { describeError } from "./api";
import type { ApplyRun, WorkspaceApi } from "./workspace-api";

export interface ApplyDefaultsProps {
  api: WorkspaceApi;
  integration: string;
  /** The repositories with settings of their own (the ones an apply can change). */
  repositories: Array<{ uuid: string; fullName: string | null }>;
}

/**
 * "Apply to all / selected repositories": the chosen repositories stop overriding this integration
 * and follow the workspace defaults. Runs in the background; progress is polled.
 */
export function ApplyDefaults({ api, integration, repositories }: ApplyDefaultsProps) {
  const [run, setRun] = useState<ApplyRun | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  useEffect(() => {
    if (!run || run.status === "finished" || run.status === "failed") return;
    const timer = setTimeout(() => void api.run(run.id).then(setRun, (err: unknown) => setError(describeError(err))), 1000);
    return () => clearTimeout(timer);
  }, [api, run]);
  const start = async (which: "all" | string[]) => {
    setError(null);
    try {
      setRun(await api.apply(integration, which));
    } catch (err) {
      setError(describeError(err));
    }
  };
  const busy = run !== null && (run.status === "queued" || run.status === "running");
  const toggle = (uuid: string, on: boolean) => setSelected((now) => (on ? [...now, uuid] : now.filter((u) => u !== uuid)));
  return (
    <Stack space="space.100">
      <Inline space="space.100" alignBlock="center" shouldWrap>
        <Button isDisabled={busy || repositories.length === 0} onClick={() => void start("all")} testId={`apply-${integration}`}>
          Apply to all repositories
        </Button>
        <Button isDisabled={busy || selected.length === 0} onClick={() => void start(selected)} testId={`apply-selected-${integration}`}>
          {`Apply to selected (${selected.length})`}
        </Button>
        <Text color="color.text.subtle" testId={`apply-progress-${integration}`}>
          {error ?? (run ? `${run.status}: ${run.done}/${run.total} repositories, ${run.updated} changed` : `${repositories.length} repositories have settings of their own`)}
        </Text>
      </Inline>
      {repositories.length ? (
        <fieldset style={{ border: 0, margin: 0, padding: 0 }}>
          <legend>
            <Text size="small">Repositories with settings of their own</Text>
          </legend>
          {repositories.map((r) => (
            <label key={r.uuid} style={{ display: "block" }}>
              <input
                type="checkbox"
                data-testid={`apply-pick-${integration}-${r.uuid}`}
                checked={selected.includes(r.uuid)}
                onChange={(e) => toggle(r.uuid, e.currentTarget.checked)}
              />{" "}
              {r.fullName ?? r.uuid}
            </label>
          ))}
        </fieldset>
      ) : null}
    </Stack>
  );
}
