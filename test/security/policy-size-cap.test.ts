// Policy input is capped before it is read. A 50 MB policy file used to drive `aegis validate`
// and `aegis build` past 4 GB of memory into a V8 abort; a dense file under any byte cap can
// still hold hundreds of thousands of YAML nodes, each costing memory and (when wrong) schema
// validation time. Each attack runs the real CLI on a generated file and measures the child's
// peak memory with /usr/bin/time -v (or, without it, process.resourceUsage in a wrapper child).
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_POLICY_READ_LIMITS } from "../../src/policy/read-limits.ts";
import { REPO_ROOT } from "../support/opa.ts";

const AEGIS = join(REPO_ROOT, "bin", "aegis");
/** Node, the CLI's modules and the schema validators take about 100 MB; this leaves room, not 4 GB. */
const MAX_RSS_KB = 350 * 1024;
const HEAD = "apiVersion: aegis/v1\nkind: AgentPolicy\ntenant: acme\nagent: finance-agent\n";

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "aegis-policy-size-"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Measured {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly maxRssKb: number;
}

/** Runs ./bin/aegis with `args` and reports its exit code, output and peak resident memory. */
function measured(args: readonly string[]): Measured {
  if (existsSync("/usr/bin/time")) {
    const result = spawnSync("/usr/bin/time", ["-v", AEGIS, ...args], { cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
    const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr)?.[1];
    const exit = /Exit status: (\d+)/.exec(result.stderr)?.[1];
    expect(rss, result.stderr).toBeDefined();
    return { code: exit === undefined ? result.status : Number(exit), stdout: result.stdout, stderr: result.stderr, maxRssKb: Number(rss) };
  }
  // Without GNU time: a child that runs the CLI in itself and reports its own peak RSS.
  const script = `process.argv.splice(1, 1, ${JSON.stringify(join(REPO_ROOT, "src", "cli", "main.ts"))});
    process.on("exit", () => process.stderr.write("\\nMAXRSS_KB " + process.resourceUsage().maxRSS + "\\n"));
    await import(${JSON.stringify(join(REPO_ROOT, "src", "cli", "main.ts"))});`;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script, "x", ...args], { cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, maxRssKb: Number(/MAXRSS_KB (\d+)/.exec(result.stderr)?.[1]) };
}

/**
 * Writes about `totalBytes` of a well-formed policy with ever more tools (the shape that took the
 * uncapped validator past its heap), in 1 MB batches so the test itself stays small.
 */
function writeLargeFile(path: string, totalBytes: number): void {
  const fd = openSync(path, "w");
  try {
    let written = writeSync(fd, `${HEAD}allowed_tools:\n`);
    for (let tool = 0; written < totalBytes; ) {
      const batch: string[] = [];
      for (let size = 0; size < 1024 * 1024; tool++) {
        const entry = `  - name: tool-${tool}\n    actions: [read]\n`;
        batch.push(entry);
        size += entry.length;
      }
      written += writeSync(fd, batch.join(""));
    }
  } finally {
    closeSync(fd);
  }
}

describe("policy file size cap", () => {
  it("refuses a 50 MB policy file in aegis validate with a file problem and exit 1, in little memory", () => {
    const file = join(dir, "huge.yaml");
    writeLargeFile(file, 50 * 1024 * 1024);
    const run = measured(["validate", file]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:1:1: : file is \\d+ bytes, over the 256 KiB limit for a policy file; not read$`, "m"));
    expect(run.maxRssKb, `peak RSS ${run.maxRssKb} KB`).toBeLessThan(MAX_RSS_KB);
  });

  it("refuses it in aegis build too, and writes no bundle", () => {
    const policies = join(dir, "build-policies");
    mkdirSync(policies, { recursive: true });
    writeLargeFile(join(policies, "huge.yaml"), 50 * 1024 * 1024);
    const out = join(dir, "bundle.tar.gz");
    const run = measured(["build", policies, "-o", out]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain("huge.yaml:1:1: : file is");
    expect(existsSync(out)).toBe(false);
    expect(run.maxRssKb, `peak RSS ${run.maxRssKb} KB`).toBeLessThan(MAX_RSS_KB);
  });

  it("refuses a file under the byte cap that is dense with YAML nodes, before schema validation", () => {
    const file = join(dir, "dense.yaml");
    // 250 KB of a flow sequence: over 100,000 nodes, every one of them a wrong tool entry.
    writeFileSync(file, `${HEAD}allowed_tools: [${"a,".repeat(125_000)}]\n`);
    const run = measured(["validate", file]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout.trim()).toBe(`${file}:1:1: : file has more than ${DEFAULT_POLICY_READ_LIMITS.maxNodesPerFile} YAML nodes, the limit for a policy file; not validated`);
    expect(run.maxRssKb, `peak RSS ${run.maxRssKb} KB`).toBeLessThan(MAX_RSS_KB);
  });

  it("bounds the YAML nodes of a whole directory, file by file", () => {
    const policies = join(dir, "many-nodes");
    mkdirSync(policies, { recursive: true });
    // Each file just under the per-file limit; together well over the limit of one run.
    const perFile = DEFAULT_POLICY_READ_LIMITS.maxNodesPerFile - 100;
    const files = Math.ceil(DEFAULT_POLICY_READ_LIMITS.maxTotalNodes / perFile) + 2;
    for (let i = 0; i < files; i++) writeFileSync(join(policies, `p${String(i).padStart(2, "0")}.yaml`), `${HEAD}x: [${"1,".repeat(perFile)}]\n`);
    const run = measured(["validate", policies]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain(`policy files together exceed ${DEFAULT_POLICY_READ_LIMITS.maxTotalNodes} YAML nodes, the limit of one run; not validated`);
    expect(run.maxRssKb, `peak RSS ${run.maxRssKb} KB`).toBeLessThan(MAX_RSS_KB * 2);
  });

  it("stops walking a directory tree with a symlink loop at the file limit", () => {
    const policies = join(dir, "loop");
    mkdirSync(policies, { recursive: true });
    for (let i = 0; i < 20; i++) writeFileSync(join(policies, `p${i}.yaml`), HEAD);
    // Two self-links make the tree exponential in depth (until ELOOP): never walked to the end.
    symlinkSync(".", join(policies, "a"));
    symlinkSync(".", join(policies, "b"));
    const run = measured(["validate", policies]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain(`AEGIS_ERR_POLICY_READ: more than ${DEFAULT_POLICY_READ_LIMITS.maxFiles} policy files under ${policies}`);
  });

  it("still validates a policy directory of ordinary size", () => {
    const run = measured(["validate", join(REPO_ROOT, "policies", "examples")]);
    expect(run.code, run.stderr).toBe(0);
  });
});
