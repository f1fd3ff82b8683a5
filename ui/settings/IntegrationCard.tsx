import { useMemo, useState } from "react";
import Button from "@atlaskit/button/new";
import Heading from "@atlaskit/heading";
import Lozenge from "@atlaskit/lozenge";
import SectionMessage from "@atlaskit/section-message";
import Toggle from "@atlaskit/toggle";
import { Box, Inline, Stack, Text, xcss } from "@atlaskit/primitives";
import { describeError, issuesOf, type SettingsApi } from "./api";
import { Actions } from "./Actions";
import { CopyValues } from "./CopyValues";
import { Field } from "./Field";
import { Inherited } from "./Inherited";
import { SecretField } from "./SecretField";
import { SavedChecks } from "./SavedChecks";
import { fieldsOf, secretLabel, toInput, toWire, type InputValue } from "./schema";
import type { SettingsCard, SettingsPatch } from "./types";

const cardStyle = xcss({
  borderColor: "color.border",
  borderStyle: "solid",
  borderWidth: "border.width",
  borderRadius: "radius.medium",
  padding: "space.200",
  backgroundColor: "elevation.surface",
});

type Drafts = Record<string, InputValue>;

function initialDrafts(card: SettingsCard): Drafts {
  const out: Drafts = {};
  for (const f of fieldsOf(card.schema, card.secretFields)) out[f.name] = toInput(f, card.values?.[f.name]);
  return out;
}

/**
 * One integration: its switch, fields rendered from its JSON Schema, write-only secrets, values to
 * copy and actions. Saving sends only what changed; the API's reasons show under their fields.
 */
export function IntegrationCard({ card, api, canEdit, onSaved }: { card: SettingsCard; api: SettingsApi; canEdit: boolean; onSaved(card: SettingsCard): void }) {
  const fields = useMemo(() => fieldsOf(card.schema, card.secretFields), [card.schema, card.secretFields]);
  const [enabled, setEnabled] = useState(card.enabled);
  const [drafts, setDrafts] = useState<Drafts>(() => initialDrafts(card));
  const [secrets, setSecrets] = useState<Record<string, string | null | undefined>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);

  const patch = (): SettingsPatch => {
    const values: Record<string, unknown> = {};
    if (enabled !== card.enabled) values.enabled = enabled;
    for (const f of fields) {
      const draft = drafts[f.name] ?? "";
      if (JSON.stringify(draft) !== JSON.stringify(toInput(f, card.values?.[f.name]))) values[f.name] = toWire(f, draft);
    }
    const secretPatch: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(secrets)) if (v !== undefined) secretPatch[k] = v;
    return {
      ...(Object.keys(values).length ? { values } : {}),
      ...(Object.keys(secretPatch).length ? { secrets: secretPatch } : {}),
    };
  };
  const pending = patch();
  const dirty = Boolean(pending.values || pending.secrets);

  const save = async () => {
    setSaving(true);
    setSaved(false);
    setErrors({});
    setFormError(null);
    try {
      const next = await api.save(card.id, pending);
      setSecrets({});
      setDrafts(initialDrafts(next));
      setEnabled(next.enabled);
      setSaved(true);
      onSaved(next);
    } catch (err) {
      const issues = issuesOf(err);
      const byField: Record<string, string> = {};
      const loose: string[] = [];
      for (const i of issues) {
        const key = i.path.replace(/^secrets\./, "").split(".")[0] ?? "";
        if (key && (fields.some((f) => f.name === key) || card.secretFields.includes(key))) byField[key] ??= i.message;
        else loose.push(i.path ? `${i.path}: ${i.message}` : i.message);
      }
      setErrors(byField);
      setFormError(loose.length ? loose.join("; ") : issues.length ? "Fix the fields marked below." : describeError(err));
    } finally {
      setSaving(false);
    }
  };

  const readOnly = !canEdit;
  return (
    <Box xcss={cardStyle} testId={`card-${card.id}`} data-enabled={String(card.enabled)}>
      <Stack space="space.200">
        <Inline spread="space-between" alignBlock="center">
          <Stack space="space.050">
            <Heading size="small" as="h3">
              {card.title}
            </Heading>
            {card.description ? <Text color="color.text.subtle">{card.description}</Text> : null}
          </Stack>
          <div style={{ flexShrink: 0, marginInlineStart: 16 }}>
          {readOnly ? (
            <Lozenge appearance={card.enabled ? "success" : "default"}>{card.enabled ? "on" : "off"}</Lozenge>
          ) : (
            <Toggle
              id={`${card.id}-enabled`}
              label={`Turn ${card.title} ${enabled ? "off" : "on"}`}
              isChecked={enabled}
              onChange={(e) => {
                setEnabled(e.target.checked);
                setSaved(false);
              }}
              testId={`toggle-${card.id}`}
            />
          )}
          </div>
        </Inline>
        {readOnly ? null : (
          <>
            {formError ? (
              <SectionMessage appearance="error" title="Not saved" testId="form-error">
                {formError}
              </SectionMessage>
            ) : null}
            {fields.map((f) => (
              <div key={f.name}>
              <Inherited name={f.name} inherited={card.inherited} />
              <Field
                cardId={card.id}
                spec={f}
                value={drafts[f.name] ?? ""}
                error={errors[f.name]}
                readOnly={readOnly}
                onChange={(v) => {
                  setDrafts({ ...drafts, [f.name]: v });
                  setSaved(false);
                }}
              />
              </div>
            ))}
            {card.secretFields.map((name) => {
              const { label, description } = secretLabel(card.schema, name);
              return (
                <div key={`${name}-${card.secrets?.[name]?.set ? "set" : "unset"}`}>
                <Inherited name={name} inherited={card.inherited} />
                <SecretField
                  cardId={card.id}
                  name={name}
                  label={label}
                  description={description}
                  isSet={card.secrets?.[name]?.set === true}
                  pending={secrets[name]}
                  error={errors[name]}
                  readOnly={readOnly}
                  onChange={(v) => {
                    setSecrets({ ...secrets, [name]: v });
                    setSaved(false);
                  }}
                />
                </div>
              );
            })}
            <Inline space="space.100" alignBlock="center">
              <Button appearance="primary" isDisabled={!dirty} isLoading={saving} onClick={() => void save()} testId={`save-${card.id}`}>
                Save
              </Button>
              {saved && !dirty ? (
                <Text color="color.text.success" testId="saved">
                  Saved
                </Text>
              ) : null}
            </Inline>
            {saved && !dirty ? <SavedChecks card={card} /> : null}
            <CopyValues card={card} />
            <Actions card={card} api={api} disabled={dirty} />
          </>
        )}
      </Stack>
    </Box>
  );
}
