import { useEffect, useState } from "react";
import { token } from "@atlaskit/tokens";
import { Box, Inline, Stack, Text, xcss } from "@atlaskit/primitives";
import type { SettingsApi } from "./api";
import { formatAgo } from "./format";
import type { LastDelivery, SetupView } from "./types";

/** How often the checklist asks again while a step is open, and once it is complete (to keep "3 min ago" true). */
const POLL_OPEN_MS = 4000;
const POLL_DONE_MS = 60_000;

const boxStyle = xcss({ backgroundColor: "color.background.neutral.subtle", borderRadius: "radius.medium", padding: "space.150" });
const markStyle = { display: "inline-block", width: 20, textAlign: "center" as const, fontWeight: 700 };

const OUTCOME: Record<LastDelivery["outcome"], { text: string; color: string }> = {
  ok: { text: "OK", color: token("color.text.success") },
  ignored: { text: "skipped", color: token("color.text.subtle") },
  failed: { text: "failed", color: token("color.text.danger") },
  pending: { text: "being handled", color: token("color.text.subtle") },
};

/**
 * An integration's setup checklist with live state from the server: each step ticked when the app
 * sees it done, the newest delivery's time and outcome, and a link to the activity log filtered to
 * the integration. Asks the server again every few seconds while a step is open and the tab is visible.
 */
export function SetupChecklist({ cardId, initial, api, onShowActivity }: { cardId: string; initial: SetupView; api: SettingsApi; onShowActivity(integration: string): void }) {
  const [view, setView] = useState(initial);
  useEffect(() => setView(initial), [initial]);
  useEffect(() => {
    let stopped = false;
    const timer = setTimeout(
      async function tick() {
        if (stopped) return;
        if (document.visibilityState !== "hidden") {
          try {
            const next = await api.setup(cardId);
            if (!stopped) setView(next);
          } catch {
            // The next tick tries again; the page's other calls report errors.
          }
        }
      },
      view.complete ? POLL_DONE_MS : POLL_OPEN_MS,
    );
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, cardId, view]);

  const last = view.lastDelivery;
  return (
    <Box xcss={boxStyle} testId={`setup-${cardId}`} data-complete={String(view.complete)}>
      <Stack space="space.075">
        <Text weight="bold" as="p">
          Setup {view.complete ? "complete" : "checklist"}
        </Text>
        <ol style={{ margin: 0, paddingInlineStart: 0, listStyle: "none" }}>
          {view.steps.map((s, i) => (
            <li key={s.id} data-testid={`setup-step-${s.id}`} data-done={String(s.done)} style={{ marginBlock: 2 }}>
              <span aria-hidden="true" style={{ ...markStyle, color: s.done ? token("color.icon.success") : token("color.icon.subtle") }}>
                {s.done ? "✓" : "○"}
              </span>
              <span>
                {i + 1}. {s.label}
              </span>
              <span className="relay-visually-hidden"> ({s.done ? "done" : "not done yet"})</span>
              {s.detail ? (
                <Text size="small" color="color.text.subtle">
                  {" "}
                  — {s.detail}
                </Text>
              ) : null}
            </li>
          ))}
        </ol>
        <Inline space="space.100" alignBlock="center" testId={`last-delivery-${cardId}`}>
          {last ? (
            <Text size="small">
              Last event received {formatAgo(last.at)},{" "}
              <span style={{ color: OUTCOME[last.outcome].color, fontWeight: 600 }} data-testid="last-outcome" data-outcome={last.outcome}>
                {OUTCOME[last.outcome].text}
              </span>
              {last.reason ? `: ${last.reason}` : ""}
            </Text>
          ) : (
            <Text size="small" color="color.text.subtle">
              Nothing received yet.
            </Text>
          )}
          <a
            href="#activity"
            data-testid={`show-activity-${cardId}`}
            onClick={(e) => {
              e.preventDefault();
              onShowActivity(cardId);
            }}
          >
            See its activity
          </a>
        </Inline>
      </Stack>
    </Box>
  );
}
