// The static imports of the project's TypeScript, for the layout tests: what each file imports,
// resolved to files for relative specifiers and to package names for bare ones. The code base
// writes one import per statement at the start of a line, which is what these patterns read;
// a dynamic import counts only when its specifier is a string literal.
import { readdirSync, readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";

export interface StaticImport {
  readonly specifier: string;
  /** `import type` / `export type`: erased when the file runs, so it loads nothing. */
  readonly typeOnly: boolean;
}

const PATTERNS = [
  // import x from "m"; import { a, type b } from "m"; export * from "m"; export { a } from "m"
  /^[ \t]*(?:import|export)\s+(?<type>type\s+)?[^;"'`]*?\bfrom\s*["'](?<spec>[^"']+)["']/gm,
  // import "m" (side effects only)
  /^[ \t]*import\s*["'](?<spec>[^"']+)["']/gm,
  // await import("m"); createRequire(import.meta.url)("m")
  /\bimport\(\s*["'](?<spec>[^"']+)["']\s*\)/g,
  /\bcreateRequire\(import\.meta\.url\)\(\s*["'](?<spec>[^"']+)["']\s*\)/g,
  // a worker's module: new Worker(new URL("./w.ts", import.meta.url))
  /\bnew URL\(\s*["'](?<spec>\.[^"']*\.ts)["']\s*,\s*import\.meta\.url\s*\)/g,
];

export function staticImports(source: string): StaticImport[] {
  const found: { index: number; entry: StaticImport }[] = [];
  for (const pattern of PATTERNS) {
    for (const m of source.matchAll(pattern)) {
      found.push({ index: m.index, entry: { specifier: m.groups?.spec as string, typeOnly: m.groups?.type !== undefined } });
    }
  }
  return found.sort((a, b) => a.index - b.index).map((f) => f.entry);
}

/** The npm package a bare specifier loads (`@scope/name/sub` → `@scope/name`), or null for relative paths and Node built-ins. */
export function packageOf(specifier: string): string | null {
  if (specifier.startsWith(".") || specifier.startsWith("/") || isBuiltin(specifier)) return null;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] as string);
}

export const REPO_ROOT = resolve(import.meta.dirname, "..", "..");

/** Every .ts file under `dir` (repo-relative), test files excluded. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string): void => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const path = join(abs, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") && !entry.name.endsWith(".d.ts")) out.push(relative(REPO_ROOT, path));
    }
  };
  walk(join(REPO_ROOT, dir));
  return out.sort();
}

export interface FileImports {
  /** Repo-relative, `/`-separated. */
  readonly file: string;
  /** Relative imports, resolved to repo-relative paths. */
  readonly files: readonly { readonly path: string; readonly typeOnly: boolean }[];
  readonly packages: readonly { readonly name: string; readonly typeOnly: boolean }[];
}

const cache = new Map<string, FileImports>();

export function importsOf(file: string): FileImports {
  const cached = cache.get(file);
  if (cached !== undefined) return cached;
  const source = readFileSync(join(REPO_ROOT, file), "utf8");
  const files: { path: string; typeOnly: boolean }[] = [];
  const packages: { name: string; typeOnly: boolean }[] = [];
  for (const { specifier, typeOnly } of staticImports(source)) {
    if (specifier.startsWith(".")) {
      files.push({ path: relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), specifier)).split(sep).join("/"), typeOnly });
    } else {
      const name = packageOf(specifier);
      if (name !== null) packages.push({ name, typeOnly });
    }
  }
  const result = { file: file.split(sep).join("/"), files, packages };
  cache.set(file, result);
  return result;
}

/** The files `entries` load when they run: relative imports followed, type-only ones skipped. */
export function runtimeClosure(entries: readonly string[]): string[] {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const dep of importsOf(file).files) if (!dep.typeOnly && dep.path.endsWith(".ts")) queue.push(dep.path);
  }
  return [...seen].sort();
}
