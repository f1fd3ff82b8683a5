import type { ReactElement } from "react";
import Select from "@atlaskit/select";
import Textfield from "@atlaskit/textfield";
import Toggle from "@atlaskit/toggle";
import { Stack, Text } from "@atlaskit/primitives";
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
}

/** One settings field, rendered from its JSON Schema kind. */
export function Field({ cardId, spec, value, error, readOnly, onChange }: FieldProps) {
  const id = `${cardId}-${spec.name}`;
  const errorId = `${id}-error`;
  const label = (
    <label htmlFor={id} style={labelStyle}>
      {spec.label}
    </label>
  );
  let input: ReactElement;
  if (spec.kind === "boolean") {
    input = <Toggle id={id} label={spec.label} isChecked={value === true} isDisabled={readOnly} onChange={(e) => onChange(e.target.checked)} />;
  } else if (spec.kind === "enum") {
    const options = spec.options.map((o) => ({ label: o, value: o }));
    input = (
      <Select
        inputId={id}
        classNamePrefix={`field-${spec.name}`}
        options={options}
        value={options.find((o) => o.value === value) ?? null}
        isDisabled={readOnly}
        onChange={(o) => onChange(o?.value ?? "")}
      />
    );
  } else if (spec.kind === "enum-list") {
    const options = spec.options.map((o) => ({ label: o, value: o }));
    const selected = Array.isArray(value) ? value : [];
    input = (
      <Select
        inputId={id}
        isMulti
        classNamePrefix={`field-${spec.name}`}
        options={options}
        value={options.filter((o) => selected.includes(o.value))}
        isDisabled={readOnly}
        onChange={(list) => onChange(list.map((o) => o.value))}
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
        aria-invalid={Boolean(error)}
        aria-describedby={error ? errorId : undefined}
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
        aria-describedby={error ? errorId : undefined}
        placeholder={spec.kind === "string-list" || spec.kind === "number-list" ? "comma, separated, values" : undefined}
        onChange={(e) => onChange((e.target as HTMLInputElement).value)}
        testId={`field-${spec.name}`}
      />
    );
  }
  return (
    <Stack space="space.050">
      {label}
      {input}
      {spec.description ? (
        <Text size="small" color="color.text.subtlest">
          {spec.description}
        </Text>
      ) : null}
      <FieldError id={errorId} message={error} />
    </Stack>
  );
}
