// The clock a policy's schedules read (input.now, docs/contracts.md §2). OPA's WASM runtime has
// no time builtins, so the host computes, once per check, the local weekday and minute of the
// day in each IANA zone the agent's schedules name (data.json `schedule_zones`), and only when
// there is one. Intl.DateTimeFormat knows the zone rules, daylight saving included.
import type { PolicyInput, ScheduleClock } from "./types.ts";

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(zone: string): Intl.DateTimeFormat | null {
  let format = formats.get(zone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat("en-US", { timeZone: zone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    } catch {
      // A zone this runtime does not know gets no clock: its schedules deny (fail closed).
      return null;
    }
    formats.set(zone, format);
  }
  return format;
}

/** Weekday ("mon") and minute of the day (0-1439) in each zone at `unixMs`. */
export function scheduleClock(zones: readonly string[], unixMs: number): ScheduleClock {
  const local: Record<string, { day: string; minute: number }> = {};
  for (const zone of zones) {
    const format = formatFor(zone);
    if (format === null) continue;
    const parts = Object.fromEntries(format.formatToParts(unixMs).map((p) => [p.type, p.value]));
    local[zone] = { day: String(parts.weekday).slice(0, 3).toLowerCase(), minute: Number(parts.hour) * 60 + Number(parts.minute) };
  }
  return { unix_ms: unixMs, zones: local };
}

/** `input` with the clock its agent's schedules need; unchanged when they name no zone. */
export function withScheduleClock<T extends PolicyInput>(input: T, zones: readonly string[], unixMs: number): T {
  return zones.length === 0 ? input : { ...input, now: scheduleClock(zones, unixMs) };
}
