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

/** One of a few choices ("Drafts: Shown separately / Hidden"), as a labelled radio group. */
export function RadioGroup({ id, legend, choices, value, disabled, describedBy, onChange }: GroupProps & { value: string; onChange(value: string): void }) {
  return (
    <fieldset style={groupStyle} id={id} aria-describedby={describedBy} data-testid={`choices-${id}`}>
      <legend style={legendStyle}>{legend}</legend>
      <div style={listStyle}>
        {choices.map((c) => (
          <label key={c.value} style={optionStyle}>
            <input
              type="radio"
              className="relay-choice"
              style={inputStyle}
              name={id}
              value={c.value}
              checked={value === c.value}
              disabled={disabled}
              onChange={() => onChange(c.value)}
            />
            {c.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** Any of several choices (weekdays, event kinds), as a labelled group of checkboxes. */
export function CheckboxGroup({ id, legend, choices, value, disabled, describedBy, onChange }: GroupProps & { value: string[]; onChange(value: string[]): void }) {
  return (
    <fieldset style={groupStyle} id={id} aria-describedby={describedBy} data-testid={`choices-${id}`}>
      <legend style={legendStyle}>{legend}</legend>
      <div style={listStyle}>
        {choices.map((c) => (
          <label key={c.value} style={optionStyle}>
            <input
              type="checkbox"
              className="relay-choice"
              style={inputStyle}
              name={id}
              value={c.value}
              checked={value.includes(c.value)}
              disabled={disabled}
              onChange={(e) => onChange(e.target.checked ? [...value, c.value] : value.filter((v) => v !== c.value))}
            />
            {c.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
