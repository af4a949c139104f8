// Attack: spell a sanitized parameter with a letter that case-folds to an ASCII one. The docs
// agent's doc-store calls sanitize `ssn`; Go's encoding/json (Unicode simple case folding)
// fills an `SSN` field from "ſsn" (U+017F, long s) and a "\u212Asey" key from "ksey". The input
// stage already folds names this way when it looks for ambiguous parameters, but the log masking
// only lower-cased them, so "ſsn" and "SſN" were written raw to the decision log (SPEC §8:
// sanitized names are masked case-insensitively in every log).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { checkRequest } from "../support/check-request-builder.ts";
import { buildBundle, eventually, identity, workDir, writeConfig } from "../runtime/runtime-harness.ts";
import { startAegisProcess, type RunningAegisProcess } from "../support/aegis-server.ts";
import { connectCheckClient, type CheckClient } from "../support/grpc-check-client.ts";

const SECRET = { longS: "ssn-longs-7a1c", mixed: "ssn-mixed-55e0" } as const;

let work: string;
let decisionLog: string;
let server: RunningAegisProcess;
let client: CheckClient;

beforeAll(async () => {
  work = workDir("redteam-sanitize-fold");
  decisionLog = join(work, "decisions.log");
  server = await startAegisProcess({
    args: ["--bundle", buildBundle(work), "--state", `sqlite:${join(work, "state.db")}`, "--config", writeConfig(work, "aegis"), "--trust-identity-headers", "--decision-log", decisionLog],
  });
  client = connectCheckClient(server.grpcPort);
}, 120_000);

afterAll(async () => {
  client?.close();
  await server?.stop();
});

it("masks a sanitized name spelled with a folding letter in the decision log and the process output", async () => {
  for (const [name, value] of [["\u017Fsn", SECRET.longS], ["S\u017FN", SECRET.mixed]] as const) {
    const path = `/search?q=handbook&${encodeURIComponent(name)}=${value}`;
    await client.check(checkRequest({ method: "GET", host: "wiki.docs.acme.internal", path, headers: identity("docs-agent") }));
  }
  const log = await eventually(() => (existsSync(decisionLog) ? readFileSync(decisionLog, "utf8") : ""), (text) => text.split("docs-agent").length > 2, "both decision log entries", 10_000);
  for (const value of Object.values(SECRET)) {
    expect(log).not.toContain(value);
    expect(server.logs()).not.toContain(value);
  }
});
