// DENY_REASONS is the reporting order the Rego library applies: both must list the same reasons
// in the same order, or a decision could name a reason normalize refuses.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { opaBinary, REPO_ROOT } from "../../test/support/opa.ts";
import { DENY_REASONS } from "./types.ts";

describe("DENY_REASONS", () => {
  it("equals the precedence list of policies/aegis/outcome.rego", () => {
    const out = execFileSync(opaBinary(), ["eval", "-f", "raw", "-d", join(REPO_ROOT, "policies", "aegis"), "data.aegis.outcome.precedence"], { encoding: "utf8" });
    expect(JSON.parse(out)).toEqual([...DENY_REASONS]);
  });
});
