// The README's "What is where" table is the map of the tree: every folder of src/ and every
// top-level folder has a row, and every path it names exists.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { codeSpans, tableUnder } from "../support/markdown-table.ts";
import { REPO_ROOT } from "../support/static-imports.ts";

const rows = tableUnder(readFileSync(join(REPO_ROOT, "README.md"), "utf8"), "## What is where");
const listed = rows.flatMap((row) => codeSpans(row[0] ?? ""));
const TOP_LEVEL = /^(bench|bin|deploy|docs|policies|proto|schemas|scripts|src|test)\//;

function folders(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir), { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => e.name);
}

/** Top-level names .gitignore leaves out of the repository (node_modules/, build/, ...). */
function ignoredTopLevel(): Set<string> {
  const lines = readFileSync(join(REPO_ROOT, ".gitignore"), "utf8").split("\n").map((l) => l.trim());
  return new Set(lines.filter((l) => /^[\w.-]+\/?$/.test(l)).map((l) => l.replace(/\/$/, "")));
}

describe("README: What is where", () => {
  it("has a row for every folder under src/", () => {
    const missing = folders("src").filter((name) => !listed.includes(`src/${name}/`));
    expect(missing, "src/ folders the table does not list").toEqual([]);
  });

  it("has a row for every top-level folder of the repository", () => {
    const ignored = ignoredTopLevel();
    const missing = folders(".").filter((name) => !ignored.has(name) && !listed.some((path) => path.startsWith(`${name}/`)));
    expect(missing, "top-level folders the table does not list").toEqual([]);
  });

  it("names only paths that exist", () => {
    const named = rows.flatMap((row) => [...codeSpans(row[0] ?? ""), ...codeSpans(row[1] ?? "").filter((span) => TOP_LEVEL.test(span))]);
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((path) => !existsSync(join(REPO_ROOT, path)))).toEqual([]);
  });
});
