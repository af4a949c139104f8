// The stdout sink, in a child process as it runs in a container: its output verifies as a log.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { verifyDecisionLog } from "../../src/telemetry/decision-log/index.ts";
import { ed25519Keys, tempDir } from "./helpers.ts";

const run = promisify(execFile);
const INDEX = resolve(import.meta.dirname, "../../src/telemetry/decision-log/index.ts");

describe("decision log on stdout", () => {
  it("writes a chain that verifies, ending with a close checkpoint", async () => {
    const keys = ed25519Keys();
    const script = `
      import { createDecisionLog } from ${JSON.stringify(INDEX)};
      const log = createDecisionLog({ sink: { kind: "stdout" }, signingKeyPem: process.env.KEY, checkpointEvery: 4,
        batch: { maxRecords: 3, maxDelayMs: 1 }, overflow: "block", maxQueue: 100 });
      for (let i = 0; i < 10; i++) log.append({ i });
      await log.close();`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { env: { ...process.env, KEY: keys.privatePem } });
    const path = join(tempDir(), "captured.log");
    writeFileSync(path, stdout);
    expect(await verifyDecisionLog(path, keys.publicPem)).toEqual({ ok: true, records: 10, checkpoints: 3, unsealed: 0 });
  });
});
