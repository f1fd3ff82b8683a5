import { useCallback, useEffect, useRef, useState } from "react";
import Button from "@atlaskit/button/new";
import Heading from "@atlaskit/heading";
import SectionMessage from "@atlaskit/section-message";
import { token } from "@atlaskit/tokens";
import type { PageProps } from "../lib/mount";
import { TransportError } from "../lib/transport";
import { fetchCsv, loadInsights, saveFile, setInsightsOn, startBackfill, type CsvTable, type InsightsView, type InsightsWindow } from "./api";
import { Figures } from "./Figures";
import { dateLabel } from "./format";

/** While a backfill runs, the page asks for its progress this often. */
const PROGRESS_POLL_MS = 1500;

type State = { kind: "loading" } | { kind: "error"; message: string } | { kind: "ready"; view: InsightsView };

function messageOf(err: unknown): string {
  if (err instanceof TransportError) {
    if (err.status === 401) return "Your session has expired. Reload the page to sign in again.";
    if (err.status === 403) return "You have no access to this repository's insights.";
    return err.message;
  }
  return "Review insights could not be reached.";
}

function Range({ days, onChange }: { days: InsightsWindow; onChange(days: InsightsWindow): void }) {
  return (
    <fieldset style={{ border: 0, margin: 0, padding: 0, display: "flex", gap: 16, alignItems: "center" }} data-testid="range">
      <legend style={{ float: "left", marginRight: 12, fontWeight: 600, padding: 0 }}>Period</legend>
      {([30, 90] as const).map((d) => (
        <label key={d} style={{ display: "inline-flex", gap: 6, alignItems: "center", cursor: "pointer" }}>
          <input type="radio" className="relay-choice" name="insights-days" value={d} checked={days === d} onChange={() => onChange(d)} style={{ margin: 0, width: 16, height: 16, accentColor: token("color.background.selected.bold", "#0C66E4") }} />
          Last {d} days
        </label>
      ))}
    </fieldset>
  );
}

function Backfill({ view, busy, onResume }: { view: InsightsView; busy: boolean; onResume(): void }) {
  const b = view.backfill;
  if (b.status === "running") {
    return (
      <div data-testid="backfill-progress" role="status" style={{ display: "grid", gap: 4 }}>
        <span>
          Reading pull request history from Bitbucket since {dateLabel(b.since)}: {b.pages} {b.pages === 1 ? "page" : "pages"}, {b.pullRequests} pull requests so far
          {b.error ? ` (${b.error})` : ""}.
        </span>
        <progress aria-label="Reading pull request history" style={{ width: 240 }} />
      </div>
    );
  }
  if (b.status === "failed") {
    return (
      <SectionMessage appearance="warning" title="Reading the history stopped" testId="backfill-failed">
        <p>
          {b.error} — after {b.pages} pages ({b.pullRequests} pull requests).
          {view.canAdmin ? " Resume carries on from the page that failed." : " A repository admin can resume it."}
        </p>
        {view.canAdmin && (
          <Button onClick={onResume} isDisabled={busy} testId="backfill-resume">
            Resume
          </Button>
        )}
      </SectionMessage>
    );
  }
  if (b.status === "done") {
    return (
      <p data-testid="backfill-done" role="status" style={{ margin: 0, color: token("color.text.subtle", "#44546F") }}>
        History read: {b.pullRequests} pull requests updated since {dateLabel(b.since)} ({b.pages} {b.pages === 1 ? "page" : "pages"}, finished {dateLabel(b.finishedAt)}).
      </p>
    );
  }
  return null;
}

/**
 * The review insights page: time to first review and to merge (median and p90 by week), open-PR
 * ages, reviewer load and the pull requests waiting longest, over 30 or 90 days; charts with their
 * tables and CSV downloads. Repository admins switch insights on (which reads the history) and off.
 */
export function App({ bootstrap, transport }: PageProps) {
  const repoUuid = bootstrap.repository.uuid;
  const [days, setDays] = useState<InsightsWindow>(30);
  const [state, setState] = useState<State>({ kind: "loading" });
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const poll = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = useCallback(async () => {
    if (!repoUuid) return setState({ kind: "error", message: "Open this page from a repository." });
    try {
      setState({ kind: "ready", view: await loadInsights(transport, repoUuid, days) });
    } catch (err) {
      setState({ kind: "error", message: messageOf(err) });
    }
  }, [transport, repoUuid, days]);

  useEffect(() => {
    void load();
  }, [load]);

  // Progress: while a backfill runs, reload until it is done or failed.
  const running = state.kind === "ready" && state.view.backfill.status === "running";
  useEffect(() => {
    if (!running) return;
    poll.current = setTimeout(() => void load(), PROGRESS_POLL_MS);
    return () => {
      if (poll.current) clearTimeout(poll.current);
    };
  }, [running, state, load]);

  const act = async (what: () => Promise<InsightsView>) => {
    setBusy(true);
    setNotice(null);
    try {
      await what();
      await load();
    } catch (err) {
      setNotice(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const onCsv = async (table: CsvTable) => {
    if (!repoUuid) return;
    try {
      const text = await fetchCsv(transport, repoUuid, days, table);
      const repo = (bootstrap.repository.fullName ?? "repository").replace(/[^A-Za-z0-9_-]+/g, "-");
      saveFile(`review-insights-${repo}-${table}-${days}d.csv`, text);
    } catch (err) {
      setNotice(messageOf(err));
    }
  };

  const view = state.kind === "ready" ? state.view : null;
  return (
    <main style={{ padding: 24, display: "grid", gap: 16, maxWidth: 1200, color: token("color.text", "#172B4D") }}>
      <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center", gap: 12, flexWrap: "wrap" }}>
        <div>
          <Heading size="large" as="h1">
            Review insights
          </Heading>
          <div style={{ color: token("color.text.subtle", "#44546F") }}>{bootstrap.repository.fullName ?? ""}</div>
        </div>
        {view?.canAdmin && view.enabled && (
          <div style={{ display: "flex", gap: 8 }}>
            <Button onClick={() => void act(() => startBackfill(transport, repoUuid!))} isDisabled={busy || view.backfill.status === "running"} testId="backfill-again">
              {view.backfill.status === "failed" ? "Resume reading history" : "Read history again"}
            </Button>
            <Button appearance="subtle" onClick={() => void act(() => setInsightsOn(transport, repoUuid!, false))} isDisabled={busy} testId="insights-off">
              Turn off
            </Button>
          </div>
        )}
      </div>
      {notice && (
        <SectionMessage appearance="error" testId="notice">
          <p>{notice}</p>
        </SectionMessage>
      )}
      {state.kind === "loading" && <p role="status">Loading review insights…</p>}
      {state.kind === "error" && (
        <SectionMessage appearance="error" title="Review insights could not be loaded" testId="load-error">
          <p>{state.message}</p>
        </SectionMessage>
      )}
      {view && !view.enabled && (
        <SectionMessage appearance="information" title="Review insights are off for this repository" testId="insights-offline">
          <p>
            When switched on, the app records pull requests as they are opened, reviewed and merged, and reads the last 90 days of history from Bitbucket. Closed pull requests and reviews are kept for {view.retentionDays} days.
          </p>
          {view.canAdmin ? (
            <Button appearance="primary" onClick={() => void act(() => setInsightsOn(transport, repoUuid!, true))} isDisabled={busy} testId="insights-on">
              Turn on review insights
            </Button>
          ) : (
            <p>A repository admin can turn them on.</p>
          )}
        </SectionMessage>
      )}
      {view && (view.enabled || view.backfill.status !== "idle") && (
        <>
          <Backfill view={view} busy={busy} onResume={() => void act(() => startBackfill(transport, repoUuid!))} />
          <Range days={days} onChange={setDays} />
          <Figures view={view} onCsv={(t) => void onCsv(t)} />
        </>
      )}
    </main>
  );
}
