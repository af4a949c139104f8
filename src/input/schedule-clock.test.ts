import { describe, expect, it } from "vitest";
import { scheduleClock, withScheduleClock } from "./schedule-clock.ts";
import { completeInput } from "./complete-input.ts";

describe("the schedule clock", () => {
  it("gives weekday and minute of the day in each zone, daylight saving included", () => {
    const winter = Date.parse("2026-12-07T09:05:00Z"); // a Monday
    expect(scheduleClock(["Europe/Berlin", "UTC", "America/New_York"], winter)).toEqual({
      unix_ms: winter,
      zones: { "Europe/Berlin": { day: "mon", minute: 10 * 60 + 5 }, UTC: { day: "mon", minute: 9 * 60 + 5 }, "America/New_York": { day: "mon", minute: 4 * 60 + 5 } },
    });
    const summer = Date.parse("2026-07-05T22:30:00Z"); // Sunday in UTC, already Monday in Berlin
    expect(scheduleClock(["Europe/Berlin"], summer).zones).toEqual({ "Europe/Berlin": { day: "mon", minute: 30 } });
  });

  it("writes midnight as minute 0, not 24:00", () => {
    expect(scheduleClock(["UTC"], Date.parse("2026-12-08T00:00:00Z")).zones.UTC).toEqual({ day: "tue", minute: 0 });
  });

  it("leaves out a zone the runtime does not know, so its schedules fail closed", () => {
    expect(scheduleClock(["Mars/Olympus_Mons", "UTC"], 0).zones).toEqual({ UTC: { day: "thu", minute: 0 } });
  });

  it("adds nothing to the input of an agent without schedules", () => {
    const input = completeInput({ tenant: "acme", agent: "a" });
    expect(withScheduleClock(input, [], 0)).toBe(input);
    expect(withScheduleClock(input, ["UTC"], 0).now).toEqual({ unix_ms: 0, zones: { UTC: { day: "thu", minute: 0 } } });
  });
});
