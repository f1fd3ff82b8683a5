import { useEffect, useRef } from "react";
import Badge from "@atlaskit/badge";
import Heading from "@atlaskit/heading";
import { Box, Inline, Pressable, Stack, Text, xcss } from "@atlaskit/primitives";
import Spinner from "@atlaskit/spinner";
import type { PanelSection } from "./api";
import { SECTION_TITLES } from "./format";
import { PullRequestRow } from "./PullRequestRow";

const showAllStyle = xcss({
  backgroundColor: "color.background.neutral.subtle",
  color: "color.link",
  paddingBlock: "space.050",
  paddingInline: "space.0",
  font: "font.body.small",
  ":hover": { textDecoration: "underline", color: "color.link.pressed" },
});

export type Expansion = "collapsed" | "loading" | "expanded";

/**
 * A section of the panel: its title with the exact count (no `99+`), its first rows, and "Show all N"
 * that loads the rest in place (and only then their build statuses).
 */
export function Section({ section, expansion, onShowAll }: { section: PanelSection; expansion: Expansion; onShowAll: () => void }) {
  const headingId = `section-title-${section.id}`;
  const hidden = section.total - section.rows.length;
  const rowsRef = useRef<HTMLDivElement>(null);
  // Keyboard users who pressed "Show all" land on the first row it revealed (the button is gone).
  const focusFrom = useRef<number | null>(null);
  useEffect(() => {
    if (focusFrom.current === null || expansion !== "expanded") return;
    rowsRef.current?.querySelectorAll<HTMLElement>('[data-testid="title-link"]')[focusFrom.current]?.focus();
    focusFrom.current = null;
  }, [expansion]);
  const showAll = () => {
    focusFrom.current = section.rows.length;
    onShowAll();
  };
  if (section.total === 0) return null;
  return (
    <Box as="section" testId={`section-${section.id}`} aria-labelledby={headingId}>
      <Stack space="space.025">
        <Inline space="space.075" alignBlock="center">
          <Heading size="xsmall" as="h2" id={headingId}>
            {SECTION_TITLES[section.id]}
          </Heading>
          <Badge appearance={section.id === "needsYourReview" ? "primary" : "default"} max={false} testId={`count-${section.id}`}>
            {section.total}
          </Badge>
        </Inline>
        <Box ref={rowsRef}>
          {section.rows.map((row) => (
            <PullRequestRow key={row.id} row={row} />
          ))}
        </Box>
        {hidden > 0 ? (
          <Inline space="space.075" alignBlock="center">
            <Pressable xcss={showAllStyle} onClick={showAll} isDisabled={expansion === "loading"} testId={`show-all-${section.id}`}>
              Show all {section.total}
            </Pressable>
            {expansion === "loading" ? <Spinner size="small" label={`Loading all of ${SECTION_TITLES[section.id]}`} /> : null}
          </Inline>
        ) : null}
      </Stack>
    </Box>
  );
}
