import { useState } from "react";
import Button from "@atlaskit/button/new";
import Lozenge from "@atlaskit/lozenge";
import Textfield from "@atlaskit/textfield";
import { Inline, Stack, Text } from "@atlaskit/primitives";
import { FieldError } from "./Field";

export interface SecretFieldProps {
  cardId: string;
  name: string;
  label: string;
  description: string | null;
  /** An example of the value's shape (never a real one), shown while nothing is typed. */
  placeholder?: string | null;
  isSet: boolean;
  /**
   * The value set is the workspace default's, not this card's own: there is nothing of its own to
   * clear (clearing would change nothing), so only "Replace" (a value of its own) is offered.
   */
  inherited?: boolean;
  /** undefined: unchanged; string: replace with; null: clear. */
  pending: string | null | undefined;
  error: string | undefined;
  readOnly: boolean;
  onChange(value: string | null | undefined): void;
}

/**
 * A write-only secret: the page only ever knows whether it is set. Replacing shows an empty
 * password input; the value goes to the server on save and is never shown again.
 */
export function SecretField({ cardId, name, label, description, placeholder, isSet, inherited = false, pending, error, readOnly, onChange }: SecretFieldProps) {
  const id = `${cardId}-secret-${name}`;
  const [editing, setEditing] = useState(!isSet);
  const clearing = pending === null;
  return (
    <Stack space="space.050" testId={`secret-${name}`}>
      <Inline space="space.100" alignBlock="center">
        <label htmlFor={id} style={{ fontWeight: 600 }}>
          {label}
        </label>
        <Lozenge appearance={isSet && !clearing ? "success" : "default"}>{clearing ? "will be cleared" : isSet ? "set" : "not set"}</Lozenge>
      </Inline>
      {readOnly ? null : editing && !clearing ? (
        <Inline space="space.100" alignBlock="center">
          <Textfield
            id={id}
            name={name}
            type="password"
            autoComplete="new-password"
            placeholder={isSet ? "Enter a new value to replace it" : (placeholder ?? "Enter a value")}
            value={pending ?? ""}
            isInvalid={Boolean(error)}
            onChange={(e) => {
              const v = (e.target as HTMLInputElement).value;
              onChange(v === "" ? undefined : v);
            }}
            testId={`secret-input-${name}`}
          />
          {isSet ? (
            <Button
              appearance="subtle"
              onClick={() => {
                onChange(undefined);
                setEditing(false);
              }}
            >
              Cancel
            </Button>
          ) : null}
        </Inline>
      ) : (
        <Inline space="space.100">
          {clearing ? (
            <Button appearance="subtle" onClick={() => onChange(undefined)}>
              Keep it
            </Button>
          ) : (
            <>
              <Button onClick={() => setEditing(true)}>Replace</Button>
              {isSet && !inherited ? (
                <Button appearance="subtle" onClick={() => onChange(null)}>
                  Clear
                </Button>
              ) : null}
            </>
          )}
        </Inline>
      )}
      {description ? (
        <Text size="small" color="color.text.subtle">
          {description}
        </Text>
      ) : null}
      <FieldError id={`${id}-error`} message={error} />
    </Stack>
  );
}
