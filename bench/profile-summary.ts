// node bench/profile-summary.ts <file.cpuprofile> [--top N]: where the CPU went, as text.
// Profiles come from `node --cpu-prof` (for aegis serve: NODE_OPTIONS="--cpu-prof --cpu-prof-dir=D").
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { type CpuProfile, formatProfileSummary, summarizeProfile } from "./lib/cpu-profile.ts";
import { REPO_ROOT } from "./lib/repo-paths.ts";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: "string", default: "25" } } });
const [file] = positionals;
if (file === undefined) {
  process.stderr.write("usage: node bench/profile-summary.ts <file.cpuprofile> [--top N]\n");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
process.stdout.write(formatProfileSummary(summarizeProfile(profile, REPO_ROOT, Number(values.top))));
