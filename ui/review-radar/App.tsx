import { useCallback, useEffect, useState } from "react";
import Button from "@atlaskit/button/new";
import EmptyState from "@atlaskit/empty-state";
import SectionMessage, { SectionMessageAction } from "@atlaskit/section-message";
import Spinner from "@atlaskit/spinner";
import { Box, Stack, Text, xcss } from "@atlaskit/primitives";
import type { PageBootstrap } from "../lib/bootstrap";
import { TransportError, type Transport } from "../lib/transport";
import { loadPanel, loadStatuses, withBuilds, type PanelView } from "./api";
import { Section } from "./Sections";

type State = { kind: "loading" } | { kind: "error"; message: string; retryable: boolean } | { kind: "ready"; view: PanelView };

const pageStyle = xcss({ padding: "space.100" });

function errorMessage(err: unknown): { message: string; retryable: boolean } {
  if (err instanceof TransportError) {
    if (err.status === 401) return { message: "Your session has expired. Reload the page to sign in again.", retryable: false };
    if (err.status === 404) return { message: "This repository is not available to the app.", retryable: false };
    return { message: err.message, retryable: true };
  }
  return { message: "The review radar could not be reached.", retryable: true };
}

export function App({ bootstrap, transport }: { bootstrap: PageBootstrap; transport: Transport }) {
  const [state, setState] = useState<State>({ kind: "loading" });
  const repoUuid = bootstrap.repository.uuid;

  const load = useCallback(async () => {
    if (!repoUuid) {
      setState({ kind: "error", message: "Open this panel from a repository.", retryable: false });
      return;
    }
    setState({ kind: "loading" });
    try {
      const view = await loadPanel(transport, repoUuid, bootstrap.repository.fullName);
      setState({ kind: "ready", view });
      if (view.missingStatuses.length) {
        const builds = await loadStatuses(transport, repoUuid, view.missingStatuses).catch(() => null);
        if (builds) setState({ kind: "ready", view: withBuilds(view, builds) });
      }
    } catch (err) {
      setState({ kind: "error", ...errorMessage(err) });
    }
  }, [transport, repoUuid, bootstrap.repository.fullName]);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <Box xcss={pageStyle} testId="review-radar" data-state={state.kind}>
      {state.kind === "loading" ? (
        <Stack space="space.100" alignInline="center">
          <Spinner size="medium" label="Loading pull requests" />
          <Text color="color.text.subtlest">Looking for pull requests that need review…</Text>
        </Stack>
      ) : state.kind === "error" ? (
        <SectionMessage
          appearance="error"
          title="Review radar is unavailable"
          actions={state.retryable ? [<SectionMessageAction key="retry" onClick={() => void load()}>Try again</SectionMessageAction>] : []}
        >
          <Text>{state.message}</Text>
        </SectionMessage>
      ) : (
        <Ready view={state.view} onRefresh={() => void load()} />
      )}
    </Box>
  );
}

function Ready({ view, onRefresh }: { view: PanelView; onRefresh: () => void }) {
  const pending = new Set(view.missingStatuses);
  const shown = view.sections.filter((s) => s.total > 0);
  if (!shown.length) {
    return (
      <Box testId="empty">
        <EmptyState
          headingLevel={2}
          width="narrow"
          header="Nothing waiting for review"
          description={
            view.openPullRequests
              ? `All ${view.openPullRequests} open pull request${view.openPullRequests === 1 ? " has" : "s have"} the ${view.settings.requiredApprovals} approvals needed.`
              : "There are no open pull requests in this repository."
          }
          primaryAction={
            <Button appearance="subtle" onClick={onRefresh}>
              Refresh
            </Button>
          }
        />
      </Box>
    );
  }
  return (
    <Stack space="space.200">
      {shown.map((s) => (
        <Section key={s.id} section={s} pendingCommits={pending} />
      ))}
      <Text size="small" color="color.text.subtlest">
        {view.openPullRequests} open · {view.settings.requiredApprovals} approvals required · updated {new Date(view.fetchedAt).toLocaleTimeString()}
      </Text>
    </Stack>
  );
}
