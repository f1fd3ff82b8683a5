import { lazy, Suspense, useCallback, useEffect, useState } from "react";
import Spinner from "@atlaskit/spinner";
import { Box, Inline, Stack, Text, xcss } from "@atlaskit/primitives";
import type { PageBootstrap } from "../lib/bootstrap";
import { TransportError, type Transport } from "../lib/transport";
import { expandSection, loadPanel, loadStatuses, withBuilds, withSection, type PanelView, type SectionId } from "./api";
import { Section, type Expansion } from "./Sections";

// Shown only when there is nothing to list or the API failed: loaded then, not with the panel.
const Notice = lazy(() => import("./Notice"));

type State = { kind: "loading" } | { kind: "error"; message: string; retryable: boolean } | { kind: "ready"; view: PanelView };

const pageStyle = xcss({ padding: "space.100", color: "color.text" });

function errorMessage(err: unknown): { message: string; retryable: boolean } {
  if (err instanceof TransportError) {
    if (err.status === 401) return { message: "Your session has expired. Reload the page to sign in again.", retryable: false };
    if (err.status === 404) return { message: "This repository is not available to the app.", retryable: false };
    return { message: err.message, retryable: true };
  }
  return { message: "The review radar could not be reached.", retryable: true };
}

/**
 * The review radar panel: loads the sections (five rows each), then the build statuses of the shown
 * rows not known yet; "Show all" loads one section's other rows and then their statuses.
 */
export function App({ bootstrap, transport }: { bootstrap: PageBootstrap; transport: Transport }) {
  const [state, setState] = useState<State>({ kind: "loading" });
  const [expansion, setExpansion] = useState<Partial<Record<SectionId, Expansion>>>({});
  const repoUuid = bootstrap.repository.uuid;
  const repoPath = bootstrap.repository.fullName;

  const fillBuilds = useCallback(
    async (commits: string[]) => {
      if (!repoUuid || !commits.length) return;
      const builds = await loadStatuses(transport, repoUuid, commits).catch(() => null);
      if (builds) setState((s) => (s.kind === "ready" ? { kind: "ready", view: withBuilds(s.view, builds) } : s));
    },
    [transport, repoUuid],
  );

  const load = useCallback(async () => {
    if (!repoUuid) {
      setState({ kind: "error", message: "Open this panel from a repository.", retryable: false });
      return;
    }
    setState({ kind: "loading" });
    setExpansion({});
    try {
      const view = await loadPanel(transport, repoUuid, repoPath);
      setState({ kind: "ready", view });
      await fillBuilds(view.missingStatuses);
    } catch (err) {
      setState({ kind: "error", ...errorMessage(err) });
    }
  }, [transport, repoUuid, repoPath, fillBuilds]);

  const showAll = useCallback(
    async (id: SectionId) => {
      if (!repoUuid) return;
      setExpansion((e) => ({ ...e, [id]: "loading" }));
      try {
        const { section, missing } = await expandSection(transport, repoUuid, repoPath, id);
        setState((s) => (s.kind === "ready" ? { kind: "ready", view: withSection(s.view, section, missing) } : s));
        setExpansion((e) => ({ ...e, [id]: "expanded" }));
        await fillBuilds(missing);
      } catch {
        setExpansion((e) => ({ ...e, [id]: "collapsed" }));
      }
    },
    [transport, repoUuid, repoPath, fillBuilds],
  );

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <Box as="main" xcss={pageStyle} testId="review-radar" data-state={state.kind}>
      {state.kind === "loading" ? (
        <Stack space="space.100" alignInline="center">
          <Spinner size="medium" label="Loading pull requests" />
          <Text color="color.text.subtlest">Looking for pull requests that need review…</Text>
        </Stack>
      ) : state.kind === "error" ? (
        <Suspense fallback={<Text>{state.message}</Text>}>
          <Notice kind="error" message={state.message} onRetry={state.retryable ? () => void load() : undefined} />
        </Suspense>
      ) : (
        <Ready view={state.view} expansion={expansion} onShowAll={(id) => void showAll(id)} onRefresh={() => void load()} fullPage={fullPageUrl(bootstrap)} />
      )}
    </Box>
  );
}

/**
 * The same page opened on its own at full width (a new tab), for Connect: the iframe's own signed
 * URL. Forge pages cannot be opened outside Bitbucket, and a page already on its own needs no link.
 */
function fullPageUrl(bootstrap: PageBootstrap): string | null {
  if (bootstrap.host !== "connect" || typeof window === "undefined" || window.top === window) return null;
  return window.location.href;
}

function Ready(props: { view: PanelView; expansion: Partial<Record<SectionId, Expansion>>; onShowAll: (id: SectionId) => void; onRefresh: () => void; fullPage: string | null }) {
  const { view } = props;
  const shown = view.sections.filter((s) => s.total > 0);
  if (!shown.length) {
    const description = view.openPullRequests
      ? `All ${view.openPullRequests} open pull request${view.openPullRequests === 1 ? " has" : "s have"} the ${view.settings.requiredApprovals} approvals needed.`
      : "There are no open pull requests in this repository.";
    return (
      <Suspense fallback={<Text>{description}</Text>}>
        <Notice kind="empty" message={description} onRetry={props.onRefresh} />
      </Suspense>
    );
  }
  return (
    <Stack space="space.100">
      {shown.map((s) => (
        <Section key={s.id} section={s} expansion={props.expansion[s.id] ?? "collapsed"} onShowAll={() => props.onShowAll(s.id)} />
      ))}
      <Inline space="space.100" alignBlock="center" shouldWrap spread="space-between">
        <Text size="small" color="color.text.subtlest">
          {view.openPullRequests} open · {view.settings.requiredApprovals} approvals required · updated {new Date(view.fetchedAt).toLocaleTimeString()}
        </Text>
        {props.fullPage ? (
          <Text size="small">
            <a href={props.fullPage} target="_blank" rel="noopener noreferrer" data-testid="full-page">
              Open full page
            </a>
          </Text>
        ) : null}
      </Inline>
    </Stack>
  );
}
