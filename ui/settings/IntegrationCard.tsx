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
import { SetupChecklist } from "./SetupChecklist";
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
  for (const f of fieldsOf(card.schema, card.secretFields, card.fields)) out[f.name] = toInput(f, card.values?.[f.name]);
  return out;
}

/**
 * One integration. Switched off: one line (what it does) and its switch. Switched on: its setup
 * checklist, its fields by group (rendered from its JSON Schema and field metadata), write-only
 * secrets, values to copy and actions. Saving sends only what changed; the API's reasons show under
 * their fields.
 */
export function IntegrationCard({
  card,
  api,
  canEdit,
  onSaved,
  onShowActivity,
  fieldsWhenOff = false,
  defaultsScope = "workspace",
}: {
  card: SettingsCard;
  api: SettingsApi;
  canEdit: boolean;
  onSaved(card: SettingsCard): void;
  onShowActivity(integration: string): void;
  /** Show every field while switched off too (workspace defaults: a target may be set without switching it on for everyone). */
  fieldsWhenOff?: boolean;
  /** What the defaults a field inherits cover: a workspace (Cloud) or an instance (Data Center). */
  defaultsScope?: "workspace" | "instance";
}) {
  const fields = useMemo(() => fieldsOf(card.schema, card.secretFields, card.fields), [card.schema, card.secretFields, card.fields]);
  const [showOff, setShowOff] = useState(false);
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
  const secretItems = card.secretFields.map((name) => ({ name, ...secretLabel(card.schema, name, card.fields) }));
  const whenOff = card.groupsWhenOff ?? [];
  // Switched off, a card is one line and its switch; settings that apply while off sit behind a button.
  const expanded = enabled || fieldsWhenOff;
  const visibleGroups: Array<string | null> = expanded ? [null, ...card.groups] : showOff ? whenOff : [];
  const known = new Set<string | null>([null, ...card.groups]);
  if (expanded) {
    for (const g of [...fields.map((f) => f.group), ...secretItems.map((x) => x.group)]) if (!known.has(g)) (known.add(g), visibleGroups.push(g));
  }
  const offPending = !enabled && card.enabled;

  const renderField = (f: (typeof fields)[number]) => (
    <Field
      key={f.name}
      cardId={card.id}
      spec={f}
      value={drafts[f.name] ?? ""}
      error={errors[f.name]}
      readOnly={readOnly}
      inheritedMarker={<Inherited name={f.name} inherited={card.inherited} scope={defaultsScope} />}
      onChange={(v) => {
        setDrafts({ ...drafts, [f.name]: v });
        setSaved(false);
      }}
    />
  );
  const renderSecret = (x: (typeof secretItems)[number]) => (
    <div key={`${x.name}-${card.secrets?.[x.name]?.set ? "set" : "unset"}`}>
    <Inherited name={x.name} inherited={card.inherited} scope={defaultsScope} />
    <SecretField
      cardId={card.id}
      name={x.name}
      label={x.label}
      description={x.description}
      placeholder={x.placeholder}
      isSet={card.secrets?.[x.name]?.set === true}
      inherited={card.inherited?.includes(x.name) === true}
      pending={secrets[x.name]}
      error={errors[x.name]}
      readOnly={readOnly}
      onChange={(v) => {
        setSecrets({ ...secrets, [x.name]: v });
        setSaved(false);
      }}
    />
    </div>
  );
  // Fields and secrets in the order the schema lists them, group by group.
  const order = Object.keys((card.schema?.properties ?? {}) as Record<string, unknown>);
  const items = [...fields.map((f) => ({ name: f.name, group: f.group, node: () => renderField(f) })), ...secretItems.map((x) => ({ name: x.name, group: x.group, node: () => renderSecret(x) }))].sort(
    (a, b) => order.indexOf(a.name) - order.indexOf(b.name),
  );

  const saveRow = (
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
  );

  return (
    <Box xcss={cardStyle} testId={`card-${card.id}`} data-enabled={String(card.enabled)} as="section" aria-labelledby={`${card.id}-title`}>
      <Stack space="space.200">
        <Inline spread="space-between" alignBlock="center" space="space.200">
          <Stack space="space.050">
            <Heading size="small" as="h3" id={`${card.id}-title`}>
              {card.title}
            </Heading>
            {card.description ? <Text color="color.text.subtle">{card.description}</Text> : null}
          </Stack>
          <div style={{ flexShrink: 0 }}>
            {readOnly ? (
              <Lozenge appearance={card.enabled ? "success" : "default"}>{card.enabled ? "on" : "off"}</Lozenge>
            ) : (
              <Toggle
                id={`${card.id}-enabled`}
                label={`${card.title}: ${enabled ? "on" : "off"}`}
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
            {enabled && card.setup ? <SetupChecklist cardId={card.id} initial={card.setup} api={api} onShowActivity={onShowActivity} /> : null}
            {!expanded && whenOff.length ? (
              <div>
                <Button appearance="subtle" spacing="compact" aria-expanded={showOff} onClick={() => setShowOff(!showOff)} testId={`show-settings-${card.id}`}>
                  {showOff ? "Hide settings" : `Show settings: ${whenOff.join(", ").toLowerCase()}`}
                </Button>
              </div>
            ) : null}
            {visibleGroups.map((g) => {
              const inGroup = items.filter((it) => it.group === g);
              if (!inGroup.length) return null;
              return (
                <Stack key={g ?? "-"} space="space.150" testId={`group-${card.id}`}>
                  {g ? (
                    <Heading size="xsmall" as="h4">
                      {g}
                    </Heading>
                  ) : null}
                  {inGroup.map((it) => it.node())}
                </Stack>
              );
            })}
            {expanded || showOff || offPending || dirty ? saveRow : null}
            {saved && !dirty ? <SavedChecks card={card} /> : null}
            {enabled ? <CopyValues card={card} /> : null}
            {enabled ? <Actions card={card} api={api} disabled={dirty} /> : null}
          </>
        )}
      </Stack>
    </Box>
  );
}
