// aegis eval --bundle B --input request.json: prints the decision JSON.
import { readFileSync } from "node:fs";
import { parseCommand, usageError } from "../parse-command.ts";
import { decide } from "../../engine/decide.ts";
import { openBundleFile } from "../../engine/open-bundle.ts";
import { AegisError } from "../../errors/registry.ts";
import type { PolicyInput } from "../../input/types.ts";
import { completeInput } from "../../input/complete-input.ts";

const USAGE = "usage: aegis eval --bundle <bundle.tar.gz> --input <input.json|->\n" +
  "  the input is a policy input (docs/contracts.md §2); omitted fields take neutral defaults\n";

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand("eval", USAGE, { args, options: { bundle: { type: "string" }, input: { type: "string" }, help: { type: "boolean", short: "h" } } });
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  if (values.bundle === undefined || values.input === undefined) return usageError("eval", USAGE);
  const input = completeInput(readInput(values.input));
  const { engine } = await openBundleFile(values.bundle);
  try {
    process.stdout.write(`${JSON.stringify(await decide(engine, input), null, 2)}\n`);
  } finally {
    await engine.close();
  }
  return 0;
}

function readInput(path: string): Partial<PolicyInput> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path === "-" ? 0 : path, "utf8"));
  } catch (err) {
    throw new AegisError("AEGIS_ERR_USAGE", `cannot read input ${path}: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new AegisError("AEGIS_ERR_USAGE", `input ${path} must be a JSON object`);
  return parsed as Partial<PolicyInput>;
}
