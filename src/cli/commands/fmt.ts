// aegis fmt <file|dir> [-w | --check]: policy YAML in the schema's key order and one quoting
// style, comments kept (src/policy/format-yaml.ts). Lists the files whose formatting differs;
// -w rewrites them in place, --check exits 1 when any differs.
import { readFile, rename, writeFile } from "node:fs/promises";
import { parseCommand, usageError } from "../parse-command.ts";
import { findPolicyFiles } from "../../policy/find-policy-files.ts";
import { formatPolicyYaml } from "../../policy/format-yaml.ts";

const USAGE = `usage: aegis fmt <file|dir> [-w | --check]

  lists the policy files (decision tests excluded) whose key order or quoting differs
  -w, --write  rewrite them in place
  --check      exit 1 when any file differs (for CI)
`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand("fmt", USAGE, { args, allowPositionals: true, options: { write: { type: "boolean", short: "w" }, check: { type: "boolean" }, help: { type: "boolean", short: "h" } } });
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const [path] = positionals;
  if (path === undefined || positionals.length !== 1) return usageError("fmt", USAGE, "expected exactly one file or directory");
  if (values.write === true && values.check === true) return usageError("fmt", USAGE, "-w and --check exclude each other");

  let differing = 0;
  let broken = 0;
  for (const file of await findPolicyFiles(path)) {
    const text = await readFile(file, "utf8");
    const formatted = formatPolicyYaml(text);
    if (!formatted.ok) {
      broken++;
      process.stderr.write(`aegis fmt: ${file}: not formatted: ${formatted.error}\n`);
      continue;
    }
    if (formatted.text === text) continue;
    differing++;
    process.stdout.write(`${file}\n`);
    if (values.write === true) {
      // Beside the file, then rename: a reader never sees half of it.
      await writeFile(`${file}.fmt-tmp`, formatted.text);
      await rename(`${file}.fmt-tmp`, file);
    }
  }
  if (broken > 0) return 1;
  return values.check === true && differing > 0 ? 1 : 0;
}
