// aegis shadow report --log decisions.jsonl [--since 7d] [--html out.html] [--json]
import { writeFileSync } from "node:fs";
import { parseCommand, usageError } from "../parse-command.ts";
import { parseSince, readDecisionLog } from "../../ops/decision-records.ts";
import { buildShadowReport } from "../../ops/shadow-report.ts";
import { shadowReportHtml, shadowReportText } from "../../ops/shadow-report-render.ts";

const USAGE = "usage: aegis shadow report --log <decisions.jsonl> [--since 7d|24h|30m|ISO-TIME] [--html <out.html>] [--json]\n" +
  "  summarizes what the policies denied or sent to approval (or would have, in shadow mode), per agent/tool/rule,\n" +
  "  the distribution of numeric parameters, and where a threshold would have halved approvals\n";

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand("shadow", USAGE, {
    args, allowPositionals: true,
    options: { log: { type: "string" }, since: { type: "string" }, html: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  if (positionals[0] !== "report" || positionals.length !== 1) return usageError("shadow", USAGE, positionals.length === 0 ? undefined : `unknown subcommand "${positionals.join(" ")}"`);
  if (values.log === undefined) return usageError("shadow", USAGE, "--log is required");
  const since = values.since === undefined ? null : parseSince(values.since, Date.now());
  const { records, skipped } = readDecisionLog(values.log, since);
  const report = buildShadowReport(records);
  if (values.html !== undefined) writeFileSync(values.html, shadowReportHtml(report));
  process.stdout.write(values.json === true ? `${JSON.stringify(report, null, 2)}\n` : shadowReportText(report));
  if (skipped > 0) process.stderr.write(`aegis shadow: skipped ${skipped} lines that are not decision records\n`);
  return 0;
}
