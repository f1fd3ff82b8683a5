import Lozenge from "@atlaskit/lozenge";
import { Box, Inline, Text, xcss } from "@atlaskit/primitives";
import type { BuildSummary, PanelRow } from "./api";
import { shortAge } from "./format";
import { Reviewers } from "./Reviewers";

const rowStyle = xcss({
  paddingBlock: "space.025",
  borderBlockEndWidth: "border.width",
  borderBlockEndStyle: "solid",
  borderBlockEndColor: "color.border",
});
const titleStyle = xcss({ flexGrow: 1, flexShrink: 1, minWidth: "0", overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" });
const fixedStyle = xcss({ flexShrink: 0 });

const AGE_APPEARANCE = { fresh: "default", warn: "moved", alert: "removed" } as const;

/** Only builds that need attention take room: failing, stopped, running. A passing build shows nothing. */
function BuildBadge({ build }: { build: BuildSummary | null }) {
  if (!build || build.state === "SUCCESSFUL") return null;
  const label = build.failing ? "failing" : build.state === "STOPPED" ? "stopped" : "building";
  return (
    <Box as="span" xcss={fixedStyle} testId="build" data-state={build.state}>
      <Lozenge appearance={build.failing ? "removed" : build.state === "STOPPED" ? "moved" : "inprogress"}>{label}</Lozenge>
    </Box>
  );
}

/**
 * One pull request on one line: age, `#id title` (a link to it; the author and the whole title in
 * its tooltip), a build that needs attention, approvals against the requirement, and the reviewers.
 */
export function PullRequestRow({ row }: { row: PanelRow }) {
  const title = `#${row.id} ${row.title}`;
  const hint = `${title} — by ${row.author.displayName}, ${row.approvals} of ${row.required} approvals`;
  return (
    <Box xcss={rowStyle} testId={`pr-${row.id}`}>
      <Inline space="space.075" alignBlock="center">
        <Box as="span" xcss={fixedStyle} testId="age" data-level={row.ageLevel}>
          <Lozenge appearance={AGE_APPEARANCE[row.ageLevel]}>{shortAge(row.ageMs)}</Lozenge>
        </Box>
        <Box xcss={titleStyle}>
          {row.url ? (
            <a href={row.url} target="_top" title={hint} data-testid="title-link">
              {title}
            </a>
          ) : (
            <span title={hint}>{title}</span>
          )}
        </Box>
        <BuildBadge build={row.build} />
        <Box as="span" xcss={fixedStyle} testId="approvals" title={`${row.approvals} of ${row.required} approvals`}>
          <Text size="small" color={row.approvals >= row.required ? "color.text.success" : "color.text.subtle"}>
            {row.approvals}/{row.required}
          </Text>
        </Box>
        <Box as="span" xcss={fixedStyle}>
          <Reviewers reviewers={row.reviewers} />
        </Box>
      </Inline>
    </Box>
  );
}
