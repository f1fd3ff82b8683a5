import { useState } from "react";
import Button from "@atlaskit/button/new";
import SectionMessage from "@atlaskit/section-message";
import { Inline, Stack } from "@atlaskit/primitives";
import type { SettingsApi } from "./api";
import { describeError } from "./api";
import type { ActionResult, SettingsCard } from "./types";

/** The integration's actions ("Send test alert"), each showing its result. */
export function Actions({ card, api, disabled }: { card: SettingsCard; api: SettingsApi; disabled: boolean }) {
  const [running, setRunning] = useState<string | null>(null);
  const [result, setResult] = useState<(ActionResult & { label: string }) | null>(null);
  if (!card.actions.length) return null;
  const run = async (id: string, label: string) => {
    setRunning(id);
    setResult(null);
    try {
      setResult({ ...(await api.runAction(card.id, id)), label });
    } catch (err) {
      setResult({ ok: false, message: describeError(err), detail: null, label });
    } finally {
      setRunning(null);
    }
  };
  return (
    <Stack space="space.100">
      <Inline space="space.100">
        {card.actions.map((a) => (
          <Button key={a.id} isDisabled={disabled || running !== null} isLoading={running === a.id} onClick={() => void run(a.id, a.label)}>
            {a.label}
          </Button>
        ))}
      </Inline>
      {result ? (
        <SectionMessage appearance={result.ok ? "success" : "error"} title={result.label} testId="action-result">
          {result.message}
        </SectionMessage>
      ) : null}
    </Stack>
  );
}
