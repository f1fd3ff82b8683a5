import type { ReactElement, ReactNode } from "react";
import Textfield from "@atlaskit/textfield";
import Toggle from "@atlaskit/toggle";
import { Inline, Stack, Text } from "@atlaskit/primitives";
import { CheckboxGroup, RadioGroup } from "./Choices";
import type { FieldSpec, InputValue } from "./schema";

const textareaStyle = {
  width: "100%",
  minHeight: 96,
  fontFamily: "monospace",
  fontSize: 12,
  padding: 8,
  borderRadius: 3,
  boxSizing: "border-box" as const,
};

const labelStyle = { fontWeight: 600 };

/** The inline reason the API gave for this field. */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <Text color="color.text.danger" size="small" id={id} testId="field-error">
      {message}
    </Text>
  );
}

export interface FieldProps {
  cardId: string;
  spec: FieldSpec;
  value: InputValue;
  error: string | undefined;
  readOnly: boolean;
  onChange(value: InputValue): void;
  /**
   * Shown beside the label when the value is not the repository's own (e.g. "inherited from
   * workspace"): the slot for workspace defaults. Nothing is shown when absent.
   */
  inheritedMarker?: ReactNode;
}

/** One settings field, rendered from its kind: a switch, radio or checkbox group, or a text input; help text under it. */
export function Field({ cardId, spec, value, error, readOnly, onChange, inheritedMarker }: FieldProps) {
  const id = `${cardId}-${spec.name}`;
  const errorId = `${id}-error`;
  const helpId = `${id}-help`;
  const describedBy = [spec.description ? helpId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  const labelText = (
    <Inline space="space.100" alignBlock="center" as="span">
      <span>{spec.label}</span>
      {inheritedMarker ?? null}
    </Inline>
  );
  let input: ReactElement;
  let labelled = true;
  if (spec.kind === "boolean") {
    // The switch's own label names it; the visible label sits beside it.
    labelled = false;
    input = (
      <Inline space="space.100" alignBlock="center">
        <Toggle
          id={id}
          label={spec.label}
          isChecked={value === true}
          isDisabled={readOnly}
          onChange={(e) => onChange(e.target.checked)}
          testId={`field-${spec.name}`}
        />
        <label htmlFor={id} style={labelStyle}>
          {labelText}
        </label>
      </Inline>
    );
  } else if (spec.kind === "enum") {
    labelled = false;
    input = <RadioGroup id={id} legend={labelText} choices={spec.options} value={String(value)} disabled={readOnly} describedBy={describedBy} onChange={onChange} />;
  } else if (spec.kind === "enum-list") {
    labelled = false;
    input = (
      <CheckboxGroup
        id={id}
        legend={labelText}
        choices={spec.options}
        value={Array.isArray(value) ? value : []}
        disabled={readOnly}
        describedBy={describedBy}
        onChange={onChange}
      />
    );
  } else if (spec.multiline) {
    input = (
      <textarea
        id={id}
        name={spec.name}
        style={textareaStyle}
        value={String(value)}
        readOnly={readOnly}
        placeholder={spec.placeholder ?? undefined}
        aria-invalid={Boolean(error)}
        aria-describedby={describedBy}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  } else {
    input = (
      <Textfield
        id={id}
        name={spec.name}
        value={String(value)}
        isReadOnly={readOnly}
        isInvalid={Boolean(error)}
        inputMode={spec.kind === "integer" || spec.kind === "number" ? "decimal" : undefined}
        aria-describedby={describedBy}
        placeholder={spec.placeholder ?? undefined}
        onChange={(e) => onChange((e.target as HTMLInputElement).value)}
        testId={`field-${spec.name}`}
      />
    );
  }
  return (
    <Stack space="space.050" testId={`fieldrow-${spec.name}`}>
      {labelled ? (
        <label htmlFor={id} style={labelStyle}>
          {labelText}
        </label>
      ) : null}
      {input}
      {spec.description ? (
        <Text size="small" color="color.text.subtle" id={helpId}>
          {spec.description}
        </Text>
      ) : null}
      <FieldError id={errorId} message={error} />
    </Stack>
  );
}
