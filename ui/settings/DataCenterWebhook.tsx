import { useCallback, useEffect, useState, type ReactNode } from "react";
import Button from "@atlaskit/button/new";
import Heading from "@atlaskit/heading";
import Lozenge from "@atlaskit/lozenge";
import SectionMessage from "@atlaskit/section-message";
import { Box, Inline, Stack, Text, xcss } from "@atlaskit/primitives";
import { describeError, type SettingsApi } from "./api";
import { formatAgo, formatTime } from "./format";
import type { DataCenterWebhookState, WebhookOutcome } from "./types";

/** How often the section asks again while a check runs, and otherwise (to keep "3 min ago" and the periodic repair's result true). */
const POLL_CHECKING_MS = 1500;
const POLL_IDLE_MS = 60_000;

const boxStyle = xcss({ borderColor: "color.border", borderStyle: "solid", borderWidth: "border.width", borderRadius: "radius.medium", padding: "space.200" });
const termStyle = { fontWeight: 600, marginInlineEnd: 6 };

const CHECK: Record<WebhookOutcome, { text: string; appearance: "success" | "removed" | "default" | "inprogress" }> = {
  registered: { text: "registered", appearance: "success" },
  repaired: { text: "repaired", appearance: "success" },
  unchanged: { text: "OK", appearance: "success" },
  removed: { text: "removed", appearance: "default" },
  failed: { text: "failed", appearance: "removed" },
};

/** How an admin's request ended, for the live region. */
const DONE: Record<WebhookOutcome, string> = {
  registered: "the webhook was registered",
  repaired: "the webhook was repaired",
  unchanged: "the webhook needed no repair",
  removed: "the webhook was removed (no integration is on)",
  failed: "the check failed (see Problem)",
};

/** DC's invocation outcomes (`RestDetailedInvocation.result.outcome`) in words. */
const DELIVERY: Record<string, string> = { SUCCESS: "delivered", FAILURE: "the app answered with an error", ERROR: "the app could not be reached" };

function Row({ term, children, testId }: { term: string; children: ReactNode; testId?: string }) {
  return (
    <div data-testid={testId}>
      <dt style={{ ...termStyle, display: "inline" }}>{term}:</dt>
      <dd style={{ display: "inline", margin: 0 }}>{children}</dd>
    </div>
  );
}

/**
 * The repository's own webhook on Bitbucket Data Center (issue 16 step 3), once per repository at
 * the top of the settings page: whether it is registered and with which events, the last check
 * (periodic repair or a settings change) with its outcome, time and error in plain words, and DC's
 * latest delivery. Repository admins get "Repair now" and "Rotate secret" (both run the sync job in
 * the app's worker; the section asks again until it finished). `refresh` changes when the page
 * saved a card (switching an integration on or off registers or removes the webhook).
 */
export function DataCenterWebhook({ api, refresh }: { api: SettingsApi; refresh: number }) {
  const [state, setState] = useState<DataCenterWebhookState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<"repair" | "rotate" | null>(null);
  const [requested, setRequested] = useState<"repair" | "rotate" | null>(null);

  const load = useCallback(async () => {
    try {
      setState(await api.webhook());
      setError(null);
    } catch (err) {
      setError(describeError(err));
    }
  }, [api]);

  useEffect(() => {
    void load();
  }, [load, refresh]);

  useEffect(() => {
    if (!state) return;
    const timer = setTimeout(() => void (document.visibilityState === "hidden" ? undefined : load()), state.checking ? POLL_CHECKING_MS : POLL_IDLE_MS);
    return () => clearTimeout(timer);
  }, [state, load]);

  const run = async (what: "repair" | "rotate") => {
    setBusy(what);
    setRequested(null);
    try {
      setState(what === "repair" ? await api.repairWebhook() : await api.rotateWebhookSecret());
      setRequested(what);
      setError(null);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(null);
    }
  };

  const hook = state?.webhook ?? null;
  const last = hook?.lastDelivery ?? null;
  // What the live region says about the admin's last request: while the job runs, then how it ended.
  const notice = !requested || !state ? null : state.checking ? (requested === "repair" ? "Checking the webhook on Data Center now…" : "Rotating the secret now…") : requested === "rotate" && hook?.state !== "failed" ? "Done: the secret was rotated." : `Done: ${DONE[hook?.state ?? "unchanged"]}.`;
  return (
    <Box xcss={boxStyle} as="section" testId="dc-webhook" data-state={hook?.state ?? "none"} data-checking={String(state?.checking ?? true)}>
      <Stack space="space.100">
        <Heading size="small" as="h2">
          Data Center webhook
        </Heading>
        <Text color="color.text.subtle" as="p">
          The app registers one webhook on this repository for all its integrations, checks it every 15 minutes and repairs it when someone deleted or disabled it.
        </Text>
        {!state && !error ? <Text as="p">Loading the webhook's state…</Text> : null}
        {state ? (
          <dl style={{ margin: 0, display: "grid", gap: 4 }}>
            <Row term="Webhook" testId="dc-webhook-registered">
              {hook?.registered ? `registered (Data Center webhook ${hook.webhookId})` : state.wanted ? "not registered yet" : "none: no integration is switched on"}
            </Row>
            {hook?.registered ? <Row term="Events">{hook.events.join(", ")}</Row> : null}
            <Row term="Last check" testId="dc-webhook-check">
              {hook ? (
                <>
                  <Lozenge appearance={CHECK[hook.state].appearance}>{CHECK[hook.state].text}</Lozenge>{" "}
                  <time dateTime={new Date(hook.checkedAt).toISOString()} title={formatTime(hook.checkedAt)}>
                    {formatAgo(hook.checkedAt)}
                  </time>
                </>
              ) : (
                "not checked yet"
              )}
              {state.checking ? " · checking now…" : state.retryScheduled ? " · a retry is scheduled" : ""}
            </Row>
            {hook?.state === "failed" && hook.lastError ? (
              <Row term="Problem" testId="dc-webhook-error">
                {hook.lastError}
              </Row>
            ) : null}
            {hook?.registered ? (
              <Row term="Last delivery by Data Center" testId="dc-webhook-delivery">
                {last ? `${DELIVERY[last.outcome] ?? last.outcome.toLowerCase()}${last.event ? ` (${last.event})` : ""}${last.at ? `, ${formatAgo(last.at)}` : ""}` : "none reported yet"}
              </Row>
            ) : null}
            {hook?.previousSecretUntil ? <Row term="Previous secret">still accepted until {formatTime(hook.previousSecretUntil)}</Row> : null}
          </dl>
        ) : null}
        {state?.canManage ? (
          <Inline space="space.100">
            <Button testId="dc-webhook-repair" isDisabled={busy !== null || state.checking || (!state.wanted && !hook?.registered)} isLoading={busy === "repair"} onClick={() => void run("repair")}>
              Repair now
            </Button>
            <Button testId="dc-webhook-rotate" isDisabled={busy !== null || state.rotating || !state.wanted} isLoading={busy === "rotate"} onClick={() => void run("rotate")}>
              Rotate secret
            </Button>
          </Inline>
        ) : null}
        <div role="status" aria-live="polite">
          {notice && !error ? <Text as="p">{notice}</Text> : null}
        </div>
        {error ? (
          <SectionMessage appearance="error" title="The webhook's state could not be loaded or changed" testId="dc-webhook-failure">
            {error}
          </SectionMessage>
        ) : null}
      </Stack>
    </Box>
  );
}
