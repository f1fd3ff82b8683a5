import { useCallback, useEffect, useMemo, useState } from "react";
import Heading from "@atlaskit/heading";
import SectionMessage from "@atlaskit/section-message";
import Spinner from "@atlaskit/spinner";
import { Box, Stack, Text, xcss } from "@atlaskit/primitives";
import type { PageBootstrap } from "../lib/bootstrap";
import type { Transport } from "../lib/transport";
import { describeError, settingsApi } from "./api";
import { ActivityLog } from "./ActivityLog";
import { DataCenterWebhook } from "./DataCenterWebhook";
import { IntegrationCard } from "./IntegrationCard";
import type { SettingsCard, SettingsResponse } from "./types";

const pageStyle = xcss({ padding: "space.200", maxWidth: "1000px" });

type State = { kind: "loading" } | { kind: "error"; message: string } | { kind: "ready"; settings: SettingsResponse };

/** The repository settings page: (Data Center: the repository's webhook,) one card per integration, then the activity log. */
export function App({ bootstrap, transport }: { bootstrap: PageBootstrap; transport: Transport }) {
  const repoUuid = bootstrap.repository.uuid;
  const api = useMemo(() => (repoUuid ? settingsApi(transport, repoUuid) : null), [transport, repoUuid]);
  const [state, setState] = useState<State>({ kind: "loading" });
  const [activityIntegration, setActivityIntegration] = useState<string | undefined>(undefined);
  const [activityFocus, setActivityFocus] = useState(0);
  const showActivity = useCallback((integration: string) => {
    setActivityIntegration(integration);
    setActivityFocus((n) => n + 1);
  }, []);

  const load = useCallback(async () => {
    if (!api) return setState({ kind: "error", message: "Open this page from a repository's settings." });
    try {
      setState({ kind: "ready", settings: await api.load() });
    } catch (err) {
      setState({ kind: "error", message: describeError(err) });
    }
  }, [api]);

  useEffect(() => {
    void load();
  }, [load]);

  // A saved card may switch an integration on or off: the Data Center webhook section asks again.
  const [saves, setSaves] = useState(0);
  const replaceCard = (card: SettingsCard) => {
    setSaves((n) => n + 1);
    setState((s) =>
      s.kind === "ready" ? { kind: "ready", settings: { ...s.settings, integrations: s.settings.integrations.map((c) => (c.id === card.id ? card : c)) } } : s,
    );
  };

  return (
    <Box xcss={pageStyle} testId="settings-page" data-state={state.kind}>
      <Stack space="space.300">
        <Stack space="space.050">
          <Heading size="large" as="h1">
            Bitbucket Relay
          </Heading>
          <Text color="color.text.subtle">{bootstrap.repository.fullName ?? (state.kind === "ready" ? state.settings.repository.fullName : null) ?? ""}</Text>
        </Stack>
        {state.kind === "loading" ? <Spinner label="Loading settings" /> : null}
        {state.kind === "error" ? (
          <SectionMessage appearance="error" title="The settings could not be loaded">
            {state.message}
          </SectionMessage>
        ) : null}
        {state.kind === "ready" && api ? (
          <>
            {!state.settings.canEdit ? (
              <SectionMessage appearance="information" title="Read-only" testId="read-only">
                Only repository admins can change these settings or see their details.
              </SectionMessage>
            ) : null}
            {bootstrap.host === "datacenter" ? <DataCenterWebhook api={api} refresh={saves} /> : null}
            <Stack space="space.200">
              <Heading size="medium" as="h2">
                Integrations
              </Heading>
              {state.settings.integrations.map((card) => (
                <IntegrationCard
                  key={card.id}
                  card={card}
                  api={api}
                  canEdit={state.settings.canEdit}
                  onSaved={replaceCard}
                  onShowActivity={showActivity}
                  defaultsScope={bootstrap.host === "datacenter" ? "instance" : "workspace"}
                />
              ))}
            </Stack>
            <ActivityLog
              api={api}
              integrations={state.settings.integrations.map((c) => ({ label: c.title, value: c.id }))}
              integration={activityIntegration}
              onIntegrationChange={setActivityIntegration}
              focusRequest={activityFocus}
            />
          </>
        ) : null}
      </Stack>
    </Box>
  );
}
