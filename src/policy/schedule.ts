// `schedule:` → ScheduleData, and the checks build time makes on it. The WASM runtime has no
// clock: the host hands Rego the local day and minute in each zone a policy names (input.now,
// see src/input/schedule-clock.ts), and the Rego library compares.
import type { ScheduleDoc, Weekday } from "./model.ts";
import type { ScheduleData } from "./policy-data.ts";

export const WEEKDAYS: readonly Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
export const DEFAULT_TIMEZONE = "UTC";
const MINUTES_PER_DAY = 24 * 60;

/** "09:30-17:00" → [570, 1020]; expects the schema's `HH:MM-HH:MM`. */
export function hoursRange(hours: string): [number, number] {
  const [start, end] = hours.split("-").map((hm) => {
    const [h, m] = hm.split(":").map(Number);
    return (h ?? 0) * 60 + (m ?? 0);
  });
  return [start ?? 0, end ?? 0];
}

/** Why `zone` is not a time zone this runtime knows, or null. */
export function timezoneProblem(zone: string): string | null {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return null;
  } catch {
    return `\`${zone}\` is not an IANA time zone name (like \`Europe/Berlin\` or \`UTC\`)`;
  }
}

/** Why a `hours` entry is unusable, or null. */
export function hoursProblem(hours: string): string | null {
  const [start, end] = hoursRange(hours);
  return start < end ? null : `\`${hours}\` ends before it starts; write a range past midnight as two (\`22:00-24:00\`, \`00:00-06:00\`)`;
}

export function compileSchedule(schedule: ScheduleDoc | undefined): ScheduleData | null {
  if (schedule === undefined) return null;
  const days = new Set(schedule.days ?? WEEKDAYS);
  const minutes = (schedule.hours ?? [`00:00-24:00`]).map(hoursRange).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return {
    timezone: schedule.timezone ?? DEFAULT_TIMEZONE,
    days: WEEKDAYS.filter((d) => days.has(d)),
    minutes: minutes.length > 0 ? minutes : [[0, MINUTES_PER_DAY]],
  };
}
