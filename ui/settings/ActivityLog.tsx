import { useCallback, useEffect, useState } from "react";
import Button from "@atlaskit/button/new";
import Heading from "@atlaskit/heading";
import SectionMessage from "@atlaskit/section-message";
import Select from "@atlaskit/select";
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

/** What the app did for this repository: filters by integration and outcome, paging, replay of dead jobs. */
export function ActivityLog({ api, integrations }: { api: SettingsApi; integrations: Option[] }) {
  const [filter, setFilter] = useState<ActivityFilter>({ page: 1, pageLen: PAGE_LEN });
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
  }, [api, filter]);

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
        <Heading size="medium" as="h2">
          Activity
        </Heading>
        {data ? (
          <Text size="small" color="color.text.subtlest">
            Kept for {data.retentionDays} days
          </Text>
        ) : null}
      </Inline>
      <Inline space="space.150" alignBlock="end">
        <div style={{ minWidth: 220 }}>
          <label htmlFor="activity-integration" style={{ fontWeight: 600 }}>
            Integration
          </label>
          <Select
            inputId="activity-integration"
            classNamePrefix="activity-integration"
            options={integrationOptions}
            value={integrationOptions.find((o) => o.value === (filter.integration ?? "")) ?? integrationOptions[0]}
            onChange={(o) => setFilter({ ...filter, page: 1, integration: o?.value || undefined })}
          />
        </div>
        <div style={{ minWidth: 180 }}>
          <label htmlFor="activity-outcome" style={{ fontWeight: 600 }}>
            Outcome
          </label>
          <Select
            inputId="activity-outcome"
            classNamePrefix="activity-outcome"
            options={outcomeOptions}
            value={outcomeOptions.find((o) => o.value === (filter.outcome ?? "")) ?? outcomeOptions[0]}
            onChange={(o) => setFilter({ ...filter, page: 1, outcome: (o?.value || undefined) as Outcome | undefined })}
          />
        </div>
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
