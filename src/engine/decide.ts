import { randomUUID } from "node:crypto";
import { normalizeDecision } from "../decision/normalize.ts";
import type { Decision } from "../decision/types.ts";
import type { PolicyInput } from "../input/types.ts";
import type { Engine } from "./engine.ts";

/** Evaluate + normalize, for callers outside the ext_authz path (CLI, SDK, tests). */
export async function decide(engine: Engine, input: PolicyInput, decisionId: string = randomUUID()): Promise<Decision> {
  return normalizeDecision(await engine.evaluate(input), { decisionId, policyVersion: engine.revision });
}
