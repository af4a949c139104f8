// The policy author's own Rego beside the YAML (docs/rego.md, "Custom modules"): every *.rego
// under the policy directory (hidden folders skipped; *_test.rego are its tests, never shipped).
// Before a module may join the bundle it must:
//   - pass `opa check --strict` together with the library;
//   - declare `package aegis.custom.<tenant>` or `aegis.custom.<tenant>.<agent>` for a tenant
//     (and agent) the YAML defines;
//   - read only the policy input's contract fields (docs/contracts.md §2), by name;
//   - read per-tenant data only through data.aegis.identity (custom-data-reads.ts);
//   - define deny / needs_approval / redact as partial sets (`deny contains {...} if`).
// Each entry of those sets then gets "rule_id": "<file>.rego:<row>" (the file relative to the
// policy directory), written into the shipped copy of the module around the rule's head term, so
// a decision names the line that decided. Builtins the WASM runtime lacks are refused after the
// build, when the compiled module says which it needs (src/bundle/wasm-builtins.ts).
import { execFile } from "node:child_process";
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { AegisError } from "../errors/registry.ts";
import type { PolicyData } from "../policy/policy-data.ts";
import type { Problem } from "../policy/problem.ts";
import { sliceLeaks } from "./custom-data-reads.ts";
import { opaCommand } from "./opa-cli.ts";
import type { RegoSource } from "./rego-sources.ts";

/** Where custom modules sit inside the bundle: "custom/<path below the policy directory>". */
export const CUSTOM_BUNDLE_DIR = "custom";

/** The input fields a custom module may read (docs/contracts.md §2). */
export const INPUT_CONTRACT_FIELDS: ReadonlySet<string> = new Set([
  "tenant", "agent", "identity_source", "tool", "action", "params", "host", "method", "path", "truncated_body", "unread_body", "call_chain", "budgets", "now",
]);

/** The partial sets the library reads from a custom package. */
export const CUSTOM_SETS: ReadonlySet<string> = new Set(["deny", "needs_approval", "redact"]);

/** Names a module's redact rules write literally, by the package's tenant and (optional) agent. */
export interface CustomRedactions {
  readonly tenant: string;
  readonly agent: string | null;
  readonly names: readonly string[];
}

export interface CustomModules {
  /** Rewritten modules, named for the bundle, sorted. */
  readonly sources: readonly RegoSource[];
  /** The *_test.rego files beside them, as found. */
  readonly testFiles: readonly string[];
  readonly redactions: readonly CustomRedactions[];
  /** Each builtin-like name a module calls, with where it first does ("custom/x.rego:12", below the policy directory). */
  readonly calls: ReadonlyMap<string, string>;
}

export type CustomModulesResult = { readonly ok: true; readonly custom: CustomModules } | { readonly ok: false; readonly problems: Problem[] };

export const NO_CUSTOM_MODULES: CustomModules = { sources: [], testFiles: [], redactions: [], calls: new Map() };

interface Location {
  readonly file?: string;
  readonly row: number;
  readonly col: number;
  readonly text?: string;
}

interface AstTerm {
  readonly type: string;
  readonly value: unknown;
  readonly location?: Location;
}

async function findRego(dir: string, found: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await findRego(path, found);
    else if (entry.isFile() && entry.name.endsWith(".rego")) found.push(path);
  }
}

function opa(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(opaCommand(), args, { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = (err as NodeJS.ErrnoException | null)?.code;
      if (code === "ENOENT" || code === "EACCES") {
        return reject(new AegisError("AEGIS_ERR_OPA_NOT_FOUND", `OPA CLI "${opaCommand()}" could not be run (${code}); run scripts/setup.sh or set AEGIS_OPA`, { cause: err }));
      }
      resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : 1, stdout, stderr });
    });
  });
}

function problem(file: string, row: number, col: number, message: string): Problem {
  return { file, line: row, col, pointer: "", message };
}

/** `opa check --strict` over the library and the modules; its errors as problems. */
async function strictCheck(libDir: string, files: readonly string[]): Promise<Problem[]> {
  const result = await opa(["check", "--strict", "--format", "json", "--ignore", "*_test.rego", libDir, ...files]);
  if (result.code === 0) return [];
  try {
    // opa check writes its JSON report to standard error.
    const { errors } = JSON.parse(result.stderr || result.stdout) as { errors?: { message: string; code?: string; location?: Location }[] };
    // Only the modules' own errors: a broken library is opa build's to report.
    const own = new Set(files);
    return (errors ?? [])
      .filter((e) => e.location?.file !== undefined && own.has(e.location.file))
      .map((e) => problem(e.location?.file ?? "", e.location?.row ?? 1, e.location?.col ?? 1, `opa check --strict: ${e.message}`));
  } catch {
    return [problem(files[0] ?? libDir, 1, 1, `opa check --strict failed: ${(result.stderr || result.stdout).trim()}`)];
  }
}

function walk(node: unknown, visit: (term: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
  } else if (typeof node === "object" && node !== null) {
    visit(node as Record<string, unknown>);
    for (const value of Object.values(node)) walk(value, visit);
  }
}

function refParts(term: unknown): AstTerm[] | null {
  const t = term as AstTerm | null;
  return t !== null && typeof t === "object" && t.type === "ref" && Array.isArray(t.value) ? (t.value as AstTerm[]) : null;
}

/** "sprintf", "regex.find_n": a ref of a variable and string keys, as an operator is written. */
function operatorName(term: unknown): string | null {
  const parts = refParts(term);
  if (parts === null || parts[0]?.type !== "var") return null;
  if (!parts.slice(1).every((p) => p.type === "string")) return null;
  return parts.map((p) => String(p.value)).join(".");
}

interface ParsedModule {
  readonly file: string;
  readonly rel: string;
  readonly bytes: Buffer;
  readonly ast: Record<string, unknown>;
}

function packageProblems(mod: ParsedModule, data: PolicyData): Problem[] {
  const path = ((mod.ast.package as { path?: AstTerm[] } | undefined)?.path ?? []).map((p) => (p.type === "string" ? String(p.value) : null));
  const row = ((mod.ast.package as { location?: Location } | undefined)?.location?.row) ?? 1;
  const at = (message: string) => [problem(mod.file, row, 1, message)];
  const shown = `package ${path.slice(1).map((p) => p ?? "?").join(".")}`;
  if (path[1] !== "aegis" || path[2] !== "custom" || path.length < 4 || path.length > 5 || path.slice(1).some((p) => p === null)) {
    return at(`\`${shown}\` is not a custom package: write \`package aegis.custom.<tenant>\` or \`package aegis.custom.<tenant>["<agent>"]\``);
  }
  const [tenant, agent] = [path[3] ?? "", path[4]];
  const tenantData = Object.hasOwn(data.tenants, tenant) ? data.tenants[tenant] : undefined;
  if (tenantData === undefined) return at(`\`${shown}\` names tenant \`${tenant}\`, which no Tenant document declares`);
  if (agent !== undefined && agent !== null) {
    if (CUSTOM_SETS.has(agent)) return at(`\`${shown}\`: an agent package cannot be named \`${agent}\`, which is one of the tenant module's rule names`);
    if (!Object.hasOwn(tenantData.agents, agent)) return at(`\`${shown}\` names agent \`${agent}\`, which has no AgentPolicy in tenant \`${tenant}\``);
  }
  return [];
}

function inputProblems(mod: ParsedModule): Problem[] {
  const problems: Problem[] = [];
  walk(mod.ast, (node) => {
    const parts = refParts(node);
    if (parts === null || parts[0]?.type !== "var" || parts[0].value !== "input") return;
    const loc = (node.location as Location | undefined) ?? parts[0].location;
    const field = parts[1];
    if (field === undefined) {
      problems.push(problem(mod.file, loc?.row ?? 1, loc?.col ?? 1, "reads the whole `input`; name the contract fields it needs (`input.params`, `input.tool`, ...)"));
    } else if (field.type !== "string") {
      problems.push(problem(mod.file, loc?.row ?? 1, loc?.col ?? 1, "reads an `input` field chosen at run time; name the contract fields it needs"));
    } else if (!INPUT_CONTRACT_FIELDS.has(String(field.value))) {
      problems.push(problem(mod.file, loc?.row ?? 1, loc?.col ?? 1, `reads \`input.${String(field.value)}\`, which is not a field of the policy input (docs/contracts.md §2: ${[...INPUT_CONTRACT_FIELDS].join(", ")})`));
    }
  });
  return problems;
}

function dataProblems(mod: ParsedModule): Problem[] {
  return sliceLeaks(mod.ast).map(({ term, message }) => problem(mod.file, term.location?.row ?? 1, term.location?.col ?? 1, message));
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly ruleId: string;
}

function lineStarts(bytes: Buffer): number[] {
  const starts = [0];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) starts.push(i + 1);
  return starts;
}

/** The rule-id edits for deny / needs_approval / redact, or the problems that stop them. */
function ruleEdits(mod: ParsedModule): { edits: Edit[]; problems: Problem[] } {
  const edits: Edit[] = [];
  const problems: Problem[] = [];
  const starts = lineStarts(mod.bytes);
  for (const rule of (mod.ast.rules as Record<string, unknown>[] | undefined) ?? []) {
    const head = rule.head as { name?: string; ref?: AstTerm[]; key?: AstTerm; value?: AstTerm; location?: Location } | undefined;
    const name = head?.name ?? (head?.ref?.[0]?.value as string | undefined);
    if (name === undefined || !CUSTOM_SETS.has(name) || (head?.ref?.length ?? 1) > 1) continue;
    const row = head?.location?.row ?? 1;
    const key = head?.key;
    if (key === undefined || head?.value !== undefined) {
      problems.push(problem(mod.file, row, head?.location?.col ?? 1, `\`${name}\` must be a partial set: \`${name} contains {...} if { ... }\``));
      continue;
    }
    const loc = key.location;
    const text = loc?.text === undefined ? null : Buffer.from(loc.text, "base64");
    const lineStart = loc === undefined ? undefined : starts[loc.row - 1];
    if (loc === undefined || text === null || lineStart === undefined) continue;
    const start = lineStart + loc.col - 1;
    // The parser's column counts bytes; check the span really is the term before rewriting it.
    if (!mod.bytes.subarray(start, start + text.length).equals(text)) {
      problems.push(problem(mod.file, loc.row, loc.col, `cannot place the rule id of \`${name}\` (the head term is not where the parser says)`));
      continue;
    }
    edits.push({ start, end: start + text.length, ruleId: `${mod.rel}:${row}` });
  }
  return { edits, problems };
}

function rewrite(bytes: Buffer, edits: readonly Edit[]): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (const edit of [...edits].sort((a, b) => a.start - b.start)) {
    // Same line count as the original: rows of every later rule stay what the author sees.
    parts.push(bytes.subarray(at, edit.start), Buffer.from("object.union("), bytes.subarray(edit.start, edit.end), Buffer.from(`, {"rule_id": ${JSON.stringify(edit.ruleId)}})`));
    at = edit.end;
  }
  parts.push(bytes.subarray(at));
  return Buffer.concat(parts);
}

function calls(mod: ParsedModule, into: Map<string, string>): void {
  const note = (name: string | null, loc: Location | undefined) => {
    if (name !== null && !into.has(name)) into.set(name, `${mod.rel}:${loc?.row ?? 1}`);
  };
  walk(mod.ast, (node) => {
    if (node.type === "call" && Array.isArray(node.value)) note(operatorName(node.value[0]), node.location as Location | undefined);
    if (Array.isArray(node.terms)) note(operatorName(node.terms[0]), (node.location as Location | undefined) ?? (node.terms[0] as AstTerm | undefined)?.location);
  });
}

// The string items of "params" and "query" in a redact head term's object literals, at any depth
// (a wrapped object.union(...) included): the names a log must never show.
function literalRedactions(mod: ParsedModule): CustomRedactions | null {
  const path = ((mod.ast.package as { path?: AstTerm[] } | undefined)?.path ?? []).map((p) => String(p.value));
  const names = new Set<string>();
  for (const rule of (mod.ast.rules as Record<string, unknown>[] | undefined) ?? []) {
    const head = rule.head as { name?: string; key?: AstTerm } | undefined;
    if (head?.name !== "redact" || head.key === undefined) continue;
    walk(head.key, (node) => {
      if (node.type !== "object" || !Array.isArray(node.value)) return;
      for (const [k, v] of node.value as [AstTerm, AstTerm][]) {
        if (k.type !== "string" || (k.value !== "params" && k.value !== "query") || v.type !== "array") continue;
        for (const item of v.value as AstTerm[]) if (item.type === "string") names.add(String(item.value));
      }
    });
  }
  return names.size === 0 ? null : { tenant: path[3] ?? "", agent: path[4] ?? null, names: [...names].sort() };
}

function toBundleName(rel: string): string {
  return `${CUSTOM_BUNDLE_DIR}/${rel}`;
}

/**
 * Finds, checks and prepares the custom modules under `dir` (none when it is a file). Problems in
 * the modules are returned; a missing or failing OPA CLI throws.
 */
export async function prepareCustomModules(dir: string, data: PolicyData, libDir: string): Promise<CustomModulesResult> {
  if (!(await stat(dir)).isDirectory()) return { ok: true, custom: NO_CUSTOM_MODULES };
  const found: string[] = [];
  await findRego(dir, found);
  found.sort();
  const testFiles = found.filter((f) => f.endsWith("_test.rego"));
  const files = found.filter((f) => !f.endsWith("_test.rego"));
  if (files.length === 0) return { ok: true, custom: { ...NO_CUSTOM_MODULES, testFiles } };

  const problems = await strictCheck(libDir, files);
  if (problems.length > 0) return { ok: false, problems };

  const parsed: ParsedModule[] = [];
  for (const file of files) {
    const result = await opa(["parse", "--format", "json", "--json-include", "locations,-comments", file]);
    if (result.code !== 0) return { ok: false, problems: [problem(file, 1, 1, `opa parse: ${(result.stderr || result.stdout).trim()}`)] };
    const rel = relative(dir, file).split(sep).join("/");
    parsed.push({ file, rel, bytes: await readFile(file), ast: JSON.parse(result.stdout) as Record<string, unknown> });
  }

  const sources: RegoSource[] = [];
  const redactions: CustomRedactions[] = [];
  const called = new Map<string, string>();
  for (const mod of parsed) {
    const own = [...packageProblems(mod, data), ...inputProblems(mod), ...dataProblems(mod)];
    const { edits, problems: editProblems } = ruleEdits(mod);
    problems.push(...own, ...editProblems);
    calls(mod, called);
    const named = literalRedactions(mod);
    if (named !== null) redactions.push(named);
    sources.push({ name: toBundleName(mod.rel), bytes: new Uint8Array(rewrite(mod.bytes, edits)) });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, custom: { sources, testFiles, redactions, calls: called } };
}
