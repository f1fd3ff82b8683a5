import Badge from "@atlaskit/badge";
import Heading from "@atlaskit/heading";
import { Box, Inline, Stack, Text } from "@atlaskit/primitives";
import type { PanelSection } from "./api";
import { SECTION_TITLES } from "./format";
import { PullRequestRow } from "./PullRequestRow";

export function Section({ section, pendingCommits }: { section: PanelSection; pendingCommits: Set<string> }) {
  if (section.total === 0) return null;
  return (
    <Box as="section" testId={`section-${section.id}`}>
      <Stack space="space.050">
        <Inline space="space.075" alignBlock="center">
          <Heading size="xsmall" as="h2">
            {SECTION_TITLES[section.id]}
          </Heading>
          <Badge appearance={section.id === "needsYourReview" ? "primary" : "default"}>{section.total}</Badge>
        </Inline>
        <Stack>
          {section.rows.map((row) => (
            <PullRequestRow key={row.id} row={row} statusPending={!!row.sourceCommit && pendingCommits.has(row.sourceCommit)} />
          ))}
        </Stack>
        {section.total > section.rows.length ? (
          <Text size="small" color="color.text.subtlest">
            and {section.total - section.rows.length} more (oldest shown first)
          </Text>
        ) : null}
      </Stack>
    </Box>
  );
}
