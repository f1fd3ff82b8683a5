import type { CSSProperties, ReactNode } from "react";
import { token } from "@atlaskit/tokens";
import type { Choice } from "./schema";

/*
 * Radio and checkbox groups of native inputs, styled with Atlaskit tokens. Native inputs are
 * keyboard-operable and announced by screen readers as they are; @atlaskit/radio and
 * @atlaskit/checkbox declare React 18 only as their peer (this app runs React 19), and
 * @atlaskit/select (react-select) alone weighed ~40 KiB gzip of the page.
 */

const groupStyle: CSSProperties = { border: 0, margin: 0, padding: 0, minWidth: 0 };
const legendStyle: CSSProperties = { fontWeight: 600, padding: 0, marginBottom: 4 };
const listStyle: CSSProperties = { display: "flex", flexWrap: "wrap", gap: "4px 16px" };
const optionStyle: CSSProperties = { display: "inline-flex", alignItems: "center", gap: 6, cursor: "pointer", color: token("color.text") };
const inputStyle: CSSProperties = { margin: 0, width: 16, height: 16, accentColor: token("color.background.selected.bold") };

interface GroupProps {
  id: string;
  legend: ReactNode;
  choices: Choice[];
  disabled: boolean;
  describedBy?: string;
}

/** The one fieldset both groups render: a legend, then one labelled native input per choice. */
function ChoiceGroup({ id, legend, choices, disabled, describedBy, type, isChecked, onToggle }: GroupProps & { type: "radio" | "checkbox"; isChecked(value: string): boolean; onToggle(value: string, checked: boolean): void }) {
  return (
    <fieldset style={groupStyle} id={id} aria-describedby={describedBy} data-testid={`choices-${id}`}>
      <legend style={legendStyle}>{legend}</legend>
      <div style={listStyle}>
        {choices.map((c) => (
          <label key={c.value} style={optionStyle}>
            <input
              type={type}
              className="relay-choice"
              style={inputStyle}
              name={id}
              value={c.value}
              checked={isChecked(c.value)}
              disabled={disabled}
              onChange={(e) => onToggle(c.value, e.target.checked)}
            />
            {c.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** One of a few choices ("Drafts: Shown separately / Hidden"), as a labelled radio group. */
export function RadioGroup({ value, onChange, ...group }: GroupProps & { value: string; onChange(value: string): void }) {
  return <ChoiceGroup {...group} type="radio" isChecked={(v) => value === v} onToggle={(v) => onChange(v)} />;
}

/** Any of several choices (weekdays, event kinds), as a labelled group of checkboxes. */
export function CheckboxGroup({ value, onChange, ...group }: GroupProps & { value: string[]; onChange(value: string[]): void }) {
  return <ChoiceGroup {...group} type="checkbox" isChecked={(v) => value.includes(v)} onToggle={(v, checked) => onChange(checked ? [...value, v] : value.filter((x) => x !== v))} />;
}
