import { describe, expect, it } from "vitest";
import { isAegisError } from "../errors/registry.ts";
import type { AppendResult, DecisionLog } from "../telemetry/decision-log/decision-log.ts";
import { decisionRecorder, NO_DECISION_RECORDER } from "./decision-recorder.ts";

function fakeLog(over: Partial<DecisionLog>, result: AppendResult): DecisionLog & { written: object[] } {
  const written: object[] = [];
  return {
    overflow: "drop_count", durability: "buffered",
    append: (r) => (written.push(r), result),
    appendAsync: async (r) => (written.push(r), result),
    flush: async () => undefined, close: async () => undefined,
    stats: () => ({}) as ReturnType<DecisionLog["stats"]>,
    written, ...over,
  };
}

describe("the decision recorder", () => {
  it("records nothing and builds nothing without a decision log", () => {
    for (const outcome of ["allow", "deny", "sanitize", "approval_needed"] as const) expect(NO_DECISION_RECORDER.records(outcome)).toBe(false);
  });

  it("records allows only with include_allows, every other outcome always", () => {
    const log = fakeLog({}, { accepted: true, hash: "h" });
    expect(decisionRecorder(log, false, () => undefined).records("allow")).toBe(false);
    expect(decisionRecorder(log, true, () => undefined).records("allow")).toBe(true);
    expect(decisionRecorder(log, false, () => undefined).records("deny")).toBe(true);
  });

  it("answers a buffered append at once with its chain hash", () => {
    const log = fakeLog({}, { accepted: true, hash: "abc" });
    expect(decisionRecorder(log, false, () => undefined).record({ n: 1 })).toBe("abc");
    expect(log.written).toEqual([{ n: 1 }]);
  });

  it("waits under sync durability and under overflow block", async () => {
    for (const over of [{ durability: "sync" as const }, { overflow: "block" as const }]) {
      const written = decisionRecorder(fakeLog(over, { accepted: true, hash: "h2" }), false, () => undefined).record({});
      expect(written).toBeInstanceOf(Promise);
      expect(await written).toBe("h2");
    }
  });

  it("counts a dropped record and answers null; under fail_closed refuses the check", async () => {
    let dropped = 0;
    expect(decisionRecorder(fakeLog({}, { accepted: false, hash: "" }), false, () => void dropped++).record({})).toBeNull();
    expect(dropped).toBe(1);
    let err: unknown;
    try {
      decisionRecorder(fakeLog({ overflow: "fail_closed" }, { accepted: false, hash: "" }), false, () => void dropped++).record({});
    } catch (e) {
      err = e;
    }
    expect(isAegisError(err, "AEGIS_ERR_DECISION_LOG")).toBe(true);
    expect(dropped).toBe(2);
  });
});
