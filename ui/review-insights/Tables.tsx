import type { CSSProperties, ReactNode } from "react";
import { token } from "@atlaskit/tokens";

const tableStyle: CSSProperties = { borderCollapse: "collapse", width: "100%", fontSize: 13, color: token("color.text", "#172B4D") };
const cell: CSSProperties = { padding: "4px 8px", borderBottom: `1px solid ${token("color.border", "#091E4224")}`, textAlign: "left", verticalAlign: "top" };
const num: CSSProperties = { ...cell, textAlign: "right", fontVariantNumeric: "tabular-nums" };

export interface Column<R> {
  id: string;
  label: string;
  numeric?: boolean;
  render(row: R): ReactNode;
}

/** A plain data table with a caption and column headers (the numbers behind a chart). */
export function DataTable<R>({ id, caption, columns, rows, empty }: { id: string; caption: string; columns: Column<R>[]; rows: R[]; empty: string }) {
  return (
    <div style={{ overflowX: "auto", marginTop: 8 }}>
      <table style={tableStyle} data-testid={`table-${id}`}>
        <caption style={{ textAlign: "left", fontWeight: 600, fontSize: 14, padding: "4px 0", color: token("color.text.subtle", "#44546F") }}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.id} scope="col" style={c.numeric ? num : cell}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length ? (
            rows.map((r, i) => (
              <tr key={i}>
                {columns.map((c) => (
                  <td key={c.id} style={c.numeric ? num : cell}>
                    {c.render(r)}
                  </td>
                ))}
              </tr>
            ))
          ) : (
            <tr>
              <td colSpan={columns.length} style={cell}>
                {empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
