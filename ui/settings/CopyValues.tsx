import { useState } from "react";
import Button from "@atlaskit/button/new";
import { Box, Inline, Stack, Text, xcss } from "@atlaskit/primitives";
import type { SettingsCard } from "./types";

const valueStyle = xcss({
  fontFamily: "font.family.code",
  backgroundColor: "color.background.neutral",
  paddingInline: "space.100",
  paddingBlock: "space.050",
  borderRadius: "radius.small",
  overflowWrap: "anywhere",
});

const preStyle = { margin: 0, whiteSpace: "pre-wrap" as const, fontSize: 12 };

/** Copies text, with the clipboard API where the iframe may use it and a selection otherwise. */
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through: iframes without clipboard-write permission
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

function CopyRow({ label, value, sensitive, multiline }: SettingsCard["copyValues"][number]) {
  const [revealed, setRevealed] = useState(!sensitive);
  const [copied, setCopied] = useState<"copied" | "failed" | null>(null);
  const shown = revealed ? value : "•".repeat(Math.min(24, Math.max(8, value.length)));
  return (
    <Stack space="space.050" testId="copy-value">
      <Text weight="semibold">{label}</Text>
      <Inline space="space.100" alignBlock="start">
        <Box xcss={valueStyle}>{multiline && revealed ? <pre style={preStyle}>{shown}</pre> : <Text>{shown}</Text>}</Box>
        {sensitive ? (
          <Button appearance="subtle" onClick={() => setRevealed(!revealed)}>
            {revealed ? "Hide" : "Show"}
          </Button>
        ) : null}
        <Button
          onClick={() => {
            void copyText(value).then((ok) => {
              setCopied(ok ? "copied" : "failed");
              setTimeout(() => setCopied(null), 2000);
            });
          }}
        >
          {copied === "copied" ? "Copied" : copied === "failed" ? "Copy failed" : `Copy`}
        </Button>
      </Inline>
    </Stack>
  );
}

/** The values the customer pastes into another system (endpoint URLs, API keys, ExternalId, IAM policy). */
export function CopyValues({ card }: { card: SettingsCard }) {
  if (!card.copyValues.length && !card.copyValuesError) return null;
  return (
    <Stack space="space.100">
      {card.copyValues.map((v) => (
        <CopyRow key={v.label} {...v} />
      ))}
      {card.copyValuesError ? <Text color="color.text.warning">{card.copyValuesError}</Text> : null}
    </Stack>
  );
}
