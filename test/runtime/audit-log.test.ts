// The signed decision log a real `aegis serve` writes: after checks of every outcome and a SIGTERM,
// `aegis audit verify` accepts the log; later runs appending to the same file, even after one was
// killed with SIGKILL, keep it verifiable; editing a single record makes verification fail.
import { generateKeyPairSync } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { aegis } from "../support/cli.ts";
import { connectCheckClient } from "../support/grpc-check-client.ts";
import { buildBundle, eventually, jsonLines, payment, serve, workDir, writeConfig } from "./runtime-harness.ts";

let work: string;
let bundle: string;
let log: string;
let signingKey: string;
let verificationKey: string;

beforeAll(() => {
  work = workDir("audit");
  bundle = buildBundle(work);
  log = join(work, "decisions.log");
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  signingKey = join(work, "audit-signing.pem");
  verificationKey = join(work, "audit-verify.pem");
  writeFileSync(signingKey, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  writeFileSync(verificationKey, publicKey.export({ type: "spki", format: "pem" }));
});

const decisionCount = () => jsonLines(readFileSync(log, "utf8")).filter((l) => l.type === "decision").length;

/**
 * One `aegis serve` run: an allow, a deny, an approval_needed and an invalid amount, then SIGTERM,
 * or SIGKILL once the four records are on disk.
 */
async function runOnce(end: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> {
  const before = existsSync(log) ? decisionCount() : 0;
  const server = await serve({ bundle, state: `sqlite:${join(work, "state.db")}`, config: writeConfig(work, "aegis"), args: ["--decision-log", log, "--audit-signing-key", signingKey] });
  const client = connectCheckClient(server.grpcPort);
  try {
    const answers = await Promise.all([payment(100), payment(60_000), payment(7000), payment("1e3")].map((r) => client.check(r)));
    expect(answers.map((a) => a.kind === "ok" ? "ok" : a.body.reason)).toEqual(["ok", "blocked_over_hard_limit", "approval_needed", "invalid_amount"]);
  } finally {
    client.close();
  }
  if (end === "SIGTERM") {
    expect(await server.stop()).toBe(0);
  } else {
    await eventually(decisionCount, (n) => n === before + 4, "the four records on disk");
    await server.kill();
  }
}

function verify(): { code: number | null; out: string } {
  const r = aegis(["audit", "verify", log, "--verification-key", verificationKey]);
  return { code: r.code, out: r.stdout + r.stderr };
}

describe("the decision log of aegis serve under aegis audit verify", () => {
  it("verifies after a run ended by SIGTERM", async () => {
    await runOnce();
    const records = jsonLines(readFileSync(log, "utf8")).filter((l) => l.type === "decision");
    expect(records.map((r) => r.decision).sort()).toEqual(["allow", "approval_needed", "deny", "deny"]);
    expect(verify()).toEqual({ code: 0, out: expect.stringMatching(/^ok: 4 records, [1-9]\d* checkpoints\n$/) });
  });

  it("still verifies after a second run appended to the same log", async () => {
    await runOnce();
    expect(verify()).toEqual({ code: 0, out: expect.stringMatching(/^ok: 8 records, [1-9]\d* checkpoints\n$/) });
  });

  it("still verifies when a run killed with SIGKILL left its records unsealed and the next run went on", async () => {
    await runOnce("SIGKILL");
    await runOnce();
    expect(verify()).toEqual({ code: 0, out: expect.stringMatching(/^ok: 16 records, [1-9]\d* checkpoints\n$/) });
  });

  it("fails, naming the line, when one record is edited", () => {
    const lines = readFileSync(log, "utf8").split("\n");
    const index = lines.findIndex((l) => l.includes('"decision":"deny"'));
    expect(index).toBeGreaterThanOrEqual(0);
    lines[index] = (lines[index] ?? "").replace('"decision":"deny"', '"decision":"allow"');
    writeFileSync(log, lines.join("\n"));
    const result = verify();
    expect(result.code).toBe(1);
    expect(result.out).toContain(`${log}:${index + 1}:`);
  });
});
