import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY_READ_LIMITS, policyReadLimitsFromEnv } from "./read-limits.ts";

describe("policy read limits from the environment", () => {
  it("are the defaults when no AEGIS_POLICY_MAX_* variable is set", () => {
    expect(policyReadLimitsFromEnv({})).toEqual(DEFAULT_POLICY_READ_LIMITS);
  });

  it("take each variable that is set and keep the other defaults", () => {
    const limits = policyReadLimitsFromEnv({ AEGIS_POLICY_MAX_FILE_BYTES: "1048576", AEGIS_POLICY_MAX_TOTAL_NODES: "5" });
    expect(limits).toEqual({ ...DEFAULT_POLICY_READ_LIMITS, maxFileBytes: 1048576, maxTotalNodes: 5 });
  });

  it.each(["0", "-1", "1.5", "lots", "1e400"])("refuse %s as a limit, naming the variable", (raw) => {
    expect(() => policyReadLimitsFromEnv({ AEGIS_POLICY_MAX_FILES: raw })).toThrow(/AEGIS_POLICY_MAX_FILES must be a positive integer/);
  });
});
