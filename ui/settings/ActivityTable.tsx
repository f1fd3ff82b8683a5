import Button from "@atlaskit/button/new";
import Lozenge from "@atlaskit/lozenge";
import { Stack, Text } from "@atlaskit/primitives";
import { formatDuration, formatTime } from "./format";
import type { ActivityEntry, ActivityJob } from "./types";

type Appearance = "success" | "removed" | "inprogress" | "moved" | "new" | "default";
const APPEARANCE: Record<string, Appearance> = {
  done: "success",
  dead: "removed",
  retrying: "moved",
  running: "inprogress",
  queued: "new",
  ignored: "default",
};

const cell = { padding: "6px 8px", verticalAlign: "top" as const, borderBottom: "1px solid var(--ds-border, #DFE1E6)", textAlign: "left" as const };
const head = { ...cell, fontWeight: 600, fontSize: 12, color: "var(--ds-text-subtle, #44546F)" };
const nowrap = { ...cell, whiteSpace: "nowrap" as const };

function Outcome({ job }: { job: ActivityJob }) {
  return (
    <Stack space="space.050">
      <Lozenge appearance={APPEARANCE[job.status] ?? "default"}>{job.status}</Lozenge>
      {job.reason ? <Text size="small">{job.reason}</Text> : null}
      {job.lastError && job.status !== "done" ? (
        <Text size="small" color="color.text.danger">
          {job.lastError.length > 200 ? `${job.lastError.slice(0, 200)}…` : job.lastError}
        </Text>
      ) : null}
      {job.replayOf ? (
        <Text size="small" color="color.text.subtlest">
          replay{job.replayedBy ? ` by ${job.replayedBy}` : ""}
        </Text>
      ) : null}
    </Stack>
  );
}

function Calls({ job }: { job: ActivityJob }) {
  if (!job.calls.length) return <Text color="color.text.subtlest">none</Text>;
  return (
    <Stack space="space.025">
      {job.calls.map((c, i) => (
        <Text size="small" key={i}>
          {c.method} {c.target} → {c.status ?? c.error ?? "error"} · {formatDuration(c.durationMs)}
        </Text>
      ))}
    </Stack>
  );
}

/** Deliveries and the jobs each caused, with their outbound calls. */
export function ActivityTable({ items, canReplay, onReplay }: { items: ActivityEntry[]; canReplay: boolean; onReplay(jobId: string): void }) {
  return (
    <table style={{ borderCollapse: "collapse", width: "100%" }} data-testid="activity-table">
      <thead>
        <tr>
          <th style={head}>Received</th>
          <th style={head}>Event</th>
          <th style={head}>Integration</th>
          <th style={head}>Outcome</th>
          <th style={head}>Attempts</th>
          <th style={head}>Took</th>
          <th style={head}>Outbound calls</th>
          <th style={head} />
        </tr>
      </thead>
      <tbody>
        {items.flatMap((entry) => {
          const jobs: Array<ActivityJob | null> = entry.jobs.length ? entry.jobs : [null];
          return jobs.map((job, i) => (
            <tr key={`${entry.id}-${job?.id ?? "none"}`} data-testid="activity-row" data-status={job?.status ?? "none"} data-job={job?.id ?? ""}>
              {i === 0 ? (
                <>
                  <td style={nowrap} rowSpan={jobs.length}>
                    {formatTime(entry.at)}
                  </td>
                  <td style={nowrap} rowSpan={jobs.length}>
                    <Text weight="semibold">{entry.eventKey}</Text>
                    <br />
                    <Text size="small" color="color.text.subtlest">
                      from {entry.source}
                    </Text>
                  </td>
                </>
              ) : null}
              {job ? (
                <>
                  <td style={cell}>
                    <Text>{job.integration}</Text>
                    <br />
                    <Text size="small" color="color.text.subtlest">
                      {job.handler}
                    </Text>
                  </td>
                  <td style={cell}>
                    <Outcome job={job} />
                  </td>
                  <td style={cell}>
                    {job.attempts}/{job.maxAttempts}
                  </td>
                  <td style={cell}>{formatDuration(job.durationMs)}</td>
                  <td style={cell}>
                    <Calls job={job} />
                  </td>
                  <td style={nowrap}>
                    {canReplay && job.status === "dead" && !job.replays.length ? (
                      <Button appearance="warning" onClick={() => onReplay(job.id)} testId={`replay-${job.id}`}>
                        Replay
                      </Button>
                    ) : job.replays.length ? (
                      <Text size="small" color="color.text.subtlest">
                        replayed
                      </Text>
                    ) : null}
                  </td>
                </>
              ) : (
                <td style={cell} colSpan={6}>
                  <Text color="color.text.subtlest">no handler for this event</Text>
                </td>
              )}
            </tr>
          ));
        })}
      </tbody>
    </table>
  );
}
