// /dev/full (Linux) accepts the open and fails every write with ENOSPC: a disk that filled up.
import { describe, expect, it } from "vitest";
import { isAegisError } from "../../src/errors/registry.ts";
import { createDecisionLog } from "../../src/telemetry/decision-log/index.ts";
import { decisionRecord } from "./helpers.ts";

describe("decision log when writes fail", () => {
  it("keeps the records queued, counts the errors, applies the overflow policy, and fails close loudly", async () => {
    const errors: string[] = [];
    const log = createDecisionLog({
      sink: { kind: "file", path: "/dev/full" },
      checkpointIntervalMs: 0,
      batch: { maxRecords: 10, maxDelayMs: 0 },
      overflow: "fail_closed",
      maxQueue: 3,
      logger: { warn: () => undefined, error: (_obj, msg) => errors.push(msg) },
    });
    for (let i = 0; i < 3; i++) expect(log.append(decisionRecord(i)).accepted).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(log.stats()).toMatchObject({ written: 0, queueDepth: 3 });
    expect(log.stats().writeErrors).toBeGreaterThanOrEqual(1);
    expect(errors[0]).toBe("decision log write failed; retrying");
    expect(log.append(decisionRecord(4)).accepted).toBe(false);
    const closed = await log.close().then(() => undefined, (err: unknown) => err);
    expect(isAegisError(closed, "AEGIS_ERR_DECISION_LOG")).toBe(true);
    expect((closed as Error).message).toMatch(/3 records not written/);
  });
});
