import Avatar from "@atlaskit/avatar";
import Lozenge from "@atlaskit/lozenge";
import { Box, Inline, Stack, Text, xcss } from "@atlaskit/primitives";
import Tooltip from "@atlaskit/tooltip";
import type { BuildSummary, PanelRow } from "./api";
import { shortAge } from "./format";

const rowStyle = xcss({ paddingBlock: "space.075", borderBlockEndWidth: "border.width", borderBlockEndStyle: "solid", borderBlockEndColor: "color.border" });
const titleStyle = xcss({ overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap", maxWidth: "100%" });

const AGE_APPEARANCE = { fresh: "default", warn: "moved", alert: "removed" } as const;

function BuildBadge({ build, pending }: { build: BuildSummary | null; pending: boolean }) {
  if (!build) return pending ? <Lozenge>build …</Lozenge> : null;
  const appearance = build.failing ? "removed" : build.state === "INPROGRESS" ? "inprogress" : "success";
  const label = build.failing ? "build failing" : build.state === "INPROGRESS" ? "building" : "build passed";
  return (
    <Tooltip content={build.name ?? build.state}>
      <span data-testid="build" data-state={build.state}>
        <Lozenge appearance={appearance}>{label}</Lozenge>
      </span>
    </Tooltip>
  );
}

export function PullRequestRow({ row, statusPending }: { row: PanelRow; statusPending: boolean }) {
  const reviewers = row.reviewers.slice(0, 5);
  return (
    <Box xcss={rowStyle} testId={`pr-${row.id}`}>
      <Stack space="space.050">
        <Box xcss={titleStyle}>
          {row.url ? (
            <a href={row.url} target="_top" title={row.title} data-testid="title-link">
              #{row.id} {row.title}
            </a>
          ) : (
            <Text weight="medium">
              #{row.id} {row.title}
            </Text>
          )}
        </Box>
        <Inline space="space.075" alignBlock="center" shouldWrap>
          <Text size="small" color="color.text.subtlest">
            {row.author.displayName}
          </Text>
          <span data-testid="age" data-level={row.ageLevel}>
            <Lozenge appearance={AGE_APPEARANCE[row.ageLevel]}>{shortAge(row.ageMs)}</Lozenge>
          </span>
          <span data-testid="approvals">
            <Lozenge appearance={row.approvals >= row.required ? "success" : "default"}>
              {row.approvals}/{row.required} approvals
            </Lozenge>
          </span>
          {row.changesRequested ? <Lozenge appearance="moved">changes requested</Lozenge> : null}
          <BuildBadge build={row.build} pending={statusPending} />
          <Inline space="space.025">
            {reviewers.map((r) => (
              <Tooltip key={`${row.id}-${r.accountId ?? r.displayName}`} content={`${r.displayName}: ${r.state.replace("_", " ")}`}>
                <span data-testid="reviewer" data-state={r.state}>
                  <Avatar size="xsmall" name={r.displayName} src={r.avatarUrl ?? undefined} />
                </span>
              </Tooltip>
            ))}
          </Inline>
        </Inline>
      </Stack>
    </Box>
  );
}
