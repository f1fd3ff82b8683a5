import SectionMessage from "@atlaskit/section-message";
import { Stack, Text } from "@atlaskit/primitives";
import type { SettingsCard } from "./types";

/**
 * The integration's checks of the settings just saved (e.g. AWS: role, bucket, write). A failed
 * check is a warning: the settings are saved either way.
 */
export function SavedChecks({ card }: { card: SettingsCard }) {
  const checks = card.checks ?? [];
  if (!checks.length) return null;
  const failed = checks.filter((c) => !c.ok);
  return (
    <SectionMessage
      appearance={failed.length ? "warning" : "success"}
      title={failed.length ? "Saved, but the check found problems" : "Saved and checked"}
      testId="save-checks"
    >
      <Stack space="space.050">
        {checks.map((c) => (
          <Text key={c.label} color={c.ok ? "color.text" : "color.text.warning"}>
            {c.ok ? "✓" : "✗"} {c.label}: {c.message}
          </Text>
        ))}
      </Stack>
    </SectionMessage>
  );
}
