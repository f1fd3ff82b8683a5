import { useCallback, useEffect, useRef, useState } from "react";
import Button from "@atlaskit/button/new";
import Heading from "@atlaskit/heading";
import SectionMessage from "@atlaskit/section-message";
import { token } from "@atlaskit/tokens";
import Spinner from "@atlaskit/spinner";
import { Inline, Stack, Text } from "@atlaskit/primitives";
import { describeError, type ActivityFilter, type SettingsApi } from "./api";
import { ActivityTable } from "./ActivityTable";
import type { ActivityResponse, Outcome } from "./types";

const OUTCOME_OPTIONS: Array<{ label: string; value: Outcome }> = [
  { label: "Done", value: "done" },
  { label: "Ignored", value: "ignored" },
  { label: "Retrying", value: "retrying" },
  { label: "Dead", value: "dead" },
  { label: "Queued", value: "queued" },
  { label: "Running", value: "running" },
];
const PAGE_LEN = 20;

type Option = { label: string; value: string };

const selectStyle = {
  display: "block",
  minWidth: 200,
  marginTop: 4,
  padding: "6px 8px",
  font: "inherit",
  color: token("color.text"),
  backgroundColor: token("color.background.input"),
  border: `1px solid ${token("color.border.input")}`,
  borderRadius: 3,
};

/** A labelled native select (keyboard and screen readers work as the browser makes them). */
function FilterSelect({ id, label, options, value, onChange }: { id: string; label: string; options: Option[]; value: string; onChange(v: string): void }) {
  return (
    <div>
      <label htmlFor={id} style={{ fontWeight: 600 }}>
        {label}
      </label>
      <select id={id} style={selectStyle} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export interface ActivityLogProps {
  api: SettingsApi;
  integrations: Option[];
  /** The integration filter (controlled, so that a card's "See its activity" sets it), undefined for all. */
  integration: string | undefined;
  onIntegrationChange(integration: string | undefined): void;
  /** Changes when a card asks to show the log: the log scrolls into view and takes focus. */
  focusRequest: number;
}

/**
 * What the app did for this repository: filters by integration and outcome, paging, replay of dead
 * jobs. The integration filter is the caller's (a card links to its own activity).
 */
export function ActivityLog({ api, integrations, integration, onIntegrationChange, focusRequest }: ActivityLogProps) {
  const [state, setFilterState] = useState<Omit<ActivityFilter, "integration">>({ page: 1, pageLen: PAGE_LEN });
  const filter: ActivityFilter = { ...state, ...(integration ? { integration } : {}) };
  const setFilter = (f: ActivityFilter) => {
    const { integration: next, ...rest } = f;
    setFilterState(rest);
    if (next !== integration) onIntegrationChange(next);
  };
  const heading = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!focusRequest) return;
    setFilterState((s) => ({ ...s, page: 1 }));
    heading.current?.scrollIntoView({ block: "start" });
    heading.current?.focus();
  }, [focusRequest]);
  const [data, setData] = useState<ActivityResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setData(await api.activity(filter));
      setError(null);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setLoading(false);
    }
  }, [api, filter.page, filter.pageLen, filter.integration, filter.outcome]);

  useEffect(() => {
    void load();
  }, [load]);

  const replay = async (jobId: string) => {
    setNotice(null);
    try {
      const r = await api.replay(jobId);
      setNotice({ ok: true, text: r.replayed ? "Replay queued: it shows in the log below." : "This job was replayed already." });
      await load();
    } catch (err) {
      setNotice({ ok: false, text: describeError(err) });
    }
  };

  const integrationOptions: Option[] = [{ label: "All integrations", value: "" }, ...integrations, { label: "Core", value: "core" }];
  const outcomeOptions: Option[] = [{ label: "All outcomes", value: "" }, ...OUTCOME_OPTIONS];
  const pages = data ? Math.max(1, Math.ceil(data.total / data.pageLen)) : 1;

  return (
    <Stack space="space.200" testId="activity-log">
      <Inline spread="space-between" alignBlock="center">
        <div ref={heading} tabIndex={-1} id="activity" style={{ outline: "none" }}>
          <Heading size="medium" as="h2">
            Activity
          </Heading>
        </div>
        {data ? (
          <Text size="small" color="color.text.subtlest">
            Kept for {data.retentionDays} days
          </Text>
        ) : null}
      </Inline>
      <Inline space="space.150" alignBlock="end">
        <FilterSelect
          id="activity-integration"
          label="Integration"
          options={integrationOptions}
          value={filter.integration ?? ""}
          onChange={(v) => setFilter({ ...filter, page: 1, integration: v || undefined })}
        />
        <FilterSelect
          id="activity-outcome"
          label="Outcome"
          options={outcomeOptions}
          value={filter.outcome ?? ""}
          onChange={(v) => setFilter({ ...filter, page: 1, outcome: (v || undefined) as Outcome | undefined })}
        />
        <Button onClick={() => void load()} isLoading={loading}>
          Refresh
        </Button>
      </Inline>
      {notice ? (
        <SectionMessage appearance={notice.ok ? "success" : "error"} testId="replay-notice">
          {notice.text}
        </SectionMessage>
      ) : null}
      {error ? <SectionMessage appearance="error">{error}</SectionMessage> : null}
      {!data && loading ? <Spinner label="Loading activity" /> : null}
      {data ? (
        <>
          {data.items.length ? (
            <ActivityTable items={data.items} canReplay={data.canReplay} onReplay={(id) => void replay(id)} />
          ) : (
            <Text color="color.text.subtle">Nothing here yet: deliveries show up as soon as Bitbucket sends events.</Text>
          )}
          <Inline space="space.100" alignBlock="center">
            <Button isDisabled={filter.page <= 1} onClick={() => setFilter({ ...filter, page: filter.page - 1 })}>
              Newer
            </Button>
            <Text testId="activity-page">
              Page {filter.page} of {pages} · {data.total} {data.total === 1 ? "entry" : "entries"}
            </Text>
            <Button isDisabled={filter.page >= pages} onClick={() => setFilter({ ...filter, page: filter.page + 1 })}>
              Older
            </Button>
          </Inline>
        </>
      ) : null}
    </Stack>
  );
}
