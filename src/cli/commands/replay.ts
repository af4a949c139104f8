// aegis replay --log decisions.jsonl --bundle candidate.tar.gz [--since 7d] [--json]
import { parseCommand, usageError } from "../parse-command.ts";
import { decide } from "../../engine/decide.ts";
import { openBundleFile } from "../../engine/open-bundle.ts";
import { parseSince, readDecisionLog } from "../../ops/decision-records.ts";
import { replay, replayText } from "../../ops/replay.ts";

const USAGE = "usage: aegis replay --log <decisions.jsonl> --bundle <candidate.tar.gz> [--since 7d|24h|ISO-TIME] [--json] [--fail-on-divergence]\n" +
  "  re-decides every logged call with the candidate bundle and prints where it decides otherwise, by rule\n";

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand("replay", USAGE, {
    args,
    options: { log: { type: "string" }, bundle: { type: "string" }, since: { type: "string" }, json: { type: "boolean" }, "fail-on-divergence": { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  if (values.log === undefined || values.bundle === undefined) return usageError("replay", USAGE, "--log and --bundle are required");
  const since = values.since === undefined ? null : parseSince(values.since, Date.now());
  const { records, skipped } = readDecisionLog(values.log, since);
  const { engine } = await openBundleFile(values.bundle);
  try {
    const result = await replay(records, (input) => decide(engine, input), engine.revision);
    process.stdout.write(values.json === true ? `${JSON.stringify(result, null, 2)}\n` : replayText(result));
    if (skipped > 0) process.stderr.write(`aegis replay: skipped ${skipped} lines that are not decision records\n`);
    return values["fail-on-divergence"] === true && result.divergences.length > 0 ? 1 : 0;
  } finally {
    await engine.close();
  }
}
