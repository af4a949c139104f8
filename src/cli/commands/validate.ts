// aegis validate <file|dir>: every problem as `file:line:col: <json-pointer>: message`, exit 1;
// or a one-line summary, exit 0.
import { defaultRegoDir } from "../../bundle/library-dir.ts";
import { compilePolicyDir } from "../../bundle/policy-dir.ts";
import { formatProblem } from "../../policy/index.ts";

const USAGE = "usage: aegis validate <file|dir>\n";

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

export async function run(args: string[]): Promise<number> {
  if (args.length === 1 && (args[0] === "--help" || args[0] === "-h")) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [path] = args;
  if (args.length !== 1 || path === undefined || path.startsWith("-")) {
    process.stderr.write(USAGE);
    return 2;
  }
  // An unreadable path throws AegisError(AEGIS_ERR_POLICY_READ); the dispatcher prints it as one
  // line and exits 1.
  const result = await compilePolicyDir(path, defaultRegoDir());
  if (!result.ok) {
    process.stdout.write(result.problems.map((p) => `${formatProblem(p)}\n`).join(""));
    const files = new Set(result.problems.map((p) => p.file)).size;
    process.stderr.write(`aegis validate: ${plural(result.problems.length, "problem")} in ${plural(files, "file")}\n`);
    return 1;
  }
  const tenants = Object.values(result.data.tenants);
  const agents = tenants.reduce((n, t) => n + Object.keys(t.agents).length, 0);
  process.stdout.write(
    `aegis validate: ${path}: ok (${plural(result.files.length, "file")}, ${plural(tenants.length, "tenant")}, ${plural(agents, "agent")}${result.custom.sources.length === 0 ? "" : `, ${plural(result.custom.sources.length, "custom Rego module")}`})\n`,
  );
  return 0;
}
