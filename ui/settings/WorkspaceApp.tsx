import { useEffect, useMemo, useState } from "react";
import Heading from "@atlaskit/heading";
import SectionMessage from "@atlaskit/section-message";
import Spinner from "@atlaskit/spinner";
import { Box, Stack, Text, xcss } from "@atlaskit/primitives";
import type { PageBootstrap } from "../lib/bootstrap";
import type { Transport } from "../lib/transport";
import { describeError } from "./api";
import { ApplyDefaults } from "./ApplyDefaults";
import { IntegrationCard } from "./IntegrationCard";
import { asSettingsCard, workspaceApi, type WorkspaceDefaultsResponse } from "./workspace-api";
import type { SettingsCard } from "./types";

const pageStyle = xcss({ padding: "space.200", maxWidth: "1000px" });

type State = { kind: "loading" } | { kind: "error"; message: string } | { kind: "ready"; data: WorkspaceDefaultsResponse };

/**
 * The workspace-defaults page (`scope="workspace"`): the repository settings cards, saving to the
 * workspace defaults every repository inherits unless it sets a field itself; workspace admins only.
 */
export function WorkspaceApp({ transport }: { bootstrap: PageBootstrap; transport: Transport }) {
  const api = useMemo(() => workspaceApi(transport), [transport]);
  const [state, setState] = useState<State>({ kind: "loading" });
  // The cards as last saved (the card compares its drafts with these to tell what is unsaved).
  const [cards, setCards] = useState<Record<string, SettingsCard>>({});
  useEffect(() => {
    api.load().then(
      (data) => {
        setCards(Object.fromEntries(data.integrations.map((c) => [c.id, asSettingsCard(c)])));
        setState({ kind: "ready", data });
      },
      (err: unknown) => setState({ kind: "error", message: describeError(err) }),
    );
  }, [api]);
  return (
    <Box xcss={pageStyle} testId="workspace-defaults-page" data-state={state.kind}>
      <Stack space="space.300">
        <Stack space="space.050">
          <Heading size="large" as="h1">
            Bitbucket Relay: workspace defaults
          </Heading>
          <Text color="color.text.subtle">
            Every repository inherits these values unless a repository admin sets a field on the repository's own page.
          </Text>
        </Stack>
        {state.kind === "loading" ? <Spinner label="Loading workspace defaults" /> : null}
        {state.kind === "error" ? (
          <SectionMessage appearance="error" title="The workspace defaults could not be loaded">
            {state.message}
          </SectionMessage>
        ) : null}
        {state.kind === "ready"
          ? state.data.integrations.map((card) => (
              <Stack key={card.id} space="space.100">
                <IntegrationCard
                  card={cards[card.id] ?? asSettingsCard(card)}
                  api={api.cardApi}
                  canEdit
                  onShowActivity={() => undefined}
                  fieldsWhenOff
                  onSaved={(next) => setCards((all) => ({ ...all, [next.id]: next }))}
                />
                <ApplyDefaults api={api} integration={card.id} repositories={state.data.repositories} />
              </Stack>
            ))
          : null}
      </Stack>
    </Box>
  );
}
