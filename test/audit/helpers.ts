// Shared helpers for the decision-log tests: keys, temp dirs, and line-level tampering.
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lineHash } from "../../src/telemetry/decision-log/chain.ts";
import { createDecisionLog } from "../../src/telemetry/decision-log/index.ts";
import type { DecisionLogOptions } from "../../src/telemetry/decision-log/options.ts";

export interface KeyPair {
  readonly privatePem: string;
  readonly publicPem: string;
}

export function ed25519Keys(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privatePem: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    publicPem: publicKey.export({ type: "spki", format: "pem" }) as string,
  };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "aegis-audit-"));
}

export function decisionRecord(i: number): Record<string, unknown> {
  return { type: "decision", decision_id: `d-${i}`, tenant: "acme", agent_id: "finance-agent", tool: "stripe-payments", decision: i % 3 === 0 ? "deny" : "allow", latency_ms: 0.2 };
}

/** Writes `count` decision records through the real writer and closes it. */
export async function writeLog(path: string, count: number, options: Partial<DecisionLogOptions> & { signingKeyPem: string }): Promise<void> {
  const log = createDecisionLog({
    sink: { kind: "file", path },
    checkpointEvery: 5,
    checkpointIntervalMs: 0,
    batch: { maxRecords: 8, maxDelayMs: 1 },
    overflow: "block",
    maxQueue: 10_000,
    ...options,
  });
  for (let i = 1; i <= count; i++) log.append(decisionRecord(i));
  await log.close();
}

export function readLines(path: string): string[] {
  const text = readFileSync(path, "utf8");
  return text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
}

export function writeLines(path: string, lines: readonly string[]): void {
  writeFileSync(path, lines.length === 0 ? "" : `${lines.join("\n")}\n`);
}

export type Line = Record<string, unknown>;

export function parseLine(text: string): Line {
  return JSON.parse(text) as Line;
}

/** Re-hashes and re-links every line from index `from` on, as a forger without the key would. */
export function rechain(lines: readonly string[], from: number): string[] {
  const out = [...lines];
  for (let i = from; i < out.length; i++) {
    const line = parseLine(out[i]!);
    if (i > 0) {
      const previous = parseLine(out[i - 1]!);
      line.prev_hash = previous.hash;
      if (line.type === "checkpoint") line.hash_of_last_record = previous.type === "checkpoint" ? previous.hash_of_last_record : previous.hash;
    }
    line.hash = lineHash(line);
    out[i] = JSON.stringify(line);
  }
  return out;
}
