import { lazy, Suspense, type ReactElement } from "react";
import Avatar from "@atlaskit/avatar";
import { Inline, Text } from "@atlaskit/primitives";
import type { PanelRow } from "./api";

/**
 * Atlaskit's Tooltip (with its popper and layering, ~30 KiB gzip) as a chunk fetched while the list
 * is already on screen: until it arrives, the same element shows without a tooltip (its accessible
 * name already says it all).
 */
const Tooltip = lazy(() => import("@atlaskit/tooltip"));

type TriggerProps = Partial<Record<string, unknown>>;

function Named({ content, children }: { content: string; children: (props: TriggerProps) => ReactElement }) {
  return (
    <Suspense fallback={children({})}>
      <Tooltip content={content} position="top">
        {(props) => children(props as unknown as TriggerProps)}
      </Tooltip>
    </Suspense>
  );
}

type Reviewer = PanelRow["reviewers"][number];

/** Reviewers shown on a row before "+N"; the rest are named in the "+N" tooltip. */
export const REVIEWERS_SHOWN = 3;

/** What a reviewer's state reads as: Atlaskit Avatar's `status` (tick, cross) and the words in tooltips. */
const STATE = {
  approved: { status: "approved", words: "approved" },
  changes_requested: { status: "declined", words: "requested changes" },
  pending: { status: null, words: "has not reviewed yet" },
} as const;

/** Avatar images the pages' CSP lets load (`img-src https:`); others show Atlaskit's default avatar instead of a broken image. */
export function avatarSrc(url: string | null): string | undefined {
  return url && url.startsWith("https://") ? url : undefined;
}

export function reviewerLabel(r: Reviewer): string {
  return `${r.displayName} ${STATE[r.state].words}`;
}

/**
 * Reviewers as named avatars: an approval shows Atlaskit's green tick, a changes request its red
 * cross; each avatar's tooltip and accessible name say who and what (issue 18, item 1). Those who
 * acted come first.
 */
export function Reviewers({ reviewers }: { reviewers: Reviewer[] }) {
  const order = { changes_requested: 0, approved: 1, pending: 2 } as const;
  const sorted = [...reviewers].sort((a, b) => order[a.state] - order[b.state]);
  const shown = sorted.slice(0, REVIEWERS_SHOWN);
  const rest = sorted.slice(REVIEWERS_SHOWN);
  return (
    <Inline space="space.025" alignBlock="center" testId="reviewers">
      {shown.map((r) => (
        <Named key={r.accountId ?? r.displayName} content={reviewerLabel(r)}>
          {(props) => (
            <span {...props} style={{ display: "inline-flex" }} data-testid="reviewer" data-state={r.state} data-name={r.displayName}>
              <Avatar size="small" name={reviewerLabel(r)} src={avatarSrc(r.avatarUrl)} status={STATE[r.state].status ?? undefined} />
            </span>
          )}
        </Named>
      ))}
      {rest.length ? (
        <Named content={rest.map(reviewerLabel).join(", ")}>
          {(props) => (
            <span {...props} data-testid="more-reviewers">
              <Text size="small" color="color.text.subtle">
                +{rest.length}
              </Text>
            </span>
          )}
        </Named>
      ) : null}
    </Inline>
  );
}
