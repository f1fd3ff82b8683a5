import type { CSSProperties, ReactNode } from "react";
import { AxisBottom, AxisLeft } from "@visx/axis";
import { Group } from "@visx/group";
import { PatternLines } from "@visx/pattern";
import { scaleBand, scaleLinear } from "@visx/scale";
import { Bar } from "@visx/shape";
import { token } from "@atlaskit/tokens";

/*
 * SVG charts drawn with visx (tree-shaken modules: scale, shape, axis, group, pattern). Every series
 * is told apart by its fill pattern (solid / hatched) and its legend, never by colour alone; every bar
 * carries its value as text; each chart's numbers are also in the table after it.
 */

export interface Series {
  id: string;
  label: string;
  /** "solid" or "hatched": the series' fill, which the legend shows too. */
  fill: "solid" | "hatched";
}

export interface Group_ {
  label: string;
  values: Array<number | null>;
}

const W = 720;
const H = 260;
const M = { top: 24, right: 12, bottom: 40, left: 52 };

const colour = (fill: Series["fill"]) => (fill === "solid" ? token("color.chart.blue.bold", "#1D7AFC") : token("color.chart.purple.bold", "#8F7EE7"));
const textColour = token("color.text.subtle", "#44546F");
const axisColour = token("color.border", "#091E4224");

function Patterns({ prefix, series }: { prefix: string; series: Series[] }) {
  return (
    <defs>
      {series
        .filter((s) => s.fill === "hatched")
        .map((s) => (
          <PatternLines key={s.id} id={`${prefix}-${s.id}`} width={6} height={6} stroke={colour(s.fill)} strokeWidth={2} orientation={["diagonal"]} background={token("elevation.surface", "#FFFFFF")} />
        ))}
    </defs>
  );
}

function fillOf(prefix: string, s: Series): string {
  return s.fill === "hatched" ? `url(#${prefix}-${s.id})` : colour(s.fill);
}

const legendStyle: CSSProperties = { display: "flex", gap: 16, flexWrap: "wrap", margin: "4px 0 0", padding: 0, listStyle: "none", color: textColour, fontSize: 12 };

/** The legend: each series' pattern swatch and name. */
export function Legend({ prefix, series }: { prefix: string; series: Series[] }) {
  return (
    <ul style={legendStyle} data-testid={`${prefix}-legend`}>
      {series.map((s) => (
        <li key={s.id} style={{ display: "inline-flex", alignItems: "center", gap: 6 }}>
          <svg width={14} height={14} aria-hidden="true">
            <Patterns prefix={`${prefix}-legend`} series={[s]} />
            <rect width={14} height={14} style={{ fill: fillOf(`${prefix}-legend`, s), stroke: colour(s.fill) }} />
          </svg>
          {s.label}
        </li>
      ))}
    </ul>
  );
}

/**
 * Grouped vertical bars: one group per label (a week, an age bucket), one bar per series, each bar
 * labelled with `format(value)`; null values draw no bar and read "–".
 */
export function BarChart({
  id,
  title,
  series,
  groups,
  format,
  yLabel,
  summary,
}: {
  id: string;
  title: string;
  series: Series[];
  groups: Group_[];
  format(v: number): string;
  yLabel: string;
  /** What the chart shows, for screen readers (the numbers are in the table). */
  summary: string;
}) {
  const innerW = W - M.left - M.right;
  const innerH = H - M.top - M.bottom;
  const max = Math.max(1, ...groups.flatMap((g) => g.values.map((v) => v ?? 0)));
  const x = scaleBand<string>({ domain: groups.map((g) => g.label), range: [0, innerW], padding: 0.25 });
  const inner = scaleBand<string>({ domain: series.map((s) => s.id), range: [0, x.bandwidth()], padding: 0.08 });
  const y = scaleLinear<number>({ domain: [0, max * 1.15], range: [innerH, 0], nice: true });
  const small = groups.length * series.length > 16;
  return (
    <figure style={{ margin: 0 }} data-testid={`chart-${id}`}>
      <figcaption id={`${id}-title`} style={{ fontWeight: 600, marginBottom: 4, color: token("color.text", "#172B4D") }}>
        {title}
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-labelledby={`${id}-title`} aria-describedby={`${id}-desc`} style={{ maxWidth: W, display: "block" }}>
        <desc id={`${id}-desc`}>{summary}</desc>
        <Patterns prefix={id} series={series} />
        <Group left={M.left} top={M.top}>
          {groups.map((g) => (
            <Group key={g.label} left={x(g.label) ?? 0}>
              {series.map((s, i) => {
                const v = g.values[i] ?? null;
                const bx = inner(s.id) ?? 0;
                const bw = inner.bandwidth();
                const top = v === null ? innerH : y(v);
                return (
                  <g key={s.id}>
                    {v !== null && <Bar x={bx} y={top} width={bw} height={Math.max(0, innerH - top)} style={{ fill: fillOf(id, s), stroke: colour(s.fill), strokeWidth: 1 }} />}
                    <text x={bx + bw / 2} y={top - 4} textAnchor="middle" fontSize={small ? 9 : 11} style={{ fill: textColour }}>
                      {v === null ? "–" : format(v)}
                    </text>
                  </g>
                );
              })}
            </Group>
          ))}
          <AxisLeft scale={y} numTicks={4} stroke={axisColour} tickStroke={axisColour} label={yLabel} labelProps={{ fill: textColour, fontSize: 11, textAnchor: "middle" }} tickLabelProps={() => ({ fill: textColour, fontSize: 11, textAnchor: "end", dx: -4, dy: 3 })} />
          <AxisBottom top={innerH} scale={x} stroke={axisColour} tickStroke={axisColour} tickLabelProps={() => ({ fill: textColour, fontSize: 11, textAnchor: "middle" })} />
        </Group>
      </svg>
      <Legend prefix={id} series={series} />
    </figure>
  );
}

/** A figure's frame: the chart, then its table and CSV button. */
export function ChartCard({ children, testId }: { children: ReactNode; testId: string }) {
  return (
    <section
      data-testid={testId}
      style={{ border: `1px solid ${token("color.border", "#091E4224")}`, borderRadius: 8, padding: 16, background: token("elevation.surface", "#FFFFFF"), minWidth: 0 }}
    >
      {children}
    </section>
  );
}
