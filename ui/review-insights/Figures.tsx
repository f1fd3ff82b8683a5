import Button from "@atlaskit/button/new";
import { token } from "@atlaskit/tokens";
import type { CsvTable, InsightsView } from "./api";
import { BarChart, ChartCard, type Series } from "./Charts";
import { DataTable } from "./Tables";
import { dateLabel, duration, hours, weekLabel } from "./format";

const MEDIAN_P90: Series[] = [
  { id: "median", label: "Median", fill: "solid" },
  { id: "p90", label: "90th percentile", fill: "hatched" },
];
const LOAD: Series[] = [
  { id: "open", label: "Open review requests", fill: "hatched" },
  { id: "done", label: "Reviews done", fill: "solid" },
];
const hoursText = (v: number) => `${v}h`;

function Csv({ table, label, onCsv }: { table: CsvTable; label: string; onCsv(table: CsvTable): void }) {
  return (
    <div style={{ marginTop: 8 }}>
      <Button appearance="subtle" onClick={() => onCsv(table)} testId={`csv-${table}`} aria-label={`Download CSV of ${label}`}>
        Download CSV
      </Button>
    </div>
  );
}

function Stat({ label, value, detail, testId }: { label: string; value: string; detail: string; testId: string }) {
  return (
    <div data-testid={testId} style={{ border: `1px solid ${token("color.border", "#091E4224")}`, borderRadius: 8, padding: 12, minWidth: 180, flex: "1 1 180px" }}>
      <div style={{ color: token("color.text.subtle", "#44546F"), fontSize: 12 }}>{label}</div>
      <div style={{ fontSize: 24, fontWeight: 600, color: token("color.text", "#172B4D") }}>{value}</div>
      <div style={{ color: token("color.text.subtlest", "#626F86"), fontSize: 12 }}>{detail}</div>
    </div>
  );
}

/** Every figure of the window: summary, weekly charts, open-PR ages, reviewer load, waiting longest; each with its table and CSV. */
export function Figures({ view, onCsv }: { view: InsightsView; onCsv(table: CsvTable): void }) {
  const s = view.summary;
  const weekly = (pick: "firstReview" | "merge") => view.weeks.map((w) => ({ label: weekLabel(w.weekStart), values: [hours(w[pick].medianMs), hours(w[pick].p90Ms)] }));
  const weekColumns = (pick: "firstReview" | "merge", what: string) => [
    { id: "week", label: "Week of", render: (w: InsightsView["weeks"][number]) => weekLabel(w.weekStart) },
    { id: "count", label: what, numeric: true, render: (w: InsightsView["weeks"][number]) => w[pick].count },
    { id: "median", label: "Median", numeric: true, render: (w: InsightsView["weeks"][number]) => duration(w[pick].medianMs) },
    { id: "p90", label: "90th percentile", numeric: true, render: (w: InsightsView["weeks"][number]) => duration(w[pick].p90Ms) },
  ];
  return (
    <div style={{ display: "grid", gap: 16 }}>
      <div style={{ display: "flex", gap: 12, flexWrap: "wrap" }}>
        <Stat testId="stat-first-review" label="Time to first review" value={duration(s.firstReview.medianMs)} detail={`median · 90th percentile ${duration(s.firstReview.p90Ms)} · ${s.firstReview.count} pull requests`} />
        <Stat testId="stat-merge" label="Time to merge" value={duration(s.merge.medianMs)} detail={`median · 90th percentile ${duration(s.merge.p90Ms)} · ${s.merge.count} merged`} />
        <Stat testId="stat-open" label="Open pull requests" value={String(s.openPullRequests)} detail={`${view.waiting.length ? view.waiting.length : "none"} waiting for a first review`} />
      </div>
      <ChartCard testId="card-first-review">
        <BarChart id="first-review" title="Time to first review, by week (hours)" series={MEDIAN_P90} groups={weekly("firstReview")} format={hoursText} yLabel="hours" summary={`Median ${duration(s.firstReview.medianMs)}, 90th percentile ${duration(s.firstReview.p90Ms)} over ${view.days} days; weekly values in the table below.`} />
        <DataTable id="first-review" caption="Time to first review by week" columns={weekColumns("firstReview", "Reviewed")} rows={view.weeks} empty="No reviews in this period." />
        <Csv table="weekly" label="weekly review and merge times" onCsv={onCsv} />
      </ChartCard>
      <ChartCard testId="card-merge">
        <BarChart id="merge" title="Time to merge, by week (hours)" series={MEDIAN_P90} groups={weekly("merge")} format={hoursText} yLabel="hours" summary={`Median ${duration(s.merge.medianMs)}, 90th percentile ${duration(s.merge.p90Ms)} over ${view.days} days; weekly values in the table below.`} />
        <DataTable id="merge" caption="Time to merge by week" columns={weekColumns("merge", "Merged")} rows={view.weeks} empty="Nothing merged in this period." />
      </ChartCard>
      <ChartCard testId="card-open-age">
        <BarChart id="open-age" title="Open pull requests by age" series={[{ id: "count", label: "Open pull requests", fill: "solid" }]} groups={view.openAge.map((b) => ({ label: b.label, values: [b.count] }))} format={(v) => String(v)} yLabel="pull requests" summary={view.openAge.map((b) => `${b.label}: ${b.count}`).join("; ")} />
        <DataTable id="open-age" caption="Open pull requests by age (drafts left out)" columns={[{ id: "age", label: "Age", render: (b) => b.label }, { id: "count", label: "Open pull requests", numeric: true, render: (b) => b.count }]} rows={view.openAge} empty="" />
        <Csv table="open-age" label="open pull requests by age" onCsv={onCsv} />
      </ChartCard>
      <ChartCard testId="card-reviewers">
        <BarChart id="reviewers" title="Review load per reviewer" series={LOAD} groups={view.reviewers.slice(0, 8).map((r) => ({ label: r.reviewer.length > 18 ? `${r.reviewer.slice(0, 17)}…` : r.reviewer, values: [r.openRequests, r.reviewsDone] }))} format={(v) => String(v)} yLabel="pull requests" summary={view.reviewers.slice(0, 8).map((r) => `${r.reviewer}: ${r.openRequests} open requests, ${r.reviewsDone} reviews`).join("; ") || "No reviewers yet."} />
        <DataTable id="reviewers" caption={`Review load per reviewer (reviews done in the last ${view.days} days)`} columns={[{ id: "who", label: "Reviewer", render: (r) => r.reviewer }, { id: "open", label: "Open review requests", numeric: true, render: (r) => r.openRequests }, { id: "done", label: "Reviews done", numeric: true, render: (r) => r.reviewsDone }]} rows={view.reviewers} empty="No review requests or reviews yet." />
        <Csv table="reviewers" label="review load per reviewer" onCsv={onCsv} />
      </ChartCard>
      <ChartCard testId="card-waiting">
        <DataTable
          id="waiting"
          caption="Pull requests waiting longest for a first review"
          columns={[
            { id: "pr", label: "Pull request", render: (p) => (p.url ? <a href={p.url} target="_blank" rel="noreferrer noopener">#{p.id} {p.title}</a> : `#${p.id} ${p.title}`) },
            { id: "author", label: "Author", render: (p) => p.author ?? "–" },
            { id: "opened", label: "Opened", render: (p) => dateLabel(p.createdAt) },
            { id: "waiting", label: "Waiting", numeric: true, render: (p) => duration(p.waitingMs) },
            { id: "reviewers", label: "Reviewers", numeric: true, render: (p) => p.reviewers },
          ]}
          rows={view.waiting}
          empty="No open pull request is waiting for a first review."
        />
        <Csv table="waiting" label="pull requests waiting longest" onCsv={onCsv} />
      </ChartCard>
    </div>
  );
}
