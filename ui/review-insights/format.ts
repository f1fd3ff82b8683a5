const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A duration for people: minutes under an hour, hours under two days, else days (one decimal). */
export function duration(ms: number | null): string {
  if (ms === null) return "–";
  if (ms < HOUR) return `${Math.round(ms / 60_000)} min`;
  if (ms < 2 * DAY) return `${(ms / HOUR).toFixed(1)} h`;
  return `${(ms / DAY).toFixed(1)} d`;
}

/** Hours with one decimal (chart scales). */
export const hours = (ms: number | null): number | null => (ms === null ? null : Math.round((ms / HOUR) * 10) / 10);

/** `2026-11-23` → `23 Nov`. */
export function weekLabel(isoDate: string): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  return d.toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
}

export function dateLabel(iso: string | null): string {
  return iso ? new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }) : "–";
}
