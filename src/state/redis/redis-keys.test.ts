import { describe, expect, it } from "vitest";
import { redisKeys } from "./redis-keys.ts";

describe("redisKeys", () => {
  it("puts the tenant in a hash tag so one tenant's keys share a cluster slot", () => {
    expect(redisKeys.approval("acme", "abc")).toBe("aegis:{acme}:approval:abc");
    expect(redisKeys.pendingBySeq("acme")).toBe("aegis:{acme}:pending:by-seq");
    expect(redisKeys.budget("acme", "finance-agent", "daily-spend", 86_400, 1_741_046_400_000)).toBe(
      "aegis:{acme}:budget:finance-agent:daily-spend:86400:1741046400000",
    );
  });

  it("encodes separators so names cannot collide with another key", () => {
    expect(redisKeys.budget("acme", "a:b", "c", 60, 0)).not.toBe(redisKeys.budget("acme", "a", "b:c", 60, 0));
    expect(redisKeys.approval("ac}me", "x")).toBe("aegis:{ac%7Dme}:approval:x");
  });

  it("extends the approval prefix to the same key the store reads", () => {
    expect(redisKeys.approvalPrefix("acme") + "abc").toBe(redisKeys.approval("acme", "abc"));
  });

  it("keeps budgets of different window sizes apart even when their windows start together", () => {
    expect(redisKeys.budget("acme", "a", "n", 3_600, 0)).not.toBe(redisKeys.budget("acme", "a", "n", 86_400, 0));
  });
});
