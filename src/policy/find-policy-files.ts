import { readdir, stat } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import { AegisError } from "../errors/registry.ts";
import { isDecisionTestFile } from "./decision-test-file.ts";
import { policyReadError } from "./policy-read-error.ts";
import { DEFAULT_POLICY_READ_LIMITS } from "./read-limits.ts";

const YAML_EXTENSIONS = [".yaml", ".yml"];

function isYaml(name: string): boolean {
  return YAML_EXTENSIONS.some((ext) => name.endsWith(ext));
}

async function walk(root: string, dir: string, found: string[], maxFiles: number): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw policyReadError(dir, err);
  }
  for (const entry of entries) {
    // Hidden folders (.git, editor state) never hold policies.
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    const isDir = entry.isDirectory() || (entry.isSymbolicLink() && (await stat(path).catch(() => undefined))?.isDirectory() === true);
    if (isDir) await walk(root, path, found, maxFiles);
    else if (isYaml(entry.name) && !isDecisionTestFile(relative(root, path))) found.push(path);
    // Stops the walk too: a symlink loop or a huge tree is not read to the end.
    if (found.length > maxFiles) {
      throw new AegisError("AEGIS_ERR_POLICY_READ", `more than ${maxFiles} policy files under ${root}; point at a smaller directory`);
    }
  }
}

/**
 * The policy files at `path`, as paths that start with `path` itself (so messages show them the
 * way the user typed them), in a stable order. A single file is taken whatever its extension,
 * unless it is a decision test file. More than `maxFiles` files is AEGIS_ERR_POLICY_READ.
 */
export async function findPolicyFiles(path: string, maxFiles: number = DEFAULT_POLICY_READ_LIMITS.maxFiles): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw policyReadError(path, err);
  }
  const found: string[] = [];
  if (info.isDirectory()) await walk(path, path, found, maxFiles);
  else if (!isDecisionTestFile(basename(path))) found.push(path);
  if (found.length === 0) {
    throw new AegisError("AEGIS_ERR_POLICY_READ", `no policy files (*.yaml, *.yml; test cases excluded) at ${path}`);
  }
  // Plain code-unit order, the same order problems are reported in.
  return found.sort();
}
