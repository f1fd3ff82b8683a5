import type { ReviewRadarSettings } from "./settings";

export type ScheduleSettings = Pick<ReviewRadarSettings, "schedule" | "times" | "weekdays" | "workdayStart" | "workdayEnd" | "timeZone">;

export interface LocalTime {
  /** YYYY-MM-DD in the time zone. */
  date: string;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** HH:MM, 24h. */
  time: string;
}

export interface Slot {
  /** Unique per repository: the local date and time with the zone (a repeated DST hour is one slot). */
  key: string;
  /** The UTC instant (ms) of the slot's minute. */
  at: number;
}

const MINUTE = 60_000;
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock time of an instant in a time zone. */
export function localTime(instant: number, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) parts[p.type] = p.value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: WEEKDAYS[parts.weekday ?? ""] ?? 0,
    time: `${parts.hour}:${parts.minute}`,
  };
}

/** Within working hours on a working day (start inclusive, end exclusive). */
export function inWorkingHours(t: LocalTime, s: ScheduleSettings): boolean {
  return s.weekdays.includes(t.weekday) && t.time >= s.workdayStart && t.time < s.workdayEnd;
}

/** Whether a reminder is due at this local minute: every full hour, or at one of the set times, within working hours. */
export function isSlot(t: LocalTime, s: ScheduleSettings): boolean {
  if (!inWorkingHours(t, s)) return false;
  return s.schedule === "hourly" ? t.time.endsWith(":00") : s.times.includes(t.time);
}

/** The slots whose minute falls in (from, to]. */
export function dueSlots(from: number, to: number, s: ScheduleSettings): Slot[] {
  const out: Slot[] = [];
  const first = Math.floor(from / MINUTE) * MINUTE + MINUTE;
  for (let at = first; at <= to; at += MINUTE) {
    const t = localTime(at, s.timeZone);
    if (isSlot(t, s)) out.push({ key: `${t.date}T${t.time} ${s.timeZone}`, at });
  }
  return out;
}
